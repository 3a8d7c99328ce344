from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from podwright.audio.timeline import lay_out
from podwright.core.errors import AudioError
from podwright.core.show import AudioSettings
from tests.audio.episode_audio import script, synthetic_clips

SETTINGS = AudioSettings(gap_same_speaker_s=0.2, gap_speaker_change_s=0.5, gap_segment_s=1.0)


def test_turns_are_placed_in_air_order_with_natural_gaps() -> None:
    the_script = script()
    clips = synthetic_clips(the_script)
    mix = lay_out(the_script, clips, SETTINGS)

    assert mix.sample_rate == 44_100
    assert len(mix.cues) == len(the_script.turns)
    assert [cue.text for cue in mix.cues] == [turn.text for turn in the_script.turns]
    assert {cue.speaker for cue in mix.cues} == {"Maya", "Joe"}
    keys = [(s, t) for s, seg in enumerate(the_script.segments) for t in range(len(seg.turns))]
    expected_start = 0.0
    for number, (cue, key) in enumerate(zip(mix.cues, keys, strict=True)):
        if number:
            previous = mix.cues[number - 1]
            gap = 1.0 if key[1] == 0 else 0.2 if cue.host == previous.host else 0.5
            expected_start = previous.end_s + gap
        assert cue.start_s == pytest.approx(expected_start, abs=1.5 / 44_100)
        # Resampling keeps each clip's duration (24 kHz and 22.05 kHz clips alike).
        assert cue.end_s - cue.start_s == pytest.approx(clips[key].duration_s, abs=2 / 44_100)
        assert cue.segment_index == key[0]
    assert mix.duration_s == pytest.approx(mix.cues[-1].end_s, abs=1e-9)


def test_audio_is_where_the_cues_say_and_silence_between() -> None:
    the_script = script()
    mix = lay_out(the_script, synthetic_clips(the_script), SETTINGS)
    rate = mix.sample_rate
    for cue in mix.cues:
        inside = mix.samples[round(cue.start_s * rate) : round(cue.end_s * rate)]
        assert np.sqrt(np.mean(inside**2)) > 0.05
    for before, after in pairwise(mix.cues):
        gap = mix.samples[round(before.end_s * rate) + 2 : round(after.start_s * rate) - 2]
        assert gap.size > 0
        assert np.max(np.abs(gap)) < 1e-3


def test_chapters_are_contiguous_segment_spans() -> None:
    the_script = script()
    mix = lay_out(the_script, synthetic_clips(the_script), SETTINGS)
    assert [c.title for c in mix.chapters] == [seg.title for seg in the_script.segments]
    assert mix.chapters[0].start_s == 0.0
    assert mix.chapters[-1].end_s == pytest.approx(mix.duration_s)
    for chapter, following in pairwise(mix.chapters):
        assert chapter.end_s == following.start_s
        first_cue = next(cue for cue in mix.cues if cue.segment_index == following.index)
        assert following.start_s == first_cue.start_s


def test_a_missing_turn_is_named() -> None:
    the_script = script()
    clips = synthetic_clips(the_script)
    del clips[(1, 2)]
    with pytest.raises(AudioError, match="1/2") as raised:
        lay_out(the_script, clips, SETTINGS)
    assert "voice" in raised.value.hint
