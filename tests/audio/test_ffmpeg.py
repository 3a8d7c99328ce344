from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from podwright.audio.ffmpeg import decode, encode_mp3, ffmpeg_binary, measure_loudness
from podwright.audio.loudness import integrated_lufs, measure_true_peak
from podwright.core.errors import AudioError
from tests.audio.episode_audio import voiced


def test_the_packaged_ffmpeg_is_found_without_one_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert Path(ffmpeg_binary()).is_file()


def test_no_ffmpeg_at_all_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if the package were not installed
    with pytest.raises(AudioError, match="no ffmpeg") as raised:
        ffmpeg_binary()
    assert "imageio-ffmpeg" in raised.value.hint


def test_mp3_round_trip_keeps_rate_length_and_sound(tmp_path: Path) -> None:
    samples = voiced(3.0, 44_100, level=0.5)
    dest = tmp_path / "clip.mp3"
    encode_mp3(samples, 44_100, dest, bitrate_kbps=128)
    assert dest.read_bytes()[:3] in (b"ID3", b"\xff\xfb"[:3]) or dest.read_bytes()[:2] == b"\xff\xfb"
    assert list(tmp_path.iterdir()) == [dest]  # no temporary file left
    back, rate = decode(dest)
    assert rate == 44_100
    assert back.size == samples.size  # the LAME header lets the decoder drop encoder delay and padding
    assert np.corrcoef(back, samples)[0, 1] > 0.99


def test_decode_resamples_on_request(tmp_path: Path) -> None:
    wav = tmp_path / "clip.wav"
    soundfile.write(wav, voiced(2.0, 22_050), 22_050)
    back, rate = decode(wav, rate=44_100)
    assert rate == 44_100
    assert back.size == pytest.approx(88_200, abs=2)


def test_the_independent_meter_agrees_with_the_mastering_meter(tmp_path: Path) -> None:
    samples = voiced(6.0, 44_100, level=0.4)
    wav = tmp_path / "clip.wav"
    soundfile.write(wav, samples, 44_100, subtype="FLOAT")
    measured = measure_loudness(wav)
    assert measured.integrated_lufs == pytest.approx(integrated_lufs(samples, 44_100), abs=0.15)
    assert measured.true_peak_dbtp == pytest.approx(measure_true_peak(samples), abs=0.15)
    assert measured.loudness_range_lu >= 0


def test_encoding_into_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    dest = tmp_path / "nowhere" / "episode.mp3"
    with pytest.raises(AudioError) as raised:
        encode_mp3(voiced(1.0, 44_100), 44_100, dest)
    assert raised.value.hint
    assert not dest.parent.exists()


def test_bad_inputs_are_audio_errors(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="does not exist"):
        decode(tmp_path / "missing.mp3")
    not_audio = tmp_path / "notes.mp3"
    not_audio.write_text("not audio")
    with pytest.raises(AudioError):
        decode(not_audio)
    with pytest.raises(AudioError):
        measure_loudness(not_audio)
