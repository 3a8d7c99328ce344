from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from podwright.audio.music import add_music, duck_envelope
from podwright.audio.timeline import lay_out
from podwright.core.errors import AudioError
from podwright.core.show import AudioSettings
from tests.audio.episode_audio import rms_db, script, synthetic_clips

RATE = 44_100


@pytest.fixture
def music(tmp_path: Path) -> Path:
    """Four seconds of a steady chord at 48 kHz stereo (shorter than the episode: it loops)."""
    t = np.arange(4 * 48_000) / 48_000
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3
    path = tmp_path / "theme.flac"
    soundfile.write(path, np.stack([0.5 * chord, 0.5 * chord], axis=1), 48_000)
    return path


def test_music_is_ducked_under_speech(music: Path) -> None:
    the_script = script()
    mix = lay_out(the_script, synthetic_clips(the_script), AudioSettings())
    bedded = add_music(mix, music, duck_db=-18.0, intro_s=4.0, outro_s=4.0)

    lead, tail = 4 * RATE, 4 * RATE
    assert bedded.samples.size == mix.samples.size + lead + tail
    # What was added is the bed alone: the speech sits unchanged at the intro's end.
    bed = bedded.samples.astype(np.float64)
    bed[lead : lead + mix.samples.size] -= mix.samples
    intro = bed[int(1.6 * RATE) : int(3.5 * RATE)]  # after the fade-in, before the duck ramps down
    under = np.concatenate(
        [bed[round((cue.start_s + 0.1) * RATE) : round((cue.end_s - 0.1) * RATE)] for cue in bedded.cues]
    )
    assert rms_db(intro) - rms_db(under) >= 18.0 - 1.0
    assert rms_db(intro) - rms_db(under) <= 18.0 + 1.0
    # The outro: back up once the hold and release are over, before the fade-out.
    assert rms_db(bed[-tail + RATE : -int(1.6 * RATE)]) == pytest.approx(rms_db(intro), abs=1.0)


def test_cues_and_chapters_move_with_the_intro(music: Path) -> None:
    the_script = script()
    mix = lay_out(the_script, synthetic_clips(the_script), AudioSettings())
    bedded = add_music(mix, music, intro_s=4.0, outro_s=3.0)
    for before, after in zip(mix.cues, bedded.cues, strict=True):
        assert after.start_s == pytest.approx(before.start_s + 4.0)
        assert after.text == before.text
    assert bedded.chapters[0].start_s == 0.0
    assert bedded.chapters[1].start_s == pytest.approx(mix.chapters[1].start_s + 4.0)
    assert bedded.chapters[-1].end_s == pytest.approx(bedded.duration_s)


def test_duck_envelope_is_smooth_and_full_during_speech() -> None:
    speech = np.zeros(6 * RATE, np.float32)
    speech[2 * RATE : 4 * RATE] = 0.3 * np.sin(2 * np.pi * 150 * np.arange(2 * RATE) / RATE)
    gain = duck_envelope(speech, RATE, duck_db=-12.0)
    gain_db = 20 * np.log10(gain)
    assert gain_db[:RATE] == pytest.approx(0.0, abs=0.01)
    assert gain_db[2 * RATE : 4 * RATE] == pytest.approx(-12.0, abs=0.01)
    assert gain_db[-RATE // 2 :] == pytest.approx(0.0, abs=0.01)
    assert np.max(np.abs(np.diff(gain_db))) < 0.01  # no step: ramps, not switches


def test_a_missing_music_file_is_an_audio_error(tmp_path: Path) -> None:
    the_script = script()
    mix = lay_out(the_script, synthetic_clips(the_script), AudioSettings())
    with pytest.raises(AudioError, match="does not exist"):
        add_music(mix, tmp_path / "theme.mp3")
