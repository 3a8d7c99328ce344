"""Edge silence and peak level of synthesized clips (pure numpy)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["limit_peak", "trim_edge_silence"]


def trim_edge_silence(
    samples: npt.NDArray[np.float32], rate: int, threshold_db: float = -45.0, pad_s: float = 0.05
) -> npt.NDArray[np.float32]:
    """Cut leading and trailing stretches quieter than ``threshold_db`` (dBFS), keeping ``pad_s`` of each.

    Generative engines often start or end a chunk with breath noise or a long silence; trimming keeps
    the timeline's gaps the ones the show asked for. A clip that is silent throughout comes back empty.
    """
    if samples.size == 0:
        return samples
    threshold = 10.0 ** (threshold_db / 20.0)
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    pad = round(pad_s * rate)
    start = max(int(loud[0]) - pad, 0)
    end = min(int(loud[-1]) + 1 + pad, samples.size)
    return samples[start:end]


def limit_peak(samples: npt.NDArray[np.float32], ceiling: float = 0.9) -> npt.NDArray[np.float32]:
    """Scale ``samples`` down so the peak is at most ``ceiling``; quieter clips are returned unchanged."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak <= ceiling:
        return samples.astype(np.float32, copy=False)
    return (samples * (ceiling / peak)).astype(np.float32)
