"""Commands: ``render`` (voice and package a written script) and ``produce`` (script + render).

Engines are built once per command from the show's cast and loaded once (the cold start); the
chunk cache in the data dir makes a re-render cost only the chunks whose key changed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from podwright.cli.common import console, friendly_errors
from podwright.config import Settings, api_key, load_show
from podwright.core import ConfigError, Show, Tier

if TYPE_CHECKING:
    from rich.progress import Progress

    from podwright.core import TTSEngine
    from podwright.pipeline.episode import ProduceResult, RenderResult
    from podwright.pipeline.voicing import VoicingProgress

__all__ = ["build_cast_engines", "engine_options", "register"]


def engine_options(show: Show | None) -> dict[str, dict[str, Any]]:
    """Per-engine options from the show's ``[engines.*]`` tables, every ``api_key_env`` resolved.

    ``openai_speech`` without a ``base_url`` talks to OpenAI's hosted API, so it takes the usual
    ``OPENAI_API_KEY`` unless the show names another variable; a local speech server gets no key.
    """
    resolved: dict[str, dict[str, Any]] = {}
    for name, options in (show.engines if show is not None else {}).items():
        values: dict[str, Any] = dict(options)
        env = values.pop("api_key_env", None)
        if isinstance(env, str):
            values["api_key"] = api_key(env)
        resolved[name] = values
    speech = resolved.setdefault("openai_speech", {})
    if "api_key" not in speech and "base_url" not in speech:
        speech["api_key"] = api_key("OPENAI_API_KEY")
    return resolved


def build_cast_engines(show: Show, tier: Tier) -> dict[str, TTSEngine]:
    """One engine per engine the ``tier`` cast uses, with the show's options."""
    from podwright.pipeline.voicing import build_engines, cast_for

    return build_engines(cast_for(show, tier), engine_options(show))


class _ChunkProgress:
    """A rich progress bar of chunks done / total with an ETA."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("voicing", total=None)

    def __call__(self, event: VoicingProgress) -> None:
        cached = f", {event.cached} cached" if event.cached else ""
        detail = f"voicing ({event.audio_s / 60:.1f} min of audio{cached})"
        self.progress.update(self.task, total=event.total, completed=event.done, description=detail)


def _progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _report(result: RenderResult, folder: Path) -> None:
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
    console.print(str(folder / "episode.mp3"), highlight=False, soft_wrap=True)


def _tier(value: str) -> Tier:
    try:
        return Tier(value)
    except ValueError:
        raise ConfigError(f"unknown tier {value!r}", hint="use --tier draft or --tier final") from None


def _render(
    folder: Path = typer.Argument(..., help="An episode folder written by `podwright script`."),
    tier: str = typer.Option("draft", "--tier", help="draft (fast voices) or final (publishable voices)."),
    show_file: Path | None = typer.Option(None, "--show", help="Use this show file instead of the snapshot."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Engines synthesizing at once."),
) -> None:
    """Voice an episode's script and package it: MP3 with chapters, transcripts, chapters.json."""
    from podwright.pipeline.episode import load_episode, render_episode
    from podwright.tts.cache import ChunkCache

    chosen = _tier(tier)
    script, show = load_episode(folder, load_show(show_file) if show_file else None)
    engines = build_cast_engines(show, chosen)
    settings = Settings.resolve()
    with _progress() as progress:
        result = render_episode(
            folder,
            show,
            chosen,
            engines=engines,
            cache=ChunkCache(settings.chunk_cache_dir),
            script=script,
            workers=workers,
            on_progress=_ChunkProgress(progress),
        )
    _report(result, folder)


def _produce(
    show_file: Path = typer.Option(..., "--show", help="The show file (TOML)."),
    topic: str | None = typer.Option(None, "--topic", help="What the episode is about."),
    source: list[str] = typer.Option([], "--source", help="A document path or URL (repeatable)."),
    minutes: float | None = typer.Option(None, "--minutes", help="Target length in minutes (default 10)."),
    tier: str = typer.Option("draft", "--tier", help="draft (fast voices) or final (publishable voices)."),
    out: Path = typer.Option(Path("out"), "--out", help="Output root: files go to OUT/SHOW/EPISODE-ID/."),
    offline: bool = typer.Option(
        False, "--offline", help="Use the embedded local model (no key, no network)."
    ),
    episode_id: str | None = typer.Option(None, "--episode-id", help="Episode id (default: date + title)."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Engines synthesizing at once."),
    fresh: bool = typer.Option(
        False, "--fresh", help="Ask every LLM call again instead of reusing answers already paid for."
    ),
) -> None:
    """Script and render an episode end to end; segments start voicing as soon as they are written."""
    from podwright.cli.scripting import StageProgress, episode_request, resolve_key, script_client
    from podwright.pipeline.episode import produce_episode
    from podwright.sources.ingest import ingest_all
    from podwright.tts.cache import ChunkCache

    show = load_show(show_file)
    if not (topic and topic.strip()) and not source:
        raise ConfigError("nothing to produce", hint="pass --topic TEXT or at least one --source PATH_OR_URL")
    chosen = _tier(tier)
    key = resolve_key(show, offline=offline)
    engines = build_cast_engines(show, chosen)
    docs = ingest_all(source)
    request = episode_request(topic, source, docs, minutes, episode_id).model_copy(update={"tier": chosen})
    settings = Settings.resolve()
    console.print(f"producing [bold]{request.episode_id}[/] for {show.name} ({request.target_minutes:g} min)")

    async def produce() -> ProduceResult:
        async with script_client(show, offline=offline, settings=settings, key=key, fresh=fresh) as client:
            with console.status("writing…") as status:
                return await produce_episode(
                    show,
                    request,
                    client=client,
                    out_root=out,
                    engines=engines,
                    cache=ChunkCache(settings.chunk_cache_dir),
                    sources=docs,
                    on_event=StageProgress(status),
                )

    result = asyncio.run(produce())
    run = result.script.run
    cost = "unknown" if run.cost_usd is None else f"${run.cost_usd:.4f}"
    console.print(
        f"script: {result.script.script.word_count:,} words, {run.calls} LLM calls, {cost}; "
        f"produced in {result.wall_s:.1f} s",
        highlight=False,
    )
    prefetched = sum(stats.chunks_synthesized for stats in result.prefetch)
    if prefetched:
        console.print(f"{prefetched} chunks were voiced while the script was still being written")
    _report(result.render, result.folder)


def register(app: typer.Typer) -> None:
    """Add ``render`` and ``produce`` to ``app``."""
    app.command("render")(friendly_errors(_render))
    app.command("produce")(friendly_errors(_produce))
