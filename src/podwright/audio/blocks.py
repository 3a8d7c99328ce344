"""BS.1770 loudness from block energies: measure once, re-gate cheaply after any local change.

Integrated loudness is a gated mean of the K-weighted power of 400 ms blocks (75 % overlap). The
K-weighted energy is kept per ``CELL`` samples (128, which divides an MP3 frame), so the blocks of a
whole episode are sums of cells: a gain scales them, an edited or limited stretch replaces only its
own cells, and a stretch can be measured on its own wherever the signal around it is silent (the
K filter's memory dies out within a few milliseconds). The filter is the one of libebur128 and
ffmpeg's ``ebur128`` (BS.1770's two biquads, designed for any sample rate), so the figures here
track the meter that checks a finished MP3.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from podwright.core.errors import AudioError

__all__ = ["CELL", "cell_energies", "gated_lufs", "k_weighted", "k_weighting"]

CELL = 128
"""Samples per energy cell; 1152 (an MP3 frame) is 9 cells, so frame-aligned pieces align to cells."""
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0
_OFFSET = -0.691


@lru_cache(maxsize=8)
def k_weighting(rate: int) -> npt.NDArray[np.float64]:
    """BS.1770's K-weighting (pre-filter shelf + RLB high-pass) as second-order sections at ``rate``."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * f0 / rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * f0 / rate)
    a0 = 1.0 + k / q + k * k
    high_pass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf, high_pass], dtype=np.float64)


def k_weighted(samples: npt.NDArray[np.floating], rate: int) -> npt.NDArray[np.float64]:
    """``samples`` through the K-weighting filter (from rest)."""
    from scipy.signal import sosfilt

    return np.asarray(sosfilt(k_weighting(rate), samples.astype(np.float64)), dtype=np.float64)


def cell_energies(weighted: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Sum of squares of K-weighted samples per ``CELL`` (the last cell zero-padded)."""
    count = -(-weighted.size // CELL)
    padded = np.zeros(count * CELL, dtype=np.float64)
    padded[: weighted.size] = weighted
    rows = padded.reshape(count, CELL)
    return np.asarray(np.einsum("ij,ij->i", rows, rows), dtype=np.float64)


def gated_lufs(cells: npt.NDArray[np.floating], rate: int, length: int) -> float:
    """Integrated loudness (BS.1770-4 gating) of a ``length``-sample signal from its cell energies.

    Block edges fall inside cells; a straddled cell counts in proportion to the part inside the block
    (the energy within 2.9 ms is taken as even), which moves the result by well under 0.01 LU.
    """
    block, hop = 0.4 * rate, 0.1 * rate
    if length < block:
        raise AudioError(
            f"{length / rate:.2f} s of audio is too short to measure loudness",
            hint="loudness needs at least 0.4 s of audio",
        )
    cumulative = np.concatenate(([0.0], np.cumsum(cells, dtype=np.float64)))
    count = int((length - block) // hop) + 1
    starts = np.arange(count, dtype=np.float64) * hop
    ends: npt.NDArray[np.float64] = starts + block
    energy = _cumulative_at(cumulative, ends) - _cumulative_at(cumulative, starts)
    power = np.maximum(energy, 0.0) / block
    loud = power > 10.0 ** ((_ABSOLUTE_GATE_LUFS - _OFFSET) / 10.0)
    if not loud.any():
        return float("-inf")
    relative = _OFFSET + 10.0 * np.log10(power[loud].mean()) + _RELATIVE_GATE_LU
    gated = power[loud & (power > 10.0 ** ((relative - _OFFSET) / 10.0))]
    return float(_OFFSET + 10.0 * np.log10(gated.mean()))


def _cumulative_at(
    cumulative: npt.NDArray[np.float64], position: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    cell = position / CELL
    whole = np.minimum(np.floor(cell).astype(np.int64), cumulative.size - 2)
    part = cell - whole
    return np.asarray(
        cumulative[whole] + part * (cumulative[whole + 1] - cumulative[whole]), dtype=np.float64
    )
