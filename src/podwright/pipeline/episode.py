"""One episode end to end: the folder, its script, its voicing, its package, and the run record.

``produce`` pipelines the two halves: each body segment starts voicing (into the chunk cache) the
moment its dialogue exists, while the LLM writes the rest; the final render then finds those chunks
cached and only voices the intro and conclusion. ``render`` re-uses an approved script unchanged,
so a final-tier render or a re-render after an edit costs only the chunks whose key changed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from podwright.core.episode import EpisodeRequest, Script, Segment, SourceDoc
from podwright.core.errors import ConfigError
from podwright.core.images import ImageEngine
from podwright.core.lifecycle import RenderRecord
from podwright.core.llm import LLMClient
from podwright.core.show import Show, Tier
from podwright.core.speech import TTSEngine
from podwright.images.titlecard import TitleCardEngine
from podwright.pipeline.episode_folder import read_script
from podwright.pipeline.images import EpisodeImages, existing_images, make_episode_images
from podwright.pipeline.package import PackageResult, package_episode
from podwright.pipeline.preflight import check_before_spending
from podwright.pipeline.renders import RENDER_FILES, render_dir, script_sha, write_render_manifest
from podwright.pipeline.run_record import atomic_write_text, update_run_json
from podwright.pipeline.script import ScriptPipeline, ScriptResult, StageCallback
from podwright.pipeline.script_files import write_script_files
from podwright.pipeline.take_review import LineCheck, QAReport, TakeReview
from podwright.pipeline.video import EpisodeVideo, remove_stale_video, write_episode_video
from podwright.pipeline.voicing import (
    ScriptVoicer,
    VoicedScript,
    VoicingProgress,
    VoicingStats,
    cast_for,
    check_cast,
)
from podwright.pipeline.youtube import write_youtube_json
from podwright.tts.cache import ChunkCache

__all__ = [
    "SHOW_SNAPSHOT",
    "ProduceResult",
    "RenderResult",
    "VoicedEpisode",
    "episode_dir",
    "finish_episode",
    "load_episode",
    "produce_episode",
    "qa_json",
    "render_episode",
    "render_record",
    "run_coroutine",
    "voice_episode",
    "write_episode_script",
]

T = TypeVar("T")

SHOW_SNAPSHOT = "show.json"
"""The show as it was when the script was written: a render needs no show file to find its cast."""


def episode_dir(out_root: Path, show: Show, episode_id: str) -> Path:
    """Where an episode's files live: ``<out>/<show slug>/<episode id>/``."""
    return out_root / show.slug / episode_id


def load_episode(folder: Path, show: Show | None = None) -> tuple[Script, Show]:
    """Read an episode folder's script and show (the snapshot unless ``show`` overrides it)."""
    script = read_script(folder)
    if show is None:
        snapshot = folder / SHOW_SNAPSHOT
        if not snapshot.is_file():
            raise ConfigError(f"{folder} has no {SHOW_SNAPSHOT}", hint="pass the show file with --show FILE")
        try:
            show = Show.model_validate_json(snapshot.read_text(encoding="utf-8"))
        except (ValidationError, OSError) as exc:
            raise ConfigError(
                f"{snapshot} is not a valid show ({_first_problem(exc)})", hint="pass --show FILE"
            ) from exc
    unknown = sorted({turn.host for turn in script.turns} - set(show.host_ids))
    if unknown:
        raise ConfigError(
            f"script.json has turns by {', '.join(unknown)}, who are not hosts of show {show.slug!r}",
            hint="rename the speakers in script.json or add those hosts to the show file",
        )
    return script, show


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


