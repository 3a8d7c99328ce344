from __future__ import annotations

import numpy as np

from podwright.tts.silence import limit_peak, trim_edge_silence

RATE = 1000


def test_trims_quiet_edges_and_keeps_padding() -> None:
    samples = np.concatenate([np.full(500, 1e-4), np.full(200, 0.5), np.full(300, 1e-4)]).astype(np.float32)
    trimmed = trim_edge_silence(samples, RATE, threshold_db=-45, pad_s=0.05)
    assert len(trimmed) == 200 + 2 * 50
    assert np.all(np.abs(trimmed[50:250]) == np.float32(0.5))


def test_padding_stops_at_clip_edges() -> None:
    samples = np.concatenate([np.full(10, 0.5), np.zeros(100)]).astype(np.float32)
    assert len(trim_edge_silence(samples, RATE, pad_s=0.05)) == 10 + 50


def test_silent_and_empty_clips_become_empty() -> None:
    assert trim_edge_silence(np.zeros(100, np.float32), RATE).size == 0
    assert trim_edge_silence(np.zeros(0, np.float32), RATE).size == 0


def test_limit_peak_scales_only_loud_clips() -> None:
    loud = np.array([0.0, 1.0, -0.5], np.float32)
    quiet = np.array([0.1, -0.2], np.float32)
    assert np.isclose(np.max(np.abs(limit_peak(loud, 0.9))), 0.9)
    assert np.array_equal(limit_peak(quiet, 0.9), quiet)
    assert limit_peak(loud).dtype == np.float32
