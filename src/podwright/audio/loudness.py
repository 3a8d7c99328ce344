"""Loudness mastering: integrated loudness to a target (BS.1770) under a true-peak ceiling.

Gain brings the integrated loudness (pyloudnorm's BS.1770-4 meter) to the target; a look-ahead
gain-reduction envelope then keeps the true peak (4x oversampled) under the ceiling minus a small
headroom, because MP3 encoding raises peaks by a few tenths of a dB. The envelope is the running
minimum of the required gain, smoothed by a moving average no wider than that minimum's window,
so the smoothed gain never exceeds what any sample needs (it ramps down before a peak: look-ahead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from podwright.audio.blocks import CELL, cell_energies, gated_lufs, k_weighting
from podwright.core.errors import AudioError

__all__ = [
    "Mastered",
    "MasteredStem",
    "MasteredStems",
    "MasteringReport",
    "StemLevels",
    "integrated_lufs",
    "master",
    "master_stem",
    "master_stems",
    "measure_stem",
    "measure_true_peak",
    "place_cells",
    "stem_floor",
    "weigh",
]

_BLOCK = 1 << 18
_SPAN = 1 << 10
_MARGIN = 64
_SEARCH_DB = 6.0
"""Only stretches within this many dB of the level that matters are oversampled (any audio)."""
_MASTER_SEARCH_DB = 3.0
"""The same margin while mastering: 3 dB is the overshoot of a full-scale tone at a quarter of the
rate, and speech voiced at 22-24 kHz has no content that high; the MP3 is metered again anyway."""
# β=8 keeps the interpolation filter's ripple near 0.001 dB up to 11 kHz (β=5 reads ~0.02 dB high).
_TRUE_PEAK_WINDOW = ("kaiser", 8.0)
_SILENCE_LUFS = -70.0


@dataclass(frozen=True, slots=True)
class MasteringReport:
    """What mastering measured and did."""

    input_lufs: float
    """Integrated loudness of the mix before mastering."""
    output_lufs: float
    """Integrated loudness after mastering (pyloudnorm)."""
    true_peak_dbtp: float
    """True peak after mastering, dBTP (4x oversampled)."""
    gain_db: float
    """Static gain applied to reach the target."""
    max_reduction_db: float
    """Deepest gain reduction of the peak limiter (0 when it never acted)."""
    ceiling_db: float
    """The true-peak ceiling the limiter aimed for (target minus headroom)."""


@dataclass(frozen=True, slots=True)
class Mastered:
    """Mastered mono samples and the report of how they were made."""

    samples: npt.NDArray[np.float32]
    sample_rate: int
    report: MasteringReport


def integrated_lufs(samples: npt.NDArray[np.floating], rate: int) -> float:
    """Integrated loudness in LUFS (BS.1770-4, gated); ``-inf`` for silence."""
    import pyloudnorm

    if samples.size < int(0.4 * rate):
        raise AudioError(
            f"{samples.size / rate:.2f} s of audio is too short to measure loudness",
            hint="loudness needs at least 0.4 s of audio",
        )
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))


def _peak_envelope(samples: npt.NDArray[np.floating], *, floor: float = 0.0) -> npt.NDArray[np.float32]:
    """Per-sample true-peak magnitude: the largest oversampled value between each sample and the next.

    Only stretches whose sample peak reaches ``floor`` are oversampled; elsewhere the envelope is the
    sample magnitude. Between-sample overshoot of real audio stays well under the 6 dB margin the
    callers leave, so the result is exact wherever it can matter, at a fraction of the cost.
    """
    from scipy.signal import resample_poly

    magnitude: npt.NDArray[np.float32] = np.abs(samples).astype(np.float32)
    envelope: npt.NDArray[np.float32] = magnitude.copy()
    for start, stop in _hot_spans(magnitude, floor):
        lo, hi = max(0, start - _MARGIN), min(samples.size, stop + _MARGIN)
        # Spans overlap their neighbours by the filter's reach so their edges are exact too.
        # float32 samples and taps keep the filtering in float32 (the taps are designed once).
        chunk = np.asarray(samples[lo:hi], dtype=np.float32)
        fine = np.abs(resample_poly(chunk, 4, 1, window=_interpolator()))
        # Strided maxima are several times faster than reshape(-1, 4).max(axis=1).
        per_sample = np.maximum(np.maximum(fine[0::4], fine[1::4]), np.maximum(fine[2::4], fine[3::4]))
        np.maximum(envelope[start:stop], per_sample[start - lo : stop - lo], out=envelope[start:stop])
    return envelope


@lru_cache(maxsize=1)
def _interpolator() -> npt.NDArray[np.float32]:
    """The 4x interpolation filter ``resample_poly`` would design for ``_TRUE_PEAK_WINDOW``, made once."""
    from scipy.signal import firwin

    taps: npt.NDArray[np.float32] = firwin(81, 0.25, window=_TRUE_PEAK_WINDOW).astype(np.float32)
    taps.flags.writeable = False
    return taps


def _hot_spans(magnitude: npt.NDArray[np.float32], floor: float) -> list[tuple[int, int]]:
    """Runs of ``_SPAN``-sample blocks whose peak reaches ``floor`` (at most ``_BLOCK`` long each)."""
    count = -(-magnitude.size // _SPAN)
    padded = np.zeros(count * _SPAN, dtype=np.float32)
    padded[: magnitude.size] = magnitude
    hot = padded.reshape(count, _SPAN).max(axis=1) >= floor
    spans: list[tuple[int, int]] = []
    index = 0
    while index < count:
        if not hot[index]:
            index += 1
            continue
        end = index
        while end < count and hot[end] and (end - index) * _SPAN < _BLOCK:
            end += 1
        spans.append((index * _SPAN, min(end * _SPAN, magnitude.size)))
        index = end
    return spans


def measure_true_peak(samples: npt.NDArray[np.floating]) -> float:
    """True peak of ``samples`` in dBTP (4x oversampled, as BS.1770 asks)."""
    if samples.size == 0:
        return float("-inf")
    floor = float(np.abs(samples).max()) * 10.0 ** (-_SEARCH_DB / 20.0)
    return _db(float(_peak_envelope(samples, floor=floor).max()))


def _limit(
    samples: npt.NDArray[np.float64], envelope: npt.NDArray[np.floating], rate: int, ceiling_db: float
) -> tuple[npt.NDArray[np.float64], float]:
    """``samples`` (true-peak ``envelope`` given) under ``ceiling_db``; also the deepest reduction in dB."""
    output = samples.copy()
    gains = _limiter_gains(envelope, 1.0, rate, ceiling_db)
    for start, gain in gains:
        output[start : start + gain.size] *= gain
    return output, _deepest_db(gains)


def _limiter_gains(
    envelope: npt.NDArray[np.floating], scale: float, rate: int, ceiling_db: float
) -> list[tuple[int, npt.NDArray[np.float64]]]:
    """The limiter's gain for a signal whose true-peak envelope is ``scale × envelope``: (start, gain) spans.

    The gain is computed only around the samples that exceed the ceiling, padded by the filters'
    reach: elsewhere it is exactly 1, so the result equals a whole-signal pass at a fraction of its
    cost (speech crosses the ceiling in short, sparse bursts).
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10.0 ** (ceiling_db / 20.0)
    over = np.flatnonzero(envelope > ceiling / scale)
    if over.size == 0:
        return []
    smooth = max(3, int(0.005 * rate) | 1)
    hold = 2 * smooth + 1
    pad = hold + smooth
    breaks = np.flatnonzero(np.diff(over) > 2 * pad)
    starts = np.maximum(0, np.concatenate(([over[0]], over[breaks + 1])) - pad)
    stops = np.minimum(envelope.size, np.concatenate((over[breaks], [over[-1]])) + pad + 1)
    gains = []
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        peaks = np.maximum(envelope[start:stop].astype(np.float64) * scale, 1e-12)
        needed = np.minimum(1.0, ceiling / peaks)
        gain = uniform_filter1d(minimum_filter1d(needed, hold, mode="nearest"), smooth, mode="nearest")
        gains.append((start, np.minimum(gain, needed)))
    return gains


