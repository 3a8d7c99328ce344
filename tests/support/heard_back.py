"""A speech checker for fast take-QA tests: it hears the text an engine said for exactly those samples.

Public for every area's tests::

    checker = TranscriptChecker()
    engine = Transcribed(ToneEngine(), checker)          # every clip it makes is heard as its text
    engine = FaultyEngine(Transcribed(...), faults=...)   # spoiled takes are heard as nothing

Samples the checker never saw (a take spoiled after synthesis) are heard as an empty string, as
Whisper hears nothing in silence or noise. ``fail_with`` makes every ``hear`` raise (a broken model).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

import numpy as np

from podwright.core.speech import AudioClip, EngineVoice, SpeechRequest, TTSEngine

__all__ = ["Transcribed", "TranscriptChecker"]


def _digest(samples: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(samples, dtype=np.float32).tobytes()).hexdigest()


class TranscriptChecker:
    """A ``SpeechChecker`` that knows what each registered clip says; counts ``calls`` and ``heard``."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.said: dict[str, str] = {}
        self.calls = 0
        self.heard = 0
        self.loads = 0
        self.fail_with = fail_with
        self._lock = threading.Lock()

    def register(self, clip: AudioClip, text: str) -> None:
        """Remember that ``clip``'s samples say ``text``."""
        with self._lock:
            self.said[_digest(clip.samples)] = text

    def load(self) -> float:
        """Nothing to load; counts calls."""
        self.loads += 1
        return 0.0

    def hear(self, clips: Sequence[AudioClip]) -> list[str]:
        """The registered text of each clip ("" for samples never registered)."""
        if self.fail_with is not None:
            raise self.fail_with
        with self._lock:
            self.calls += 1
            self.heard += len(clips)
            return [self.said.get(_digest(clip.samples), "") for clip in clips]


class Transcribed:
    """``inner`` whose every clip is registered with ``checker`` as saying its request's text."""

    def __init__(self, inner: TTSEngine, checker: TranscriptChecker) -> None:
        self.inner = inner
        self.checker = checker
        self.name = inner.name
        self.sample_rate = inner.sample_rate
        self.max_chars = inner.max_chars
        self.version = getattr(inner, "version", "")

    def load(self) -> float:
        """Load the inner engine."""
        return self.inner.load()

    def voices(self) -> list[EngineVoice]:
        """The inner engine's voices."""
        return self.inner.voices()

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[AudioClip]:
        """Speak with the inner engine and register what each clip says."""
        clips = self.inner.synthesize(requests)
        for request, clip in zip(requests, clips, strict=True):
            self.checker.register(clip, request.text)
        return clips
