"""A deterministic sine-tone TTSEngine for fast tests: no model, audio length proportional to text length.

Public for every area's tests::

    from tests.support.tone_engine import ToneEngine
    engine = ToneEngine()                       # name "tone", 16 kHz, max_chars 120
    engine.calls                                # every text it synthesized, in order

The pitch comes from the voice id (and its ``pitch`` setting), the duration from the text (60 ms per
character), so different chunks give different, reproducible audio.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

import numpy as np

from podwright.core.errors import SynthesisError
from podwright.core.speech import AudioClip, EngineVoice, SpeechRequest

__all__ = ["FailingAfter", "ToneEngine"]


class ToneEngine:
    """Speaks a sine tone per chunk; records every call (``calls``, ``batches``, ``loads``)."""

    def __init__(
        self,
        name: str = "tone",
        sample_rate: int = 16_000,
        max_chars: int = 120,
        batch_size: int = 1,
        seconds_per_char: float = 0.06,
        voices: Sequence[str] = ("low", "high"),
        unusable: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.sample_rate = sample_rate
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.seconds_per_char = seconds_per_char
        self.version = "1"
        self._voices = tuple(voices)
        self._unusable = frozenset(unusable)
        self.calls: list[str] = []
        self.batches: list[list[str]] = []
        self.loads = 0
        self._lock = threading.Lock()

    def load(self) -> float:
        """Nothing to load; counts calls."""
        with self._lock:
            self.loads += 1
        return 0.0

    def voices(self) -> list[EngineVoice]:
        """The configured voices; those listed as unusable say why."""
        return [
            EngineVoice(
                engine=self.name,
                voice=voice,
                description="sine tone",
                usable=voice not in self._unusable,
                reason="switched off for this test; use another voice" if voice in self._unusable else "",
            )
            for voice in self._voices
        ]

    def tone(self, request: SpeechRequest) -> np.ndarray:
        """The samples this engine returns for ``request``."""
        digest = hashlib.sha256(request.voice.voice.encode()).digest()
        pitch = float(request.voice.settings.get("pitch", 200 + digest[0]))
        length = max(1, round(len(request.text) * self.seconds_per_char * self.sample_rate))
        t = np.arange(length, dtype=np.float64) / self.sample_rate
        return (0.3 * np.sin(2 * np.pi * pitch * t)).astype(np.float32)

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[AudioClip]:
        """One tone per request, in order."""
        with self._lock:
            self.batches.append([request.text for request in requests])
            self.calls.extend(request.text for request in requests)
        return [
            AudioClip(samples=self.tone(r), sample_rate=self.sample_rate, compute_s=0.001) for r in requests
        ]


class FailingAfter:
    """Wraps an engine and raises :class:`SynthesisError` once ``limit`` chunks have been spoken (a crash)."""

    def __init__(self, inner: ToneEngine, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self.spoken = 0
        self.name = inner.name
        self.sample_rate = inner.sample_rate
        self.max_chars = inner.max_chars
        self.batch_size = inner.batch_size
        self.version = inner.version

    def load(self) -> float:
        """Load the inner engine."""
        return self.inner.load()

    def voices(self) -> list[EngineVoice]:
        """The inner engine's voices."""
        return self.inner.voices()

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[AudioClip]:
        """Speak through the inner engine until ``limit`` chunks are done, then fail."""
        if self.spoken + len(requests) > self.limit:
            raise SynthesisError("simulated crash", hint="run again; finished chunks are cached")
        self.spoken += len(requests)
        return self.inner.synthesize(requests)
