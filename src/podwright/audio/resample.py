"""Sample-rate conversion: every clip reaches the mix at the show's rate.

Engines speak at their own rate (hibari 24 kHz, piper 22.05 kHz); the mix runs at one rate
(44.1 kHz by default). Conversion is polyphase FIR filtering (``scipy.signal.resample_poly``,
Kaiser window β=5): exact rational ratios (24000→44100 is 147/80), linear phase, stop-band well
below the noise floor of speech, and fast enough for an hour of audio in seconds.
"""

from __future__ import annotations

from math import gcd

import numpy as np
import numpy.typing as npt

from podwright.core.errors import AudioError

__all__ = ["resample", "resampled_length"]


def resample(samples: npt.NDArray[np.floating], from_rate: int, to_rate: int) -> npt.NDArray[np.float32]:
    """``samples`` (mono) converted from ``from_rate`` to ``to_rate`` Hz, as float32.

    The output has ``ceil(len * to_rate / from_rate)`` samples, so a clip keeps its duration.
    """
    if from_rate <= 0 or to_rate <= 0:
        raise AudioError(
            f"cannot resample from {from_rate} Hz to {to_rate} Hz",
            hint="sample rates must be positive; check the engine's and the show's sample_rate",
        )
    if samples.ndim != 1:
        raise AudioError(
            f"expected mono samples (1-D), got shape {samples.shape}",
            hint="mix the clip down to one channel before resampling",
        )
    if from_rate == to_rate or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    divisor = gcd(from_rate, to_rate)
    converted = resample_poly(samples.astype(np.float64), to_rate // divisor, from_rate // divisor)
    return np.asarray(converted, dtype=np.float32)


def resampled_length(count: int, from_rate: int, to_rate: int) -> int:
    """How many samples :func:`resample` returns for ``count`` samples (without resampling them)."""
    if from_rate == to_rate or count == 0:
        return count
    divisor = gcd(from_rate, to_rate)
    up, down = to_rate // divisor, from_rate // divisor
    return -(-count * up // down)
