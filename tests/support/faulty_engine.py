"""A TTSEngine that wraps a real one and injects the faults GPU voices are known for into chosen chunks.

Public for take-QA tests and the ``qa`` benchmark::

    engine = FaultyEngine(create_engine("hibari"), faults={"Some line.": Fault.TRUNCATION})
    engine = FaultyEngine(inner, faults=..., stubborn={"Some line."})   # faulty whatever the seed

A fault hits a chunk only on its first take (the voice's own seed) unless the text is ``stubborn``: a
retake asks for another ``seed`` and gets the inner engine's clean audio, as a sampling voice would. A
stubborn line is spoiled on every take, differently for each seed where the fault adds noise.
The faults work on the inner engine's real audio:

- ``truncation``: the take stops at 45% of its length (a sentence cut off);
- ``repetition``: a stretch of ~1.2 s from the middle is spoken three times (a looping voice);
- ``trailing_noise``: 2 s of breathy noise after the words (a voice that breathes on);
- ``silence``: the words are replaced by near silence (an empty take);
- ``garble``: the take is played backwards (speech-like sound, no words).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum

import numpy as np

from podwright.core.speech import AudioClip, EngineVoice, SpeechRequest, TTSEngine

__all__ = ["FAULTS", "Fault", "FaultyEngine", "inject"]


class Fault(StrEnum):
    """A kind of bad take."""

    TRUNCATION = "truncation"
    REPETITION = "repetition"
    TRAILING_NOISE = "trailing_noise"
    SILENCE = "silence"
    GARBLE = "garble"


FAULTS = tuple(Fault)


def inject(fault: Fault, samples: np.ndarray, rate: int, *, seed: int = 0) -> np.ndarray:
    """``samples`` with ``fault`` applied (a new array, float32)."""
    samples = np.asarray(samples, dtype=np.float32)
    rng = np.random.default_rng(seed)
    if fault is Fault.TRUNCATION:
        return samples[: int(len(samples) * 0.45)].copy()
    if fault is Fault.REPETITION:
        span = min(int(1.2 * rate), len(samples) // 2)
        start = max(0, len(samples) // 2 - span // 2)
        loop = samples[start : start + span]
        return np.concatenate([samples[: start + span], loop, loop, samples[start + span :]])
    if fault is Fault.TRAILING_NOISE:
        length = int(2.0 * rate)
        envelope = np.sin(np.linspace(0, np.pi, length)) ** 0.5
        noise = rng.normal(0.0, 0.06, length).astype(np.float32) * envelope.astype(np.float32)
        return np.concatenate([samples, noise.astype(np.float32)])
    if fault is Fault.SILENCE:
        return rng.normal(0.0, 1e-4, len(samples)).astype(np.float32)
    if fault is Fault.GARBLE:
        return samples[::-1].copy()
    raise ValueError(fault)


class FaultyEngine:
    """``inner`` with ``faults`` (chunk text → fault) injected; records each take it made in ``takes``."""

    def __init__(
        self,
        inner: TTSEngine,
        faults: Mapping[str, Fault],
        *,
        stubborn: Collection[str] = (),
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.sample_rate = inner.sample_rate
        self.max_chars = inner.max_chars
        self.faults = dict(faults)
        self.stubborn = set(stubborn)
        self.takes: list[tuple[str, object, Fault | None]] = []
        """(text, the seed asked for, the fault injected) of every take, in order."""
        self._first_seeds: dict[str, object] = {}
        self._lock = threading.Lock()

    @property
    def cache_identity(self) -> str:
        """The inner engine's: a faulty take is cached under the clean chunk's key, as a bad take of a
        real voice would be (with QA on, only accepted takes reach the cache)."""
        return str(getattr(self.inner, "cache_identity", None) or getattr(self.inner, "version", ""))

    def load(self) -> float:
        """Load the inner engine."""
        return self.inner.load()

    def voices(self) -> list[EngineVoice]:
        """The inner engine's voices."""
        return self.inner.voices()

    def voice_status(self, voice: str) -> EngineVoice:
        """The inner engine's view of ``voice``."""
        status = getattr(self.inner, "voice_status", None)
        return status(voice) if status else EngineVoice(engine=self.name, voice=voice)

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[AudioClip]:
        """Speak with the inner engine, then spoil the takes whose text and seed call for a fault."""
        clips = self.inner.synthesize(requests)
        spoiled: list[AudioClip] = []
        for request, clip in zip(requests, clips, strict=True):
            seed = request.voice.settings.get("seed")
            with self._lock:
                first = self._first_seeds.setdefault(request.text, seed)
            fault = self.faults.get(request.text)
            if fault is not None and (seed == first or request.text in self.stubborn):
                # A stubborn line's noise follows the seed, as a sampling voice's would: each take differs.
                noise_seed = len(request.text) + (seed if isinstance(seed, int) else 0)
                samples = inject(fault, clip.samples, clip.sample_rate, seed=noise_seed)
                clip = AudioClip(samples=samples, sample_rate=clip.sample_rate, compute_s=clip.compute_s)
            else:
                fault = None
            with self._lock:
                self.takes.append((request.text, seed, fault))
            spoiled.append(clip)
        return spoiled
