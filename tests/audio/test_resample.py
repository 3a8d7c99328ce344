from __future__ import annotations

import numpy as np
import pytest

from podwright.audio.resample import resample
from podwright.core.errors import AudioError


def sine(freq: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("source", [24_000, 22_050, 16_000])
def test_a_tone_keeps_its_pitch_level_and_duration(source: int) -> None:
    out = resample(sine(1000, source), source, 44_100)
    assert out.dtype == np.float32
    assert out.size == 44_100
    expected = sine(1000, 44_100)
    middle = slice(1000, -1000)  # away from the filter's edge transients
    assert np.max(np.abs(out[middle] - expected[middle])) < 2e-3


def test_same_rate_is_unchanged() -> None:
    clip = sine(440, 24_000)
    assert np.array_equal(resample(clip, 24_000, 24_000), clip)


def test_downsampling_removes_what_the_new_rate_cannot_hold() -> None:
    out = resample(sine(15_000, 44_100), 44_100, 22_050)
    assert np.sqrt(np.mean(out[500:-500] ** 2)) < 1e-3


def test_bad_input_is_an_audio_error_with_a_hint() -> None:
    with pytest.raises(AudioError) as raised:
        resample(np.zeros((2, 100), np.float32), 24_000, 44_100)
    assert raised.value.hint
    with pytest.raises(AudioError):
        resample(np.zeros(100, np.float32), 0, 44_100)
