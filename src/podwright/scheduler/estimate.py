"""Render-time estimates: audio seconds from words, compute seconds from a calibrated real-time factor.

audio seconds = words ÷ the voice's measured words per second; compute seconds = audio seconds × the
renderer's measured real-time factor on this device. Both come from finished renders (pooled over the
latest samples, so one outlier moves them little); before any render, from defaults. Before a script
exists, audio seconds come from the requested minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podwright.core.jobs import JobRecord

__all__ = ["Calibration", "audio_s_from_minutes", "calibration_key", "estimate_job"]

#: 150 words per minute, the usual conversational rate, until a render measures the real one.
DEFAULT_WORDS_PER_S = 2.5
#: A CPU draft voice runs ~20x faster than real time; a final GPU voice is set per device.
DEFAULT_RTF = 0.05


def calibration_key(tier: str, device: str) -> str:
    """The key calibration samples are kept under: one per tier (cast) and device."""
    return f"{tier}@{device}"


@dataclass(frozen=True, slots=True)
class Calibration:
    """Measured speaking rate and real-time factor of one renderer on one device."""

    words_per_s: float = DEFAULT_WORDS_PER_S
    rtf: float = DEFAULT_RTF
    """Compute seconds per audio second."""
    samples: int = 0

    @classmethod
    def from_samples(
        cls, samples: Sequence[tuple[int, float, float]], *, default_rtf: float = DEFAULT_RTF
    ) -> Calibration:
        """Pool ``(words, audio_s, compute_s)`` samples; ratios of sums weight long renders more."""
        words = sum(s[0] for s in samples)
        audio = sum(s[1] for s in samples)
        compute = sum(s[2] for s in samples)
        if audio <= 0:
            return cls(rtf=default_rtf)
        return cls(
            words_per_s=words / audio if words > 0 else DEFAULT_WORDS_PER_S,
            rtf=compute / audio,
            samples=len(samples),
        )

    def audio_s_from_words(self, words: int) -> float:
        """Expected audio seconds of a script of ``words`` spoken words."""
        return words / self.words_per_s

    def compute_s(self, audio_s: float) -> float:
        """Expected synthesis seconds for ``audio_s`` of audio."""
        return audio_s * self.rtf


def audio_s_from_minutes(target_minutes: float) -> float:
    """Before a script exists, the producer's target length is the best guess."""
    return target_minutes * 60.0


def estimate_job(job: JobRecord, calibration: Calibration) -> tuple[float, float]:
    """``(audio_s, compute_s)`` of ``job``: from its words once scripted, else from its target minutes."""
    if job.word_count:
        audio_s = calibration.audio_s_from_words(job.word_count)
    else:
        audio_s = audio_s_from_minutes(job.target_minutes)
    return audio_s, calibration.compute_s(audio_s)
