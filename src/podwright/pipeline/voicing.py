"""Voicing a script: every turn chunked, looked up in the chunk cache, and only the misses synthesized.

The cast is checked before anything is spoken, so an unusable voice fails in a second, not after an
hour of rendering. Each synthesized chunk goes into the cache the moment it exists: a crash loses only
the chunks in flight, an edit re-synthesizes only the chunks whose text, voice or settings changed.
Engines run concurrently (one worker per engine: hibari and piper are onnxruntime sessions that release
the GIL while they compute); within an engine, chunks go in per-voice batches of the engine's
``batch_size``.

With take QA (a :class:`~podwright.pipeline.take_review.TakeReview`), every take is heard as it comes
out; a failed take is re-synthesized with another seed up to ``[qa] retakes`` times by the same engine
worker, between its other batches, and the best take is kept. Only the kept take enters the cache.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from podwright.core.errors import VoiceError
from podwright.core.speech import AudioClip, SpeechRequest, TTSEngine
from podwright.pipeline.cast import build_engines, cast_for, check_cast, sound_alike_hosts
from podwright.pipeline.retake_loop import RetakeLoop
from podwright.pipeline.take_review import QAReport, ReviewRun, Take, TakeReview
from podwright.stages.chunking import apply_lexicon, chunk_key, chunk_text
from podwright.tts.batching import plan_batches
from podwright.tts.cache import ChunkCache
from podwright.tts.registry import describe_voice

if TYPE_CHECKING:
    from podwright.core.episode import Script, Segment, Turn
    from podwright.core.show import VoiceRef

__all__ = [
    "EngineStats",
    "ScriptVoicer",
    "VoicedScript",
    "VoicingProgress",
    "VoicingStats",
    "build_engines",
    "cast_for",
    "check_cast",
    "sound_alike_hosts",
]

#: Pause between two chunks of one turn: a breath, shorter than the gap between turns.
CHUNK_PAUSE_S = 0.12


@dataclass(frozen=True, slots=True)
class VoicingProgress:
    """Where a voicing run stands: reported once after the cache lookup, then after each synthesized batch.

    With several workers the callback runs on worker threads (one call at a time).
    """

    total: int
    cached: int
    synthesized: int
    engine: str = ""
    audio_s: float = 0.0
    """Seconds of speech the chunks done so far hold (cached and synthesized)."""

    @property
    def done(self) -> int:
        """Chunks that have audio (from the cache or just synthesized)."""
        return self.cached + self.synthesized


@dataclass(frozen=True, slots=True)
class EngineStats:
    """What one engine did in a run: chunks it spoke, seconds of audio, busy and cold-start seconds."""

    chunks: int = 0
    audio_s: float = 0.0
    compute_s: float = 0.0
    load_s: float = 0.0
    retakes: int = 0
    """Takes re-synthesized because take QA failed an earlier one (their seconds are counted above)."""

    @property
    def real_time_factor(self) -> float | None:
        """Compute seconds per second of audio (lower is faster); ``None`` when nothing was synthesized."""
        return self.compute_s / self.audio_s if self.audio_s > 0 else None


@dataclass(frozen=True, slots=True)
class VoicingStats:
    """Totals of a voicing run."""

    chunks_total: int
    chunks_cached: int
    chunks_synthesized: int
    audio_s: float
    """Seconds of speech in the voiced turns (pauses between chunks included)."""
    wall_s: float
    engines: dict[str, EngineStats] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VoicedScript:
    """One clip per (segment index, turn index), at its engine's sample rate, plus the run's stats."""

    clips: dict[tuple[int, int], AudioClip]
    stats: VoicingStats
    qa: QAReport | None = None
    """Take QA of this run (``None`` when it ran without QA)."""

    def clip(self, segment_index: int, turn_index: int) -> AudioClip:
        """The audio of one turn."""
        return self.clips[(segment_index, turn_index)]


@dataclass(frozen=True, slots=True)
class _TurnPlan:
    position: tuple[int, int]
    engine: str
    keys: tuple[str, ...]
    host: str = ""


class _Tally:
    """Thread-safe counters a run updates from its engine workers."""

    def __init__(
        self,
        total: int,
        cached: int,
        on_progress: Callable[[VoicingProgress], None] | None,
        cached_audio_s: float = 0.0,
    ) -> None:
        self.total = total
        self.cached = cached
        self.cached_audio_s = cached_audio_s
        self.synthesized = 0
        self.on_progress = on_progress
        self.engines: dict[str, EngineStats] = {}
        self.lock = threading.Lock()

    def add(
        self,
        engine: str,
        clips: Sequence[AudioClip],
        compute_s: float,
        load_s: float = 0.0,
        *,
        retakes: bool = False,
    ) -> None:
        with self.lock:
            old = self.engines.get(engine, EngineStats())
            self.engines[engine] = EngineStats(
                chunks=old.chunks + (0 if retakes else len(clips)),
                audio_s=old.audio_s + sum(clip.duration_s for clip in clips),
                compute_s=old.compute_s + compute_s,
                load_s=old.load_s + load_s,
                retakes=old.retakes + (len(clips) if retakes else 0),
            )
            if retakes:
                return
            self.synthesized += len(clips)
            audio_s = self.cached_audio_s + sum(stats.audio_s for stats in self.engines.values())
            progress = VoicingProgress(self.total, self.cached, self.synthesized, engine, audio_s)
            if self.on_progress is not None and clips:
                self.on_progress(progress)


class ScriptVoicer:
    """Turns scripts into per-turn audio with the given engines, through ``cache``.

    ``workers`` is how many engines synthesize at once (default: one per engine in use, at most the
    CPU count); ``lexicon`` respells words before chunking; ``review`` turns take QA on (its owner
    closes it).
    """

    def __init__(
        self,
        engines: Mapping[str, TTSEngine],
        cache: ChunkCache,
        *,
        lexicon: Mapping[str, str],
        workers: int | None = None,
        chunk_pause_s: float = CHUNK_PAUSE_S,
        review: TakeReview | None = None,
    ) -> None:
        self.engines = dict(engines)
        self.review = review
        self.cache = cache
        self.lexicon = dict(lexicon)
        self.workers = workers
        self.chunk_pause_s = chunk_pause_s
        self._versions: dict[str, str] = {}

    def voice(
        self,
        script: Script,
        cast: Mapping[str, VoiceRef],
        *,
        on_progress: Callable[[VoicingProgress], None] | None = None,
    ) -> VoicedScript:
        """Voice every turn of ``script`` with ``cast`` (host id → voice)."""
        turns = [
            ((s, t), turn)
            for s, segment in enumerate(script.segments)
            for t, turn in enumerate(segment.turns)
        ]
        return self._voice_turns(turns, cast, on_progress)

    def voice_segment(
        self,
        segment: Segment,
        segment_index: int,
        cast: Mapping[str, VoiceRef],
        *,
        on_progress: Callable[[VoicingProgress], None] | None = None,
    ) -> VoicedScript:
        """Voice one segment as soon as its dialogue exists; clips are keyed ``(segment_index, turn)``."""
        turns = [((segment_index, t), turn) for t, turn in enumerate(segment.turns)]
        return self._voice_turns(turns, cast, on_progress)

    def chunk_keys(self, turns: Sequence[Turn], cast: Mapping[str, VoiceRef]) -> list[str]:
        """The chunk-cache keys ``turns`` would be voiced from (what is cached needs no engine)."""
        plans, _ = self._plan([((0, index), turn) for index, turn in enumerate(turns)], cast)
        return [key for plan in plans for key in plan.keys]

    # -- the steps of a run -----------------------------------------------------------------------

    def _version(self, name: str) -> str:
        # An engine states its cache identity (version plus every option that changes the audio);
        # a plugin without one is keyed by its version alone.
        if name not in self._versions:
            engine = self.engines[name]
            identity = getattr(engine, "cache_identity", None) or getattr(engine, "version", "")
            self._versions[name] = str(identity or "")
        return self._versions[name]

    def _plan(
        self, turns: Sequence[tuple[tuple[int, int], Turn]], cast: Mapping[str, VoiceRef]
    ) -> tuple[list[_TurnPlan], dict[str, SpeechRequest]]:
        """Chunk every turn; returns the turn plans and every distinct chunk by key."""
        plans: list[_TurnPlan] = []
        requests: dict[str, SpeechRequest] = {}
        checked: list[tuple[str, VoiceRef]] = []
        for position, turn in turns:
            ref = cast.get(turn.host)
            if ref is None:
                raise VoiceError(
                    f"host {turn.host!r} speaks in the script but has no voice in the cast",
                    hint="give every host a voice for this tier in the show file",
                )
            engine = self.engines.get(ref.engine)
            if engine is None:
                raise VoiceError(
                    f"host {turn.host!r} uses engine {ref.engine!r}, which this voicer was not given",
                    hint=f"available engines: {', '.join(sorted(self.engines)) or '(none)'}",
                )
            if (turn.host, ref) not in checked:
                status = describe_voice(engine, ref.voice)
                if not status.usable:
                    raise VoiceError(
                        f"host {turn.host!r} cannot speak: {ref.engine} voice {ref.voice!r} is unusable here",
                        hint=status.reason,
                    )
                checked.append((turn.host, ref))
            keys: list[str] = []
            spoken = apply_lexicon(turn.text, self.lexicon)
            for text in chunk_text(spoken, engine.max_chars) or [turn.text[: engine.max_chars]]:
                key = chunk_key(ref.engine, ref, text, engine_version=self._version(ref.engine))
                requests.setdefault(key, SpeechRequest(text=text, voice=ref, key=key))
                keys.append(key)
            plans.append(_TurnPlan(position=position, engine=ref.engine, keys=tuple(keys), host=turn.host))
        return plans, requests

    def _synthesize_engine(
        self,
        name: str,
        requests: Sequence[SpeechRequest],
        audio: dict[str, AudioClip],
        tally: _Tally,
        stop: threading.Event,
        unheard: Sequence[Take] = (),
        run: ReviewRun | None = None,
    ) -> None:
        """Speak ``requests`` with one engine, caching each batch as soon as it is done; stop when told."""
        engine = self.engines[name]
        load_s = engine.load()
        tally.add(name, [], 0.0, load_s)
        batch_size = max(1, int(getattr(engine, "batch_size", 1)))
        if run is not None:

            def speak(batch: Sequence[SpeechRequest]) -> tuple[list[AudioClip], float]:
                return self._speak(name, engine, batch)

            def spoken(clips: Sequence[AudioClip], compute_s: float, retakes: bool) -> None:
                tally.add(name, clips, compute_s, retakes=retakes)

            RetakeLoop(engine, speak, spoken, self.cache, run, audio).voice(requests, unheard, stop)
            return
        for batch in plan_batches(requests, batch_size):
            if stop.is_set():
                return
            clips, compute_s = self._speak(name, engine, batch.requests)
            for request, clip in zip(batch.requests, clips, strict=True):
                self.cache.put(request.key, clip)
                audio[request.key] = clip
            tally.add(name, clips, compute_s)

    def _speak(
        self, name: str, engine: TTSEngine, requests: Sequence[SpeechRequest]
    ) -> tuple[list[AudioClip], float]:
        started = time.perf_counter()
        clips = engine.synthesize(requests)
        compute_s = time.perf_counter() - started
        if len(clips) != len(requests):
            raise VoiceError(
                f"engine {name!r} returned {len(clips)} clips for {len(requests)} chunks",
                hint="the engine violates the TTSEngine protocol; report it to its author",
            )
        return clips, compute_s

    def _lookup(
        self, requests: Mapping[str, SpeechRequest], run: ReviewRun | None
    ) -> tuple[dict[str, AudioClip], dict[str, list[Take]]]:
        """Cached chunks by key, and (with QA) cached chunks never heard, by engine, to be heard now."""
        audio: dict[str, AudioClip] = {}
        unheard: dict[str, list[Take]] = {}
        for key, request in requests.items():
            clip = self.cache.get(key)
            if clip is None:
                continue
            if run is not None:
                heard = self.cache.hearing(key, run.review.model)
                if heard is None:
                    unheard.setdefault(request.voice.engine, []).append(
                        Take(request=request, clip=clip, number=0)
                    )
                    continue
                verdict = run.review.check(request.text, heard, clip, request.voice)
                run.keep(key, request.text, [verdict], 0, from_cache=True)
            audio[key] = clip
        return audio, unheard

    def _voice_turns(
        self,
        turns: Sequence[tuple[tuple[int, int], Turn]],
        cast: Mapping[str, VoiceRef],
        on_progress: Callable[[VoicingProgress], None] | None,
    ) -> VoicedScript:
        started = time.perf_counter()
        plans, requests = self._plan(turns, cast)
        run = None
        if self.review is not None:
            places = {key: (plan.host, *plan.position) for plan in reversed(plans) for key in plan.keys}
            run = ReviewRun(self.review, places, list(requests))
        if self.review is not None:
            self.review.fit_to(self.engines[request.voice.engine] for request in requests.values())
        audio, unheard = self._lookup(requests, run)
        waiting = {take.request.key for takes in unheard.values() for take in takes}
        missing: dict[str, list[SpeechRequest]] = {}
        for key, request in requests.items():
            if key not in audio and key not in waiting:
                missing.setdefault(request.voice.engine, []).append(request)
        cached_audio_s = sum(clip.duration_s for clip in audio.values())
        tally = _Tally(len(requests), len(audio) + len(waiting), on_progress, cached_audio_s)
        if on_progress is not None:
            on_progress(VoicingProgress(tally.total, tally.cached, 0, audio_s=cached_audio_s))
        self._run_engines(missing, audio, tally, unheard, run)
        clips = {plan.position: self._join(plan, audio) for plan in plans}
        stats = VoicingStats(
            chunks_total=len(requests),
            chunks_cached=tally.cached,
            chunks_synthesized=tally.synthesized,
            audio_s=sum(clip.duration_s for clip in clips.values()),
            wall_s=time.perf_counter() - started,
            engines=dict(tally.engines),
        )
        return VoicedScript(clips=clips, stats=stats, qa=run.report() if run is not None else None)

    def _run_engines(
        self,
        missing: Mapping[str, Sequence[SpeechRequest]],
        audio: dict[str, AudioClip],
        tally: _Tally,
        unheard: Mapping[str, Sequence[Take]] | None = None,
        run: ReviewRun | None = None,
    ) -> None:
        unheard = unheard or {}
        names = sorted(set(missing) | set(unheard))
        if not names:
            return
        stop = threading.Event()
        workers = self.workers or min(len(names), os.cpu_count() or 1)

        def work(name: str) -> None:
            self._synthesize_engine(
                name, missing.get(name, ()), audio, tally, stop, unheard.get(name, ()), run
            )

        if workers <= 1 or len(names) == 1:
            for name in names:
                work(name)
            return

        def run_one(name: str) -> None:
            try:
                work(name)
            except BaseException:
                stop.set()
                raise

        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="voicing")
        try:
            futures = [pool.submit(run_one, name) for name in names]
            for future in futures:
                future.result()
        except BaseException:
            # A failure or Ctrl-C stops the other engines after their batch in flight (already cached).
            stop.set()
            raise
        finally:
            pool.shutdown(wait=True)

    def _join(self, plan: _TurnPlan, audio: Mapping[str, AudioClip]) -> AudioClip:
        """One turn's chunks end to end, with a short pause between them."""
        parts = [audio[key] for key in plan.keys]
        rate = parts[0].sample_rate
        if any(part.sample_rate != rate for part in parts):
            raise VoiceError(
                f"turn {plan.position} mixes sample rates {sorted({p.sample_rate for p in parts})}",
                hint="clear the chunk cache for this engine; its sample rate changed",
            )
        pause = np.zeros(round(self.chunk_pause_s * rate), dtype=np.float32)
        pieces: list[np.ndarray[Any, np.dtype[np.float32]]] = []
        for index, part in enumerate(parts):
            if index:
                pieces.append(pause)
            pieces.append(np.asarray(part.samples, dtype=np.float32))
        return AudioClip(
            samples=np.concatenate(pieces),
            sample_rate=rate,
            compute_s=sum(part.compute_s for part in parts),
            meta={"engine": plan.engine, "chunks": str(len(parts))},
        )