def _deepest_db(gains: Sequence[tuple[int, npt.NDArray[np.float64]]]) -> float:
    deepest = min((float(gain.min()) for _, gain in gains), default=1.0)
    return float(-20.0 * np.log10(deepest))


def _db(value: float) -> float:
    return float(20.0 * np.log10(value)) if value > 0 else float("-inf")


def _next_gain(
    gain_db: float, got_lufs: float, tried: tuple[float, float] | None, target_lufs: float
) -> float:
    """The next static gain to try: a secant step through the last two tries, else a plain step."""
    step = target_lufs - got_lufs
    if tried is not None and gain_db != tried[0]:
        slope = (got_lufs - tried[1]) / (gain_db - tried[0])
        # Limiting makes loudness grow slower than gain (slope < 1); trust only sane slopes.
        if 0.2 <= slope <= 1.2:
            step /= slope
    return gain_db + step


_FILTER_TAIL_S = 0.1
"""How long the K filter rings after a change: its slowest pole decays 100 dB in well under this."""


@dataclass(frozen=True, slots=True)
class StemLevels:
    """One stem (a stretch of the mix) measured once: what mastering needs to scale and limit it."""

    source: npt.NDArray[np.float32]
    weighted: npt.NDArray[np.float32]
    """The K-weighted source (from rest at the stem's start)."""
    cells: npt.NDArray[np.float64]
    """K-weighted energy per ``CELL`` samples."""
    envelope: npt.NDArray[np.float32]
    """True-peak envelope, exact wherever the sample peak reaches the ``floor`` it was measured at."""
    peak: float
    """Linear true peak of the source."""


