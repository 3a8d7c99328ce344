"""The ``hibari`` engine: a 7.9 MB offline CPU voice ("heart", female, 24 kHz), the default draft voice.

hibari ships only "heart" in its wheel; its other voices download on first use, which podwright never
triggers: they are usable only once they sit in hibari's cache. The model is an onnxruntime session
(one intra-op thread is enough for ~100x real time); the G2P front end keeps Python state, so one
engine synthesizes one chunk at a time and a script voicer gets parallelism across engines.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from podwright.core.errors import SynthesisError, VoiceError
from podwright.core.speech import AudioClip, EngineVoice, SpeechRequest
from podwright.tts.silence import limit_peak

__all__ = ["HibariEngine"]

_SAMPLE_RATE = 24_000
_DEFAULT_VOICE = "heart"
_INSTALL_HINT = "pip install hibari-tts"


class HibariEngine:
    """Speaks with hibari. Settings per voice: ``seed`` (int, default 0: deterministic) and ``speed``."""

    name = "hibari"
    sample_rate = _SAMPLE_RATE
    batch_size = 1
    shares_cpu = True
    """Synthesis runs on this machine's cores (take QA's Whisper competes with it)."""

    def __init__(self, threads: int = 1, max_chars: int = 400, peak: float = 0.9) -> None:
        self.threads = threads
        self.max_chars = max_chars
        self.peak = peak
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """The installed hibari version (part of every chunk key, so an upgrade re-renders)."""
        try:
            from importlib.metadata import version

            return version("hibari-tts")
        except Exception:
            return ""

    @property
    def cache_identity(self) -> str:
        """Everything of this engine that changes its audio: the version and the peak limit."""
        return f"hibari {self.version}; peak={self.peak!r}"

    timbre_settings: frozenset[str] = frozenset()
    """Voice settings that make one voice sound like another person: none (``seed`` and ``speed``
    change the take and the pace, not who is speaking)."""

    def load(self) -> float:
        """Load the default voice's model and warm it up; returns the seconds it took."""
        with self._lock:
            if _DEFAULT_VOICE in self._models:
                return 0.0
            started = time.perf_counter()
            model = self._model(_DEFAULT_VOICE)
            model("Ready.", seed=0)
            return time.perf_counter() - started

    def _model(self, voice: str) -> Any:
        """The loaded model for ``voice``; call with the lock held."""
        if voice in self._models:
            return self._models[voice]
        status = self.voice_status(voice)
        if not status.usable:
            raise VoiceError(f"hibari voice {voice!r} is not usable: {status.reason}", hint=status.reason)
        try:
            from hibari import Hibari
            from hibari.voices import voice_path

            model = Hibari(voice=voice, model=voice_path(voice, download_missing=False), threads=self.threads)
        except (ImportError, OSError, ValueError, RuntimeError) as exc:
            raise VoiceError(f"hibari could not load voice {voice!r}: {exc}", hint=_INSTALL_HINT) from exc
        self._models[voice] = model
        return model

    def voice_status(self, voice: str) -> EngineVoice:
        """Whether ``voice`` can be spoken here without downloading anything, and if not, why."""
        if importlib.util.find_spec("hibari") is None:
            return EngineVoice(
                engine=self.name,
                voice=voice,
                usable=False,
                reason=f"hibari-tts is not installed; {_INSTALL_HINT}",
            )
        from hibari.voices import VOICES, voice_path

        if voice not in VOICES:
            return EngineVoice(
                engine=self.name,
                voice=voice,
                usable=False,
                reason=f"unknown hibari voice; choose one of {', '.join(VOICES)}",
            )
        info = VOICES[voice]
        description = f"{info['language']} {info['gender']} ({info['accent']})"
        # Every hibari voice is a Kokoro English voice; its table names the variant (en-US, en-GB).
        languages = (str(info.get("language") or "en"),)
        try:
            voice_path(voice, download_missing=False)
        except FileNotFoundError as exc:
            return EngineVoice(
                engine=self.name,
                voice=voice,
                description=description,
                usable=False,
                reason=f"not on this machine (needs a download); place {info['file']} at {exc.args[0]} "
                "or use 'heart', which ships in the package",
                languages=languages,
            )
        return EngineVoice(engine=self.name, voice=voice, description=description, languages=languages)

    def voices(self) -> list[EngineVoice]:
        """Every hibari voice, usable only when its model is already on disk."""
        if importlib.util.find_spec("hibari") is None:
            return [self.voice_status(_DEFAULT_VOICE)]
        from hibari.voices import VOICES

        return [self.voice_status(voice) for voice in VOICES]

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[AudioClip]:
        """Speak each request in order; same text, voice and seed give the same samples."""
        clips: list[AudioClip] = []
        for request in requests:
            settings = request.voice.settings
            seed = int(settings.get("seed", 0))
            speed = float(settings.get("speed", 1.0))
            with self._lock:
                model = self._model(request.voice.voice)
                started = time.perf_counter()
                try:
                    samples = model(request.text, speed=speed, seed=seed)
                except Exception as exc:
                    raise SynthesisError(
                        f"hibari failed on {request.text[:60]!r}: {exc}",
                        hint="simplify unusual symbols in this line, or report the text to hibari",
                    ) from exc
                compute_s = time.perf_counter() - started
            samples = limit_peak(np.asarray(samples, dtype=np.float32), self.peak)
            clips.append(AudioClip(samples=samples, sample_rate=self.sample_rate, compute_s=compute_s))
        return clips
