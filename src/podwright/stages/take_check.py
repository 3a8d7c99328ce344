"""Take QA's verdict on one synthesized chunk: pure functions of its text, what Whisper heard and its samples.

A take fails when its words are wrong (word errors after normalization beyond what the show allows,
and letters wrong too, so a word heard split in two is not a failure),
when it is too long or too short for its words or for the voice's own pace (a voice that loops or
breathes on, or one cut off),
when it holds a long silence, when it ends in noise (sound without a voice's harmonics), or when it
clips. :func:`best_take` picks the take to keep when none passes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from podwright.core.model import Record
from podwright.stages.words import character_error_rate, normalize_words, word_errors

if TYPE_CHECKING:
    import numpy.typing as npt

    from podwright.core.show import QASettings

__all__ = [
    "SignalFacts",
    "TakeProblem",
    "TakeVerdict",
    "allowed_word_errors",
    "best_take",
    "check_take",
    "letters",
    "measure_signal",
]

_FRAME_S = 0.032
_SILENT_DBFS = -45.0
"""A frame this far below full scale is silence (TTS engines normalize their peaks near full scale)."""
_NOISE_FLATNESS = 0.3
"""Spectral flatness above which a sounding frame is noise: voiced speech is harmonic (low flatness);
hiss, breath and static are flat. Fricatives are flat too, but last well under a noise tail."""


class TakeProblem(StrEnum):
    """Why a take failed."""

    WORDS = "words"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    SILENCE = "silence"
    NOISE = "noise"
    CLIPPED = "clipped"


class SignalFacts(Record):
    """What the samples of a take show, without listening to the words."""

    duration_s: float
    longest_silence_s: float
    """Longest run of silent frames, at the edges included (a take that is all silence counts whole)."""
    noise_tail_s: float
    """Seconds of noise-like sound at the end, after the last voiced frame (trailing silence skipped)."""
    clipped_share: float
    """Share of samples at full scale."""


class TakeVerdict(Record):
    """QA's verdict on one take."""

    heard: str
    """What Whisper heard."""
    words: int
    """Words in the chunk's text, after normalization."""
    word_errors: int
    char_error_rate: float = 0.0
    """Edit distance over the letters (spaces dropped) per letter of the text."""
    duration_s: float
    problems: tuple[TakeProblem, ...] = ()
    facts: SignalFacts

    @property
    def passed(self) -> bool:
        """True when the take has no problem."""
        return not self.problems

    @property
    def error_rate(self) -> float:
        """Word errors per word of the text (1.0 for a text without words that was heard as words)."""
        return self.word_errors / self.words if self.words else float(self.word_errors > 0)


def _frames(samples: npt.NDArray[np.float32], rate: int) -> npt.NDArray[np.float32]:
    size = max(1, round(_FRAME_S * rate))
    count = len(samples) // size
    return np.asarray(samples[: count * size], dtype=np.float32).reshape(count, size)


def _longest_run(mask: npt.NDArray[np.bool_]) -> int:
    longest = current = 0
    for flag in mask.tolist():
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def measure_signal(samples: npt.NDArray[np.float32], rate: int) -> SignalFacts:
    """Silence, trailing noise and clipping of a mono take at ``rate``."""
    samples = np.asarray(samples, dtype=np.float32)
    duration = len(samples) / rate if rate else 0.0
    frames = _frames(samples, rate)
    if not len(frames):
        return SignalFacts(
            duration_s=duration, longest_silence_s=duration, noise_tail_s=0.0, clipped_share=0.0
        )
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    silent = 20 * np.log10(np.maximum(rms, 1e-10)) < _SILENT_DBFS
    power = np.square(np.abs(np.fft.rfft(frames * np.hanning(frames.shape[1]), axis=1)))[:, 1:] + 1e-12
    flatness = np.exp(np.mean(np.log(power), axis=1)) / np.mean(power, axis=1)
    noisy = ~silent & (flatness > _NOISE_FLATNESS)
    tail = 0
    index = len(frames) - 1
    while index >= 0 and silent[index]:
        index -= 1
    while index >= 0 and noisy[index]:
        tail += 1
        index -= 1
    frame_s = frames.shape[1] / rate
    return SignalFacts(
        duration_s=round(duration, 3),
        longest_silence_s=round(_longest_run(silent) * frame_s, 3),
        noise_tail_s=round(tail * frame_s, 3),
        clipped_share=float(np.mean(np.abs(samples) >= 0.999)) if len(samples) else 0.0,
    )


def allowed_word_errors(words: int, settings: QASettings) -> int:
    """How many word errors a chunk of ``words`` words may have and still pass."""
    return max(settings.min_word_errors, math.floor(settings.max_word_error_rate * words + 1e-9))


def letters(text: str) -> int:
    """Letters of ``text`` as spoken (normalized words, spaces dropped): what a take's length follows."""
    return len("".join(normalize_words(text)))


def check_take(
    text: str,
    heard: str,
    samples: npt.NDArray[np.float32],
    rate: int,
    settings: QASettings,
    *,
    pace_s_per_letter: float | None = None,
) -> TakeVerdict:
    """The verdict on one take of ``text``: what was heard, and what its samples show.

    ``pace_s_per_letter`` is the voice's usual seconds per letter, when known: a take much longer
    than that pace explains is too long even under the per-word limit.
    """
    words = len(normalize_words(text))
    errors = word_errors(text, heard)
    letter_errors = character_error_rate(text, heard)
    facts = measure_signal(samples, rate)
    problems: list[TakeProblem] = []
    # Both must be over: Whisper splits and respells words ("sand bar", "in and load") on clean takes.
    if errors > allowed_word_errors(words, settings) and letter_errors > settings.max_char_error_rate:
        problems.append(TakeProblem.WORDS)
    too_long = facts.duration_s > settings.long_base_s + settings.long_per_word_s * words
    if pace_s_per_letter is not None:
        expected = pace_s_per_letter * letters(text)
        too_long |= facts.duration_s > settings.max_pace_ratio * expected + settings.pace_slack_s
    if too_long:
        problems.append(TakeProblem.TOO_LONG)
    if facts.duration_s < settings.short_per_word_s * words:
        problems.append(TakeProblem.TOO_SHORT)
    if facts.longest_silence_s > settings.max_silence_s:
        problems.append(TakeProblem.SILENCE)
    if facts.noise_tail_s > settings.max_noise_tail_s:
        problems.append(TakeProblem.NOISE)
    if facts.clipped_share > settings.max_clipped_share:
        problems.append(TakeProblem.CLIPPED)
    return TakeVerdict(
        heard=heard,
        words=words,
        word_errors=errors,
        char_error_rate=round(letter_errors, 4),
        duration_s=facts.duration_s,
        problems=tuple(problems),
        facts=facts,
    )


def best_take(verdicts: Sequence[TakeVerdict]) -> int:
    """The index of the take to keep: the first that passed, else the one with fewest problems and errors."""
    if not verdicts:
        raise ValueError("best_take needs at least one verdict")
    return min(
        range(len(verdicts)),
        key=lambda i: (not verdicts[i].passed, len(verdicts[i].problems), verdicts[i].error_rate, i),
    )