async def write_episode_script(
    show: Show,
    request: EpisodeRequest,
    *,
    client: LLMClient,
    out_root: Path,
    sources: Sequence[SourceDoc] = (),
    on_event: StageCallback | None = None,
    on_segment: Callable[[int, Segment], None] | None = None,
    web: bool = True,
    sequential: bool = False,
) -> tuple[Path, ScriptResult]:
    """Write the script of ``request`` into its episode folder; returns the folder and the result.

    The folder, the episode id and the sources' digest count are checked before the first call.
    ``web=False`` (an offline run) keeps research to the documents given, whatever the show asks.
    ``sequential=True`` (the embedded model) writes the body segments one after another.
    """
    folder = episode_dir(out_root, show, request.episode_id)
    check_before_spending(show, request, folder, sources)
    result = await ScriptPipeline(client, show, web=web, sequential=sequential).write(
        request, sources, on_event=on_event, on_segment=on_segment
    )
    write_script_files(result, folder)
    atomic_write_text(folder / SHOW_SNAPSHOT, show.model_dump_json(indent=2) + "\n")
    return folder, result


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What a render did: audio and compute seconds, chunk reuse, real-time factors, the package."""

    tier: Tier
    audio_s: float
    """Seconds of voiced speech."""
    compute_s: float
    """Seconds engines spent synthesizing (active seconds; excludes cold starts)."""
    load_s: float
    """Cold-start seconds paid in this render (0 when the engines were already warm)."""
    chunks_total: int
    chunks_synthesized: int
    chunks_cached: int
    rtf_by_engine: dict[str, float]
    voicing_wall_s: float
    package: PackageResult
    images: EpisodeImages
    folder: Path
    """The tier's folder (``<episode>/draft`` or ``<episode>/final``) holding this render's files."""
    script_sha: str
    """sha256 of the ``script.json`` voiced."""
    qa: QAReport | None = None
    """Take QA of the render (``None`` when its tier was not checked)."""
    video: EpisodeVideo | None = None
    """The YouTube video made with the render (``[youtube] video = true``), else ``None``."""


def qa_json(report: QAReport | None) -> dict[str, Any]:
    """The ``qa`` part of a render record in ``run.json``: cost, counts, every line, the flagged ones."""
    if report is None:
        return {"checked": False}
    return {
        "checked": True,
        "model": report.model,
        "compute_s": round(report.compute_s, 3),
        "load_s": round(report.load_s, 3),
        "takes_heard": report.takes_heard,
        "retakes": report.retakes,
        "batches": report.batches,
        "chunks": len(report.lines),
        "flagged": len(report.flagged),
        "lines": [_line_json(line) for line in report.lines],
    }


def _line_json(line: LineCheck) -> dict[str, Any]:
    verdict = line.verdict
    return {
        "segment": line.segment,
        "turn": line.turn,
        "host": line.host,
        "text": line.text,
        "heard": verdict.heard,
        "word_errors": verdict.word_errors,
        "words": verdict.words,
        "duration_s": verdict.duration_s,
        "problems": [problem.value for problem in verdict.problems],
        "takes": len(line.takes),
        "flagged": line.flagged,
        "from_cache": line.from_cache,
    }


def _voicing_json(stats: VoicingStats) -> dict[str, Any]:
    return {
        "chunks_total": stats.chunks_total,
        "chunks_cached": stats.chunks_cached,
        "chunks_synthesized": stats.chunks_synthesized,
        "audio_s": round(stats.audio_s, 3),
        "wall_s": round(stats.wall_s, 3),
        "engines": {
            name: {
                "chunks": engine.chunks,
                "audio_s": round(engine.audio_s, 3),
                "compute_s": round(engine.compute_s, 3),
                "load_s": round(engine.load_s, 3),
                "retakes": engine.retakes,
                "real_time_factor": engine.real_time_factor,
            }
            for name, engine in stats.engines.items()
        },
    }


@dataclass(frozen=True, slots=True)
class VoicedEpisode:
    """An episode whose turns are all voiced, waiting to be packaged."""

    folder: Path
    script: Script
    show: Show
    tier: Tier
    voiced: VoicedScript
    script_sha: str
    """sha256 of the ``script.json`` being voiced (bound into the render's manifest)."""


def voice_episode(
    folder: Path,
    show: Show,
    tier: Tier,
    *,
    engines: Mapping[str, TTSEngine],
    cache: ChunkCache,
    script: Script | None = None,
    workers: int | None = None,
    on_progress: Callable[[VoicingProgress], None] | None = None,
    review: TakeReview | None = None,
) -> VoicedEpisode:
    """Voice ``folder``'s script with ``show``'s ``tier`` cast (the engine-bound half of a render).

    The cast is checked before anything is spoken. Every synthesized chunk is cached as soon as it
    exists (with ``review``, once QA accepted it), so an interrupted render resumes where it stopped.
    """
    sha = script_sha(folder)
    if script is None:
        script, _ = load_episode(folder, show)
    check_cast(show, tier, engines)
    voicer = ScriptVoicer(engines, cache, lexicon=show.lexicon, workers=workers, review=review)
    voiced = voicer.voice(script, cast_for(show, tier), on_progress=on_progress)
    return VoicedEpisode(folder=folder, script=script, show=show, tier=tier, voiced=voiced, script_sha=sha)


def finish_episode(
    episode: VoicedEpisode,
    *,
    images: EpisodeImages | None = None,
    image_engine: ImageEngine | None = None,
    image_workers: int = 4,
) -> RenderResult:
    """Package a voiced episode into its tier's folder: MP3 with chapters, transcripts, YouTube, manifest.

    Images (unless given) are made first, into the episode's shared ``images/``. This half needs no TTS
    engine, so a render session can run it beside the next episode's voicing. It never nests an event
    loop: it is safe to call from a thread of a running one (``asyncio.to_thread``).
    """
    folder, script, show = episode.folder, episode.script, episode.show
    if images is None and image_engine is None:
        images = existing_images(script, show, folder)
    if images is None:
        engine = image_engine or TitleCardEngine()
        images = run_coroutine(make_episode_images(script, show, folder, engine, workers=image_workers))
    stats = episode.voiced.stats
    tier_dir = render_dir(folder, episode.tier)
    package = package_episode(
        script,
        episode.voiced.clips,
        show,
        tier_dir,
        cover=images.cover,
        segment_images=images.chapter_images(tier_dir),
    )
    # A video made from the audio this render replaced would no longer match it.
    video = write_episode_video(folder, episode.tier, show) if show.youtube.video else None
    if video is None:
        remove_stale_video(folder, episode.tier)
    write_youtube_json(folder, episode.tier)
    result = RenderResult(
        tier=episode.tier,
        audio_s=stats.audio_s,
        compute_s=sum(engine.compute_s for engine in stats.engines.values()),
        load_s=sum(engine.load_s for engine in stats.engines.values()),
        chunks_total=stats.chunks_total,
        chunks_synthesized=stats.chunks_synthesized,
        chunks_cached=stats.chunks_cached,
        rtf_by_engine={
            name: rtf
            for name, engine in stats.engines.items()
            if (rtf := engine.real_time_factor) is not None
        },
        voicing_wall_s=stats.wall_s,
        package=package,
        images=images,
        folder=tier_dir,
        script_sha=episode.script_sha,
        qa=episode.voiced.qa,
        video=video,
    )
    record = _render_json(result, stats)
    runs = _read_renders(folder / "run.json")
    runs[episode.tier.value] = record
    update_run_json(folder / "run.json", {"render": record, "renders": runs})
    # Last: the manifest says the tier's folder holds a finished render of this script.
    write_render_manifest(folder, episode.tier, show, sha=episode.script_sha)
    return result


def render_record(result: RenderResult, *, cost_usd: float | None = None) -> RenderRecord:
    """The store's record of a finished render (its tier folder, files, seconds, the script it voiced)."""
    return RenderRecord(
        tier=result.tier,
        folder=str(result.folder),
        files=tuple(name for name in RENDER_FILES if (result.folder / name).is_file()),
        audio_s=result.audio_s,
        compute_s=result.compute_s,
        cost_usd=cost_usd,
        script_sha=result.script_sha,
        rendered_at=time.time(),
    )


def _read_renders(path: Path) -> dict[str, Any]:
    try:
        renders = json.loads(path.read_text(encoding="utf-8")).get("renders", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return renders if isinstance(renders, dict) else {}


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to the end from synchronous code, inside or outside a running event loop.

    ``asyncio.run`` refuses to start inside a running loop (a web app, a notebook), so the coroutine
    gets a fresh loop on a thread of its own; the caller's loop, if any, is never nested.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="coroutine") as executor:
        return executor.submit(asyncio.run, coroutine).result()


def render_episode(
    folder: Path,
    show: Show,
    tier: Tier,
    *,
    engines: Mapping[str, TTSEngine],
    cache: ChunkCache,
    script: Script | None = None,
    workers: int | None = None,
    image_engine: ImageEngine | None = None,
    image_workers: int = 4,
    on_progress: Callable[[VoicingProgress], None] | None = None,
    review: TakeReview | None = None,
) -> RenderResult:
    """Voice and package ``folder``'s episode into its tier's folder; images are made while voices speak.

    Images already in ``images/`` (from ``podwright images`` or an earlier render) are kept unless
    ``image_engine`` is given; delete the folder or run ``podwright images`` to redraw them.
    """
    if script is None:
        script, _ = load_episode(folder, show)
    kept = None if image_engine is not None else existing_images(script, show, folder)
    engine = image_engine or TitleCardEngine()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="images") as executor:
        pending_images = (
            executor.submit(
                asyncio.run, make_episode_images(script, show, folder, engine, workers=image_workers)
            )
            if kept is None
            else None
        )
        voiced = voice_episode(
            folder,
            show,
            tier,
            engines=engines,
            cache=cache,
            script=script,
            workers=workers,
            on_progress=on_progress,
            review=review,
        )
        images = kept if pending_images is None else pending_images.result()
    return finish_episode(voiced, images=images)


def _render_json(result: RenderResult, stats: VoicingStats) -> dict[str, Any]:
    package = result.package
    timings = package.timings
    return {
        "tier": result.tier.value,
        "voicing": _voicing_json(stats),
        "qa": qa_json(result.qa),
        "package": {
            "duration_s": round(package.duration_s, 3),
            "speech_s": round(package.speech_s, 3),
            "integrated_lufs": package.loudness.integrated_lufs,
            "true_peak_dbtp": package.loudness.true_peak_dbtp,
            "mix_s": round(timings.mix_s, 3),
            "master_s": round(timings.master_s, 3),
            "encode_s": round(timings.encode_s, 3),
            "measure_s": round(timings.measure_s, 3),
            "tag_s": round(timings.tag_s, 3),
            "passes": timings.passes,
            "rebuild": package.rebuild.as_json(),
        },
        "video": None
        if result.video is None
        else {
            "duration_s": round(result.video.duration_s, 3),
            "fps": result.video.fps,
            "burned_captions": result.video.burned_captions,
            "seconds": round(result.video.seconds, 3),
        },
        "images": [
            {
                "target": outcome.target,
                "engine": outcome.engine,
                "fell_back": outcome.fell_back,
                "seconds": round(outcome.seconds, 3),
            }
            for outcome in result.images.outcomes
        ],
    }


@dataclass(frozen=True, slots=True)
class ProduceResult:
    """A produced episode: its folder, the script run and the render."""

    folder: Path
    script: ScriptResult
    render: RenderResult
    prefetch: list[VoicingStats]
    """Voicing done while the LLM was still writing (segments voiced as soon as they existed)."""
    wall_s: float


async def produce_episode(
    show: Show,
    request: EpisodeRequest,
    *,
    client: LLMClient,
    out_root: Path,
    engines: Mapping[str, TTSEngine],
    cache: ChunkCache,
    sources: Sequence[SourceDoc] = (),
    workers: int | None = None,
    on_event: StageCallback | None = None,
    on_progress: Callable[[VoicingProgress], None] | None = None,
    review: TakeReview | None = None,
    web: bool = True,
    sequential: bool = False,
) -> ProduceResult:
    """Script and render one episode, voicing each segment as soon as its dialogue exists.

    With ``review``, segments voiced early are heard as they are voiced too; ``web`` and
    ``sequential`` are :func:`write_episode_script`'s.
    """
    started = time.perf_counter()
    # Before any LLM spend: a cast that cannot speak here fails in a second.
    check_cast(show, request.tier, engines)
    cast = cast_for(show, request.tier)
    voicer = ScriptVoicer(engines, cache, lexicon=show.lexicon, workers=workers, review=review)
    # One voicing thread: segments queue behind each other while the event loop keeps the LLM busy.
    prefetching: list[Future[Any]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="voicing") as executor:

        def on_segment(index: int, segment: Segment) -> None:
            prefetching.append(executor.submit(voicer.voice_segment, segment, index, cast))

        folder, script_result = await write_episode_script(
            show,
            request,
            client=client,
            out_root=out_root,
            sources=sources,
            on_event=on_event,
            on_segment=on_segment,
            web=web,
            sequential=sequential,
        )
        prefetch = [future.result() for future in await asyncio.to_thread(_wait_all, prefetching)]
    render = await asyncio.to_thread(
        render_episode,
        folder,
        show,
        request.tier,
        engines=engines,
        cache=cache,
        script=script_result.script,
        workers=workers,
        on_progress=on_progress,
        review=review,
    )
    wall_s = time.perf_counter() - started
    update_run_json(
        folder / "run.json",
        {
            "produce": {
                "wall_s": round(wall_s, 3),
                "prefetched_chunks": sum(v.stats.chunks_synthesized for v in prefetch),
                # Prefetched takes were heard as they were voiced; this is all of the QA's compute.
                "qa_compute_s": round(review.compute_s, 3) if review is not None else None,
            }
        },
    )
    return ProduceResult(
        folder=folder,
        script=script_result,
        render=render,
        prefetch=[v.stats for v in prefetch],
        wall_s=wall_s,
    )


def _wait_all(futures: Sequence[Future[Any]]) -> Sequence[Future[Any]]:
    for future in futures:
        future.exception()
    return futures