def weigh(
    samples: npt.NDArray[np.floating], rate: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """``samples`` as float32 and K-weighted (from rest); the first half of measuring a stem."""
    from scipy.signal import sosfilt

    source = np.ascontiguousarray(samples, dtype=np.float32)
    return source, np.asarray(sosfilt(k_weighting(rate).astype(np.float32), source), dtype=np.float32)


def measure_stem(
    source: npt.NDArray[np.float32], weighted: npt.NDArray[np.float32], *, floor: float
) -> StemLevels:
    """A weighed stem's cells and true-peak envelope, oversampled only where it reaches ``floor``."""
    envelope = _peak_envelope(source, floor=floor)
    peak = float(envelope.max()) if envelope.size else 0.0
    return StemLevels(source, weighted, cell_energies(weighted), envelope, peak)


@dataclass(frozen=True, slots=True)
class MasteredStem:
    """One stem at the episode gain, limited under the ceiling."""

    samples: npt.NDArray[np.float32]
    cells: npt.NDArray[np.float64]
    true_peak_dbtp: float
    reduction_db: float


def master_stem(stem: StemLevels, rate: int, *, gain_db: float, ceiling_db: float) -> MasteredStem:
    """``stem`` scaled by ``gain_db`` and limited where (and only where) its true peak passes the ceiling.

    The limited spans are re-measured, and what the gain's modulation pushed over the ceiling (a
    few hundredths of a dB) is limited again.
    """
    scale = 10.0 ** (gain_db / 20.0)
    output = stem.source * np.float32(scale)
    gains = _limiter_gains(stem.envelope, scale, rate, ceiling_db)
    if not gains:
        return MasteredStem(output, stem.cells * scale**2, _db(scale * stem.peak), 0.0)
    for start, gain in gains:
        output[start : start + gain.size] *= gain.astype(np.float32)
    reduction_db = _deepest_db(gains)
    floor = 10.0 ** ((ceiling_db - _MASTER_SEARCH_DB) / 20.0)
    spans = [(start, start + gain.size) for start, gain in gains]
    for attempt in range(4):
        inside = _span_envelope(output, spans, floor)
        peak_db = max(_db(float(part.max())) for _, part in inside)
        if peak_db <= ceiling_db or attempt == 3:
            break
        aim = 2 * ceiling_db - peak_db - 0.02
        more = [(lo + s, g) for lo, part in inside for s, g in _limiter_gains(part, 1.0, rate, aim)]
        for start, gain in more:
            output[start : start + gain.size] *= gain.astype(np.float32)
        reduction_db = max(reduction_db, _deepest_db(more))
        spans = _merged([*spans, *((start, start + gain.size) for start, gain in more)])
    peak_db = max(peak_db, _db(scale * _outside_peak(stem.envelope, spans)))

    def change(lo: int, hi: int) -> npt.NDArray[np.float32]:
        return output[lo:hi] - stem.source[lo:hi] * np.float32(scale)

    return MasteredStem(output, _limited_cells(stem, scale, spans, change, rate), peak_db, reduction_db)


def _outside_peak(envelope: npt.NDArray[np.float32], spans: Sequence[tuple[int, int]]) -> float:
    """The envelope's maximum outside ``spans`` (sorted, disjoint: where the limiter left the signal)."""
    edges = [0, *(edge for span in spans for edge in span), envelope.size]
    gaps = [(lo, hi) for lo, hi in zip(edges[0::2], edges[1::2], strict=True) if hi > lo]
    return max((float(envelope[lo:hi].max()) for lo, hi in gaps), default=0.0)


def _span_envelope(
    output: npt.NDArray[np.float32], spans: Sequence[tuple[int, int]], floor: float
) -> list[tuple[int, npt.NDArray[np.float32]]]:
    """True-peak envelope of ``output`` inside ``spans`` (nearby spans measured together)."""
    parts = []
    for start, stop in _merged((start, stop + _SPAN) for start, stop in spans):
        stop = min(stop - _SPAN, output.size)
        lo, hi = max(0, start - _MARGIN), min(output.size, stop + _MARGIN)
        parts.append((start, _peak_envelope(output[lo:hi], floor=floor)[start - lo : stop - lo]))
    return parts


def stem_cells(stem: StemLevels, rate: int, *, gain_db: float, ceiling_db: float) -> npt.NDArray[np.float64]:
    """The cells :func:`master_stem` would give, without building its samples (for a loudness search)."""
    scale = 10.0 ** (gain_db / 20.0)
    gains = _limiter_gains(stem.envelope, scale, rate, ceiling_db)

    def change(lo: int, hi: int) -> npt.NDArray[np.float32]:
        delta = np.zeros(hi - lo, dtype=np.float32)
        for start, gain in gains:  # disjoint and sorted
            if start < hi and start + gain.size > lo:
                a, b = max(start, lo), min(start + gain.size, hi)
                factor = gain[a - start : b - start].astype(np.float32) - 1
                delta[a - lo : b - lo] = stem.source[a:b] * np.float32(scale) * factor
        return delta

    spans = [(start, start + gain.size) for start, gain in gains]
    return _limited_cells(stem, scale, spans, change, rate)


def _limited_cells(
    stem: StemLevels,
    scale: float,
    spans: Sequence[tuple[int, int]],
    change: Callable[[int, int], npt.NDArray[np.float32]],
    rate: int,
) -> npt.NDArray[np.float64]:
    """Cells of the scaled stem changed inside ``spans`` by ``change(lo, hi)`` (output minus scaled source).

    Only the change is K-filtered, over the span and the filter's ringing after it (the filter is linear).
    """
    from scipy.signal import sosfilt

    cells = stem.cells * scale**2
    tail = round(_FILTER_TAIL_S * rate)
    size = stem.source.size
    ranges = [
        (lo // CELL * CELL, min(size, -(-hi // CELL) * CELL))
        for lo, hi in _merged((start, stop + tail) for start, stop in spans)
    ]
    if not ranges:
        return cells
    # One filter call for every range: each change ends in ``tail`` samples of silence, by which the
    # filter's memory has died out, so back to back they filter as they would one by one.
    changes = np.concatenate([change(lo, hi) for lo, hi in ranges])
    ringing = np.asarray(sosfilt(k_weighting(rate).astype(np.float32), changes), dtype=np.float32)
    weighted = np.concatenate([stem.weighted[lo:hi] for lo, hi in ranges]) * np.float32(scale) + ringing
    offset = 0
    for lo, hi in ranges:
        part = cell_energies(weighted[offset : offset + hi - lo])
        cells[lo // CELL : lo // CELL + part.size] = part
        offset += hi - lo
    return cells


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def place_cells(parts: Sequence[tuple[int, npt.NDArray[np.float64]]], length: int) -> npt.NDArray[np.float64]:
    """The episode's cells from each stem's (start sample, cells); starts must be multiples of ``CELL``."""
    cells = np.zeros(-(-length // CELL), dtype=np.float64)
    for start, part in parts:
        first = start // CELL
        cells[first : first + part.size] += part[: max(0, cells.size - first)]
    return cells


@dataclass(frozen=True, slots=True)
class MasteredStems:
    """Every stem of an episode mastered at one gain, and the report of how it was found."""

    stems: list[MasteredStem]
    report: MasteringReport


def master_stems(
    stems: Sequence[tuple[int, StemLevels]],
    length: int,
    rate: int,
    *,
    target_lufs: float = -16.0,
    true_peak_db: float = -1.0,
    headroom_db: float = 0.5,
) -> MasteredStems:
    """Find the one gain that brings the whole episode (``stems`` at their start samples) to the target.

    Limiting lowers loudness a little, so the gain is re-aimed (a secant step or two); each try
    re-gates the cells and re-limits only the stems whose peaks reach the ceiling.
    """
    measured = gated_lufs(place_cells([(start, stem.cells) for start, stem in stems], length), rate, length)
    if not np.isfinite(measured) or measured < _SILENCE_LUFS:
        raise AudioError(
            "the episode mix is silent; there is nothing to master",
            hint="check that the voice engine returned audible clips",
        )
    ceiling_db = true_peak_db - headroom_db
    gain_db = target_lufs - measured
    tried: tuple[float, float] | None = None
    for _ in range(5):
        applied_db = gain_db
        tries = [
            (start, stem_cells(stem, rate, gain_db=gain_db, ceiling_db=ceiling_db)) for start, stem in stems
        ]
        output_lufs = gated_lufs(place_cells(tries, length), rate, length)
        if abs(target_lufs - output_lufs) <= 0.05:
            break
        gain_db, tried = _next_gain(gain_db, output_lufs, tried, target_lufs), (gain_db, output_lufs)
    done = [master_stem(stem, rate, gain_db=applied_db, ceiling_db=ceiling_db) for _, stem in stems]
    output_lufs = gated_lufs(_placed(stems, done, length), rate, length)
    return MasteredStems(
        stems=done,
        report=MasteringReport(
            input_lufs=measured,
            output_lufs=output_lufs,
            true_peak_dbtp=max(m.true_peak_dbtp for m in done),
            gain_db=applied_db,
            max_reduction_db=max(m.reduction_db for m in done),
            ceiling_db=ceiling_db,
        ),
    )


def _placed(
    stems: Sequence[tuple[int, StemLevels]], done: Sequence[MasteredStem], length: int
) -> npt.NDArray[np.float64]:
    return place_cells([(start, m.cells) for (start, _), m in zip(stems, done, strict=True)], length)


def stem_floor(measured_lufs: float, target_lufs: float, ceiling_db: float) -> float:
    """The sample level above which a stem's true peak must be exact (see ``_MASTER_SEARCH_DB``)."""
    return float(10.0 ** ((ceiling_db - (target_lufs - measured_lufs) - _MASTER_SEARCH_DB) / 20.0))


def master(
    samples: npt.NDArray[np.floating],
    rate: int,
    *,
    target_lufs: float = -16.0,
    true_peak_db: float = -1.0,
    headroom_db: float = 0.5,
) -> Mastered:
    """Bring ``samples`` to ``target_lufs`` with true peaks at or under ``true_peak_db - headroom_db``.

    The headroom leaves room for the few tenths of a dB that MP3 encoding adds to peaks.
    """
    if samples.size < int(0.4 * rate):
        raise AudioError(
            f"{samples.size / rate:.2f} s of audio is too short to measure loudness",
            hint="loudness needs at least 0.4 s of audio",
        )
    source, weighted = weigh(samples, rate)
    measured = gated_lufs(cell_energies(weighted), rate, samples.size)
    if not np.isfinite(measured) or measured < _SILENCE_LUFS:
        raise AudioError(
            "the episode mix is silent; there is nothing to master",
            hint="check that the voice engine returned audible clips",
        )
    stem = measure_stem(source, weighted, floor=stem_floor(measured, target_lufs, true_peak_db - headroom_db))
    done = master_stems(
        [(0, stem)],
        samples.size,
        rate,
        target_lufs=target_lufs,
        true_peak_db=true_peak_db,
        headroom_db=headroom_db,
    )
    return Mastered(samples=done.stems[0].samples, sample_rate=rate, report=done.report)
