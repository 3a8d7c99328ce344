"""Commands: ``init`` (write a starter show) and ``script`` (write an episode's script)."""

from __future__ import annotations

import asyncio
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from podwright.cli.common import (
    EPISODE_ID,
    FORMAT,
    FRESH,
    MINUTES,
    OFFLINE,
    OUT_ROOT,
    SHOW_FILE,
    SOURCES,
    TOPIC,
    console,
    friendly_errors,
    studio,
)
from podwright.cli.progress import StageProgress
from podwright.core import ConfigError
from podwright.core.files import atomic_write_text
from podwright.core.formats import default_minutes, format_named, starter_with_format

if TYPE_CHECKING:
    from podwright.pipeline.run_record import RunRecord

__all__ = ["register"]


def _init(
    path: Path = typer.Argument(
        Path("show.toml"), metavar="PATH", help="Where to write the starter show file."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
    format: str | None = typer.Option(
        None,
        "--format",
        metavar="NAME",
        help="Start from a built-in format: deep-dive, brief, debate, critique or interview.",
    ),
) -> None:
    """Write a commented starter show file that works offline as is."""
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists", hint="pass --force to overwrite it, or give another PATH")
    text = files("podwright").joinpath("data/starter_show.toml").read_text(encoding="utf-8")
    if format:
        text = starter_with_format(text, format_named(format))
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ConfigError(f"cannot write {path} ({exc})", hint="choose a writable PATH") from exc
    console.print(f'wrote {path} — try: podwright script --show {path} --topic "..." --offline')


def _script(
    show_file: Path = SHOW_FILE,
    topic: str | None = TOPIC,
    source: list[str] = SOURCES,
    minutes: float | None = MINUTES,
    out: Path = OUT_ROOT,
    offline: bool = OFFLINE,
    episode_id: str | None = EPISODE_ID,
    fresh: bool = FRESH,
    format: str | None = FORMAT,
) -> None:
    """Write an episode's script: research, outline, dialogue, intro, conclusion, metadata."""
    with studio(out) as desk:
        show = desk.load_show(show_file, format=format)
        console.print(f"writing an episode for {show.name} ({minutes or default_minutes(show):g} min)")
        with console.status("writing…") as status:
            done = asyncio.run(
                desk.write_script(
                    show,
                    topic=topic,
                    sources=source,
                    minutes=minutes,
                    episode_id=episode_id,
                    offline=offline,
                    on_event=StageProgress(status),
                    fresh=fresh,
                )
            )
    result = done.result
    run = result.run
    cost = "unknown" if run.cost_usd is None else f"${run.cost_usd:.4f}"
    console.print(
        f"{result.script.word_count:,} words in {len(result.script.segments)} segments; "
        f"{run.calls} calls{_call_detail(run)}, "
        f"{run.input_tokens:,} tokens in ({run.cached_tokens:,} cached), "
        f"{run.output_tokens:,} out, {cost}, {run.wall_s:.1f} s",
        highlight=False,
    )
    if run.quality is not None:
        console.print(run.quality.summary(), highlight=False, markup=False)
    console.print(f"episode {done.episode.key} ({done.episode.state.value})", highlight=False)
    console.print(done.episode.folder, highlight=False, soft_wrap=True)


def _call_detail(run: RunRecord) -> str:
    """`` (3 from cache, 1 retry, 1 repair)``: what the calls were, as the ledger counts them."""
    parts = [
        f"{count} {label}"
        for count, label in (
            (run.cache_hits, "from cache"),
            (run.retries, "retries" if run.retries != 1 else "retry"),
            (run.repairs, "repairs" if run.repairs != 1 else "repair"),
        )
        if count
    ]
    return f" ({', '.join(parts)})" if parts else ""


def register(app: typer.Typer) -> None:
    """Add ``init`` and ``script`` to ``app``."""
    app.command("init")(friendly_errors(_init))
    app.command("script")(friendly_errors(_script))
