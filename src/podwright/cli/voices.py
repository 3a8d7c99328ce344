"""Command: ``voices`` — every registered engine's voices, and whether each can speak on this machine.

With ``--show``, also checks the show's cast for both tiers, naming any host whose voice is unusable
and warning about hosts who would sound alike; engines are built with the show's ``[engines.NAME]``
options, exactly as ``render`` builds them.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from podwright.cli.common import console, err_console, friendly_errors, print_json, studio

__all__ = ["register"]


def _voices(
    engine: list[str] = typer.Option(
        [], "--engine", "-e", metavar="ENGINE", help="Only these engines (repeatable)."
    ),
    show_path: Path | None = typer.Option(
        None, "--show", metavar="FILE", help="Also check this show's cast for both tiers."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List TTS engines × voices, the languages each speaks, usable here or not, and why."""
    with studio() as desk:
        show = desk.load_show(show_path) if show_path is not None else None
        listing = desk.voices(engine, show)
    if as_json:
        print_json(listing)
        return
    table = Table(title="Voices")
    table.add_column("engine", style="bold")
    table.add_column("voice")
    table.add_column("languages")
    table.add_column("usable")
    table.add_column("about / fix")
    previous = ""
    for row in listing.voices:
        usable = "[green]yes[/]" if row.usable else "[red]no[/]"
        about = row.description if row.usable else row.reason
        languages = _languages(row.languages)
        table.add_row(
            row.engine, escape(row.voice), languages, usable, "〃" if about == previous else escape(about)
        )
        previous = about
    console.print(table)
    if show is not None:
        for tier in listing.cast_ok:
            console.print(
                f"[green]ok[/] {escape(show.name)}: every host can speak the {tier.value} tier here"
            )
        for warning in listing.warnings:
            err_console.print(f"warning: {warning}", highlight=False, soft_wrap=True, markup=False)


def _languages(tags: tuple[str, ...]) -> str:
    """A voice's languages as a short cell: ``en-US``; ``any`` for ``mul``; a long list cut."""
    if not tags:
        return "?"
    if tags == ("mul",):
        return "any"
    return ", ".join(tags) if len(tags) <= 4 else f"{', '.join(tags[:4])} … ({len(tags)})"


def register(app: typer.Typer) -> None:
    """Add the ``voices`` command to ``app``."""
    app.command("voices")(friendly_errors(_voices))
