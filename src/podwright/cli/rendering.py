"""Commands: ``render`` (voice and package one tier of a written script) and ``produce`` (both)."""

from __future__ import annotations

import asyncio
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
    TIER,
    TOPIC,
    WORKERS,
    console,
    err_console,
    friendly_errors,
    parse_tier,
    studio,
)
from podwright.cli.progress import ChunkProgress, StageProgress, chunk_progress
from podwright.core.formats import default_minutes

if TYPE_CHECKING:
    from podwright.pipeline.episode import RenderResult

__all__ = ["register"]


def _report(result: RenderResult, warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        err_console.print(f"warning: {warning}", highlight=False, soft_wrap=True)
    package = result.package
    rtf = ", ".join(
        f"{name} {1 / value:.0f}× real time" for name, value in result.rtf_by_engine.items() if value
    )
    console.print(
        f"{result.tier.value} render: {package.duration_s / 60:.1f} min of audio; "
        f"{result.chunks_synthesized} chunks synthesized, {result.chunks_cached} from cache; "
        f"{result.compute_s:.1f} s compute{f' ({rtf})' if rtf else ''}; "
        f"{package.loudness.integrated_lufs:.1f} LUFS, {package.loudness.true_peak_dbtp:.1f} dBTP",
        highlight=False,
    )
    console.print(str(result.folder / "episode.mp3"), highlight=False, soft_wrap=True)


def _render(
    episode: str = typer.Argument(
        ..., metavar="EPISODE", help="An episode folder, or an episode id (a unique prefix will do)."
    ),
    tier: str = TIER,
    show_file: Path | None = typer.Option(
        None, "--show", metavar="FILE", help="Use this show file instead of the folder's snapshot."
    ),
    workers: int | None = WORKERS,
) -> None:
    """Voice an episode's script into EPISODE/TIER/: MP3 with chapters, transcripts, chapters.json.

    A final render never touches the draft's files; only chunks whose text or voice changed are voiced.
    """
    chosen = parse_tier(tier)
    with studio() as desk:
        show = desk.load_show(show_file) if show_file else None
        with chunk_progress() as progress:
            done = asyncio.run(
                desk.render(episode, chosen, show=show, workers=workers, on_progress=ChunkProgress(progress))
            )
    _report(done.result, done.warnings)
    console.print(f"episode {done.episode.key}: {done.episode.state.value}", highlight=False)


def _produce(
    show_file: Path = SHOW_FILE,
    topic: str | None = TOPIC,
    source: list[str] = SOURCES,
    minutes: float | None = MINUTES,
    tier: str = TIER,
    out: Path = OUT_ROOT,
    offline: bool = OFFLINE,
    episode_id: str | None = EPISODE_ID,
    workers: int | None = WORKERS,
    fresh: bool = FRESH,
    format: str | None = FORMAT,
) -> None:
    """Script and render an episode end to end; segments start voicing as soon as they are written."""
    chosen = parse_tier(tier)
    with studio(out) as desk:
        show = desk.load_show(show_file, format=format)
        length = minutes or default_minutes(show)
        console.print(f"producing an episode for {show.name} ({length:g} min, {chosen.value} tier)")
        with console.status("writing…") as status:
            done = asyncio.run(
                desk.produce(
                    show,
                    topic=topic,
                    sources=source,
                    minutes=minutes,
                    tier=chosen,
                    episode_id=episode_id,
                    offline=offline,
                    workers=workers,
                    on_event=StageProgress(status),
                    fresh=fresh,
                )
            )
    result = done.result
    run = result.script.run
    cost = "unknown" if run.cost_usd is None else f"${run.cost_usd:.4f}"
    console.print(
        f"script: {result.script.script.word_count:,} words, {run.calls} LLM calls, {cost}; "
        f"produced in {result.wall_s:.1f} s",
        highlight=False,
    )
    if run.quality is not None:
        console.print(run.quality.summary(), highlight=False, markup=False)
    prefetched = sum(stats.chunks_synthesized for stats in result.prefetch)
    if prefetched:
        console.print(f"{prefetched} chunks were voiced while the script was still being written")
    _report(result.render, done.warnings)
    console.print(f"episode {done.episode.key}: {done.episode.state.value}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``render`` and ``produce`` to ``app``."""
    app.command("render")(friendly_errors(_render))
    app.command("produce")(friendly_errors(_produce))
