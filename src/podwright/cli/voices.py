"""Command: ``voices`` — every registered engine's voices, and whether each can speak on this machine.

With ``--show``, also checks the show's cast for both tiers, naming any host whose voice is unusable;
engines are then built with the show's ``[engines.NAME]`` options, exactly as ``render`` builds them.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from podwright.cli.common import console, friendly_errors
from podwright.config import load_show

__all__ = ["register"]


def _voices(
    engine: list[str] = typer.Option([], "--engine", "-e", help="Only these engines (repeatable)."),
    show_path: Path | None = typer.Option(None, "--show", help="Also check this show's cast for both tiers."),
) -> None:
    """List TTS engines × voices, usable here or not, and why."""
    from podwright.cli.rendering import engine_options
    from podwright.core import ConfigError, EngineVoice, PodwrightError, Tier
    from podwright.tts.registry import create_engine, engine_names

    show = load_show(show_path) if show_path is not None else None
    show_options = engine_options(show)
    names = engine or engine_names()
    table = Table(title="Voices")
    table.add_column("engine", style="bold")
    table.add_column("voice")
    table.add_column("usable")
    table.add_column("about / fix")
    engines = {}
    for name in names:
        options = show_options.get(name, {})
        try:
            engines[name] = instance = create_engine(name, **options)
            rows: list[EngineVoice] = instance.voices()
        except PodwrightError as exc:
            # An engine unusable here is a row of the table; a show's bad [engines.*] option is the
            # producer's to fix, and stops the command rather than hiding in a row.
            if isinstance(exc, ConfigError):
                raise
            rows = [EngineVoice(engine=name, voice="—", usable=False, reason=str(exc))]
        previous = ""
        for row in rows:
            usable = "[green]yes[/]" if row.usable else "[red]no[/]"
            about = row.description if row.usable else row.reason
            table.add_row(row.engine, escape(row.voice), usable, "〃" if about == previous else escape(about))
            previous = about
    console.print(table)
    if show is not None:
        from podwright.pipeline.voicing import check_cast

        for tier in Tier:
            check_cast(show, tier, engines)
            console.print(f"[green]ok[/] {show.name}: every host can speak the {tier.value} tier here")


def register(app: typer.Typer) -> None:
    """Add the ``voices`` command to ``app``."""
    app.command("voices")(friendly_errors(_voices))
