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
