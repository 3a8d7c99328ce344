from __future__ import annotations

import numpy as np
import pytest

from podwright.audio.loudness import integrated_lufs, master, measure_true_peak
from podwright.core.errors import AudioError
from tests.audio.episode_audio import voiced

RATE = 44_100


def speech_like() -> np.ndarray:
    parts = [
        voiced(3.0, RATE, pitch=p, level=lv, seed=i)
        for i, (p, lv) in enumerate([(120, 0.9), (210, 0.2), (160, 0.5)])
    ]
    return np.concatenate([np.concatenate([part, np.zeros(RATE // 3, np.float32)]) for part in parts])


@pytest.mark.parametrize(("target", "ceiling"), [(-16.0, -1.0), (-19.0, -1.0), (-16.0, -2.0)])
def test_master_hits_the_loudness_target_under_the_true_peak_ceiling(target: float, ceiling: float) -> None:
    mastered = master(speech_like(), RATE, target_lufs=target, true_peak_db=ceiling)
    report = mastered.report
    assert mastered.samples.dtype == np.float32
    assert mastered.samples.size == speech_like().size
    assert integrated_lufs(mastered.samples, RATE) == pytest.approx(target, abs=0.15)
    assert report.output_lufs == pytest.approx(target, abs=0.15)
    assert measure_true_peak(mastered.samples) <= ceiling - 0.5 + 1e-6
    assert report.true_peak_dbtp <= report.ceiling_db + 1e-6


def test_a_loud_peaky_mix_is_limited_not_clipped() -> None:
    mix = speech_like()
    mix[RATE : RATE + 50] = 1.0  # a click far above the speech
    mastered = master(mix, RATE, target_lufs=-16.0, true_peak_db=-1.0)
    assert mastered.report.max_reduction_db > 1.0
    assert measure_true_peak(mastered.samples) <= -1.5 + 1e-6


def test_true_peak_sees_peaks_between_samples() -> None:
    # A tone at a quarter of the rate, sampled 45° off its crest: every sample is at 0.707 but
    # the waveform between them reaches 1.0 (0 dBTP), 3 dB above the sample peak.
    n = np.arange(RATE)
    taper = np.minimum(1.0, np.minimum(n, n[-1] - n) / 2000)  # no edge transients
    tone = (np.sin(2 * np.pi * n / 4 + np.pi / 4) * taper).astype(np.float32)
    assert 20 * np.log10(np.max(np.abs(tone))) == pytest.approx(-3.01, abs=0.01)
    assert measure_true_peak(tone) == pytest.approx(0.0, abs=0.02)


def test_silence_cannot_be_mastered() -> None:
    with pytest.raises(AudioError, match="silent") as raised:
        master(np.zeros(RATE * 2, np.float32), RATE)
    assert raised.value.hint


def test_sparse_true_peak_and_limiter_match_a_whole_signal_pass() -> None:
    """Oversampling only near the ceiling gives the same peaks and gains as doing every sample."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d
    from scipy.signal import resample_poly

    from podwright.audio import loudness

    rate = 44_100
    rng = np.random.default_rng(3)
    t = np.arange(rate * 20) / rate
    bursts = (np.sin(2 * np.pi * 0.4 * t) > 0.3).astype(np.float64)
    signal = (0.25 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(t.size)) * bursts
    signal[rng.integers(0, t.size, 40)] = 0.95  # sparse clicks that need limiting

    fine = np.abs(resample_poly(signal, 4, 1, window=("kaiser", 8.0)))
    dense = np.maximum(np.abs(signal), fine.reshape(-1, 4).max(axis=1))
    assert loudness.measure_true_peak(signal) == pytest.approx(20 * np.log10(dense.max()), abs=1e-4)

    ceiling_db = -1.5
    limited, reduction = loudness._limit(signal, dense, rate, ceiling_db)
    needed = np.minimum(1.0, 10 ** (ceiling_db / 20) / np.maximum(dense, 1e-12))
    smooth = max(3, int(0.005 * rate) | 1)
    gain = uniform_filter1d(minimum_filter1d(needed, 2 * smooth + 1, mode="nearest"), smooth, mode="nearest")
    gain = np.minimum(gain, needed)
    np.testing.assert_allclose(limited, signal * gain, atol=1e-9)
    assert reduction == pytest.approx(-20 * np.log10(gain.min()))
