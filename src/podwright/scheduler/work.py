"""What a worker needs from the rest of podwright: a scripter and an episode renderer.

The scheduler codes against the two protocols here; :class:`PipelineScripter` and
:class:`PipelineRenderer` adapt the real episode pipeline and TTS engines, imported only when first
used so the queue works (and is tested) with fast fakes and without any model installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from podwright.core import ConfigError, EpisodeRequest, Script, Show, Tier
from podwright.core.jobs import JobRecord
from podwright.core.lifecycle import RenderRecord
from podwright.scheduler.planner import render_cost

if TYPE_CHECKING:
    from podwright.core import LLMClient, TTSEngine
    from podwright.pipeline.take_review import TakeReview

__all__ = [
    "EngineFactory",
    "EpisodeRenderer",
    "PipelineRenderer",
    "PipelineScripter",
    "RenderOutcome",
    "ScriptOutcome",
    "Scripter",
    "load_object",
    "pipeline_renderer",
]


@dataclass(frozen=True, slots=True)
class RenderOutcome:
    """What rendering one episode produced and cost."""

    audio_s: float
    compute_s: float
    """Active synthesis seconds: wall time the engines were speaking (engines that speak at once count
    once, so active never exceeds billed), without engine loads."""
    chunks_synthesized: int = 0
    chunks_cached: int = 0
    load_s: float = 0.0
    """Engine-loading seconds this episode caused (an engine the session had not loaded yet)."""
    render: RenderRecord | None = None
    """The finished render, for the episode record (``None`` from renderers that keep no files)."""
    finish: Callable[[], RenderRecord | None] | None = None
    """Engine-free tail work (mix, master, encode); the session runs it while the next episode speaks.
    It returns the finished render for the episode record."""


@dataclass(frozen=True, slots=True)
class ScriptOutcome:
    """A staged script: its episode folder and spoken word count."""

    episode_dir: str
    word_count: int
    title: str | None = None
    """The script's title, for the episode record (``None`` from scripters that keep no record)."""
    script_sha: str | None = None
    """sha256 of the staged ``script.json``."""


@runtime_checkable
class EpisodeRenderer(Protocol):
    """What a render session needs: load the engine(s) once, then render episodes back to back."""

    device: str
    """Where it renders (``cpu``, or a GPU name from the price table); part of the calibration key."""

    def load(self) -> float:
        """Load engines and warm up; returns the seconds it took (the session's cold start)."""
        ...

    def render(self, job: JobRecord) -> RenderOutcome:
        """Render the staged script of ``job`` at ``job.render_tier``; raise a PodwrightError on failure."""
        ...


@runtime_checkable
class Scripter(Protocol):
    """Writes the script of a queued job (LLM work, independent of rendering)."""

    def write(self, job: JobRecord) -> ScriptOutcome:
        """Write and stage the script of ``job``."""
        ...


class EngineFactory(Protocol):
    """Builds an unloaded TTS engine by name with its construction options (``create_engine`` is one)."""

    def __call__(self, name: str, **options: Any) -> TTSEngine:
        """The engine registered as ``name``, built with ``options``."""
        ...


# A warm engine's identity: its name and its options, frozen (values by repr, so 1 and True differ).
_EngineKey = tuple[str, tuple[tuple[str, str], ...]]


def _engine_key(name: str, options: Mapping[str, Any]) -> _EngineKey:
    return name, tuple(sorted((option, repr(value)) for option, value in options.items()))


class PipelineScripter:
    """The real script phase: sources ingested, the show's client, the script pipeline, staged files.

    ``show_loader`` reads a job's show file and ``client_factory`` opens the show's LLM client (with
    its key and ledger); both come from the interface layer, which owns files and secrets.
    """

    def __init__(
        self,
        out_root: Path,
        *,
        show_loader: Callable[[Path], Show],
        client_factory: Callable[[Show], AbstractAsyncContextManager[LLMClient]],
        in_order: Callable[[Show], bool] = lambda show: False,
    ) -> None:
        self.out_root = out_root
        self.show_loader = show_loader
        self.client_factory = client_factory
        self.in_order = in_order
        """Whether a show's client answers one call at a time (the embedded model), so its body
        segments are written one after another, each told what the earlier ones said."""

    def write(self, job: JobRecord) -> ScriptOutcome:
        """Write the script; its word count comes from the validated script."""
        from podwright.pipeline.episode import write_episode_script
        from podwright.pipeline.renders import script_sha
        from podwright.sources.ingest import ingest_all

        show = self.show_loader(Path(job.show_path))
        request = EpisodeRequest.model_validate_json(job.request_json)
        docs = ingest_all(request.sources)

        async def write() -> tuple[Path, Script]:
            async with self.client_factory(show) as client:
                folder, result = await write_episode_script(
                    show,
                    request,
                    client=client,
                    out_root=self.out_root,
                    sources=docs,
                    sequential=self.in_order(show),
                )
            return folder, result.script

        folder, script = asyncio.run(write())
        return ScriptOutcome(
            episode_dir=str(folder.resolve()),
            word_count=script.word_count,
            title=script.title,
            script_sha=script_sha(folder),
        )


