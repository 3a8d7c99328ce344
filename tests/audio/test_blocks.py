from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from podwright.audio.blocks import CELL, cell_energies, gated_lufs, k_weighted
from podwright.audio.ffmpeg import measure_loudness
from podwright.audio.loudness import (
    integrated_lufs,
    master,
    master_stems,
    measure_stem,
    place_cells,
    stem_floor,
    weigh,
)
from podwright.core.errors import AudioError
from tests.audio.episode_audio import voiced

RATE = 44_100


def turns() -> list[np.ndarray]:
    return [
        voiced(seconds, RATE, pitch=pitch, level=level, seed=seed)
        for seed, (seconds, pitch, level) in enumerate([(3.1, 120, 0.9), (2.4, 210, 0.2), (4.0, 160, 0.5)])
    ]


def spaced(parts: list[np.ndarray], gap: int = 9 * CELL * 8) -> tuple[np.ndarray, list[int]]:
    """The parts end to end with ``gap`` samples of silence before each but the first; and their starts."""
    starts, cursor = [], 0
    for index, part in enumerate(parts):
        cursor += gap if index else 0
        cursor = -(-cursor // CELL) * CELL
        starts.append(cursor)
        cursor += part.size
    signal = np.zeros(cursor, np.float32)
    for start, part in zip(starts, parts, strict=True):
        signal[start : start + part.size] = part
    return signal, starts


def test_block_energy_loudness_agrees_with_pyloudnorm_and_ffmpeg(tmp_path: Path) -> None:
    signal, _ = spaced(turns())
    mine = gated_lufs(cell_energies(k_weighted(signal, RATE)), RATE, signal.size)
    assert mine == pytest.approx(integrated_lufs(signal, RATE), abs=0.06)
    wav = tmp_path / "speech.wav"
    soundfile.write(wav, signal, RATE, subtype="FLOAT")
    assert mine == pytest.approx(measure_loudness(wav).integrated_lufs, abs=0.06)


def test_stems_measured_apart_gate_like_the_whole_signal() -> None:
    """Across silence the K filter forgets, so separately weighed stems give the whole signal's cells."""
    parts = turns()
    signal, starts = spaced(parts)
    whole = cell_energies(k_weighted(signal, RATE))
    placed = place_cells(
        [(s, cell_energies(k_weighted(p, RATE))) for s, p in zip(starts, parts, strict=True)], signal.size
    )
    np.testing.assert_allclose(placed, whole, rtol=1e-3, atol=1e-9 * whole.max())
    assert gated_lufs(placed, RATE, signal.size) == pytest.approx(
        gated_lufs(whole, RATE, signal.size), abs=1e-3
    )


def test_mastering_stems_apart_matches_mastering_the_whole() -> None:
    parts = turns()
    signal, starts = spaced(parts)
    whole = master(signal, RATE)
    measured = gated_lufs(cell_energies(k_weighted(signal, RATE)), RATE, signal.size)
    floor = stem_floor(measured, -16.0, -1.5)
    stems = [
        (start, measure_stem(*weigh(part, RATE), floor=floor))
        for start, part in zip(starts, parts, strict=True)
    ]
    done = master_stems(stems, signal.size, RATE)
    assert done.report.gain_db == pytest.approx(whole.report.gain_db, abs=0.01)
    assert done.report.output_lufs == pytest.approx(-16.0, abs=0.05)
    joined = np.zeros_like(signal)
    for (start, _), stem in zip(stems, done.stems, strict=True):
        joined[start : start + stem.samples.size] = stem.samples
    assert integrated_lufs(joined, RATE) == pytest.approx(-16.0, abs=0.1)
    assert max(stem.true_peak_dbtp for stem in done.stems) <= -1.5 + 1e-6


def test_too_short_to_gate_is_an_audio_error() -> None:
    with pytest.raises(AudioError, match="too short"):
        gated_lufs(np.zeros(10), RATE, RATE // 10)
