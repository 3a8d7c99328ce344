"""Commands: ``images`` (cover, thumbnail and segment cards), ``youtube`` (youtube.json) and ``video``
(episode.mp4)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer
from rich.table import Table

from podwright.cli.common import console, err_console, friendly_errors, parse_tier, studio

__all__ = ["register"]

_ENGINES = "titlecard (offline), openai_images, openrouter"


def _images(
    episode: str = typer.Argument(
        ..., metavar="EPISODE", help="Episode folder or id (a unique prefix will do)."
    ),
    engine_name: str = typer.Option("titlecard", "--engine", metavar="ENGINE", help=f"One of: {_ENGINES}."),
    workers: int = typer.Option(
        4, "--workers", metavar="N", min=1, max=32, help="Images made at the same time."
    ),
    show_file: Path | None = typer.Option(
        None, "--show", metavar="FILE", help="The show file (default: the folder's snapshot)."
    ),
    model: str | None = typer.Option(
        None, "--model", metavar="MODEL", help="Image model id for a remote engine."
    ),
    timeout_s: float = typer.Option(
        120.0, "--timeout", metavar="SECONDS", min=1, help="Seconds one image may take."
    ),
) -> None:
    """Make the cover, thumbnail and segment cards into EPISODE/images/."""
    with studio() as desk:
        show = desk.load_show(show_file) if show_file is not None else None
        folder = desk.episode_folder(episode)
        images = asyncio.run(
            desk.make_images(
                episode, engine=engine_name, workers=workers, model=model, timeout_s=timeout_s, show=show
            )
        )
    table = Table("image", "engine", "seconds", "file")
    for outcome in images.outcomes:
        engine = f"{outcome.engine} (fallback)" if outcome.fell_back else outcome.engine
        table.add_row(
            outcome.target, engine, f"{outcome.seconds:.1f}", outcome.path.relative_to(folder).as_posix()
        )
    console.print(table)
    for outcome in images.outcomes:
        if outcome.fell_back:
            err_console.print(
                f"warning: {outcome.target}: {outcome.error}; a title card stands in", highlight=False
            )


def _youtube(
    episode: str = typer.Argument(..., metavar="EPISODE", help="A rendered episode (folder or id)."),
    tier: str | None = typer.Option(
        None, "--tier", metavar="TIER", help="Which render (default: final if any)."
    ),
) -> None:
    """Write EPISODE/TIER/youtube.json: title, description with chapter timestamps, tags."""
    with studio() as desk:
        path = desk.write_youtube(episode, parse_tier(tier) if tier else None)
    console.print(f"wrote [bold]{path}[/]", highlight=False)
    for repair in json.loads(path.read_text(encoding="utf-8")).get("repairs", []):
        console.print(f"  repaired: {repair}", highlight=False)


def _video(
    episode: str = typer.Argument(..., metavar="EPISODE", help="A rendered episode (folder or id)."),
    tier: str | None = typer.Option(
        None, "--tier", metavar="TIER", help="Which render (default: final if any)."
    ),
    burn_captions: bool | None = typer.Option(
        None,
        "--burn-captions/--no-burn-captions",
        help="Draw the transcript onto the picture (default: the show's [youtube] burn_captions).",
    ),
    fps: int | None = typer.Option(
        None, "--fps", metavar="N", min=1, max=30, help="Frames per second (default: the show's)."
    ),
    show_file: Path | None = typer.Option(
        None, "--show", metavar="FILE", help="The show file (default: the folder's snapshot)."
    ),
) -> None:
    """Write EPISODE/TIER/episode.mp4 for YouTube: chapter slides over the audio, captions beside it."""
    with studio() as desk:
        show = desk.load_show(show_file) if show_file is not None else None
        with console.status("encoding the video…"):
            video = desk.write_video(
                episode, parse_tier(tier) if tier else None, burn_captions=burn_captions, fps=fps, show=show
            )
    burned = ", captions burned in" if video.burned_captions else ""
    console.print(
        f"wrote [bold]{video.path}[/] ({video.duration_s / 60:.1f} min, {video.slides} slides, "
        f"{video.fps} fps{burned}; {video.seconds:.1f} s, {video.real_time:.0f}× real time)",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``images``, ``youtube`` and ``video`` to ``app``."""
    app.command("images")(friendly_errors(_images))
    app.command("youtube")(friendly_errors(_youtube))
    app.command("video")(friendly_errors(_video))