class PipelineRenderer:
    """The real render phase: engines from the registry, loaded once, and the chunk cache.

    Engines stay warm for the session keyed by name *and* options: two shows that set the same
    ``[engines.NAME]`` options share one loaded instance, two that differ get one each.
    """

    def __init__(
        self,
        show_loader: Callable[[Path], Show] | None,
        cache_dir: Path,
        *,
        device: str = "cpu",
        preload: tuple[str, ...] = (),
        engine_factory: EngineFactory | None = None,
        engine_options: Callable[[Show], Mapping[str, Mapping[str, Any]]] | None = None,
        overlap_packaging: bool = False,
        take_review: Callable[[Show, Tier], TakeReview | None] | None = None,
    ) -> None:
        self.show_loader = show_loader
        """Reads the job's show file; ``None`` uses the show snapshot the script phase left in the folder."""
        self.cache_dir = cache_dir
        self.device = device
        self.preload = preload
        self.engine_factory = engine_factory
        """Makes an engine by name and options; the entry-point registry when ``None``."""
        self.engine_options = engine_options
        """A show's per-engine options, secrets resolved (the interface layer owns the environment);
        ``None`` builds every engine with its defaults."""
        self.overlap_packaging = overlap_packaging
        """Hand mixing/encoding to the session's tail thread so the engine never waits on ffmpeg."""
        self.take_review = take_review
        """The take QA a render of a show's tier runs with (``None``: renders are not checked)."""
        self._engines: dict[_EngineKey, TTSEngine] = {}
        self._cache: Any = None

    def load(self) -> float:
        """Load the engines named in ``preload`` (the session's cold start)."""
        seconds, _ = self._ensure(self.preload, {})
        return seconds

    def render(self, job: JobRecord) -> RenderOutcome:
        """Render one episode through ``podwright.pipeline.episode.render_episode``."""
        from podwright.pipeline.episode import load_episode, render_episode, render_record
        from podwright.tts.cache import ChunkCache

        if job.episode_dir is None:
            raise ConfigError(
                f"job {job.id!r} has no staged script", hint="let the script phase finish first"
            )
        if self.show_loader is not None:
            show = self.show_loader(Path(job.show_path))
        else:
            _, show = load_episode(Path(job.episode_dir))
        tier: Tier = job.render_tier
        options = self.engine_options(show) if self.engine_options is not None else {}
        load_s, engines = self._ensure(tuple(host.voices[tier].engine for host in show.hosts), options)
        if self._cache is None:
            self._cache = ChunkCache(self.cache_dir)
        folder = Path(job.episode_dir)
        review = self.take_review(show, tier) if self.take_review is not None else None
        if self.overlap_packaging:
            return self._voice_then_package(folder, show, tier, engines, load_s, review)
        with review or contextlib.nullcontext():
            result = render_episode(folder, show, tier, engines=engines, cache=self._cache, review=review)
        return RenderOutcome(
            audio_s=float(result.audio_s),
            compute_s=max(0.0, result.voicing_wall_s - result.load_s),
            chunks_synthesized=int(result.chunks_synthesized),
            chunks_cached=int(result.chunks_cached),
            load_s=load_s + float(result.load_s),
            render=render_record(result, cost_usd=render_cost(result.compute_s, self.device)),
        )

    def _voice_then_package(
        self,
        folder: Path,
        show: Show,
        tier: Tier,
        engines: dict[str, TTSEngine],
        load_s: float,
        review: TakeReview | None = None,
    ) -> RenderOutcome:
        from podwright.pipeline.episode import finish_episode, render_record, voice_episode

        with review or contextlib.nullcontext():
            voiced = voice_episode(folder, show, tier, engines=engines, cache=self._cache, review=review)
        stats = voiced.voiced.stats

        def finish() -> RenderRecord:
            # Images, mixing, mastering and encoding need no engine: they run beside the next voicing.
            done = finish_episode(voiced)
            return render_record(done, cost_usd=render_cost(done.compute_s, self.device))

        return RenderOutcome(
            audio_s=float(stats.audio_s),
            compute_s=max(0.0, stats.wall_s - sum(engine.load_s for engine in stats.engines.values())),
            chunks_synthesized=stats.chunks_synthesized,
            chunks_cached=stats.chunks_cached,
            load_s=load_s + sum(engine.load_s for engine in stats.engines.values()),
            finish=finish,
        )

    def _ensure(
        self, names: tuple[str, ...], options: Mapping[str, Mapping[str, Any]]
    ) -> tuple[float, dict[str, TTSEngine]]:
        """Warm engines for ``names`` with their ``options``: seconds spent loading, and name → engine."""
        from podwright.tts.registry import create_engine

        factory: EngineFactory = self.engine_factory or create_engine
        seconds = 0.0
        chosen: dict[str, TTSEngine] = {}
        for name in names:
            own = options.get(name, {})
            key = _engine_key(name, own)
            if key not in self._engines:
                engine = factory(name, **own)
                seconds += engine.load()
                self._engines[key] = engine
            chosen[name] = self._engines[key]
        return seconds, chosen


def pipeline_renderer(
    cache_dir: str, device: str = "cpu", preload: str = "", overlap: str = "false"
) -> PipelineRenderer:
    """A :class:`PipelineRenderer` from string options (``--renderer-option``), using show snapshots.

    ``preload`` is a comma-separated list of engine names loaded at the session's start; ``overlap``
    (``true``/``false``) packages each episode beside the next one's synthesis. Engines are built
    with their defaults: ``[engines.NAME]`` options need secrets resolved, which only the CLI does.
    """
    names = tuple(name.strip() for name in preload.split(",") if name.strip())
    return PipelineRenderer(
        None, Path(cache_dir), device=device, preload=names, overlap_packaging=overlap.lower() == "true"
    )


def load_object(spec: str) -> Any:
    """Import ``module:attribute`` (how ``--renderer`` / ``--scripter`` name a plug-in factory)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigError(
            f"{spec!r} is not of the form module:attribute", hint="e.g. mypkg.render:make_renderer"
        )
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot import {spec!r} ({exc})", hint="check the module is on the path") from exc
