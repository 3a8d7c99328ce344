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


def test_frame_aligned_pieces_start_on_frames_and_tile_the_episode() -> None:
    from podwright.audio.timeline import clip_lengths, plan_layout

    the_script = script()
    clips = synthetic_clips(the_script)
    natural = plan_layout(the_script, clip_lengths(clips, 44_100), SETTINGS)
    layout = plan_layout(the_script, clip_lengths(clips, 44_100), SETTINGS, frame=1152, join_silence=1729)
    assert len(natural.pieces) == 1 and natural.pieces[0].stop == natural.length
    assert len(layout.pieces) == len(the_script.turns)  # every gap here is long enough to cut in
    assert layout.pieces[0].start == 0 and layout.pieces[-1].stop == layout.length
    for piece, following in pairwise(layout.pieces):
        assert piece.stop == following.start and following.start % 1152 == 0
        assert following.offsets == (1152,)
    # Each gap grows by less than one frame over the natural one.
    for mine, theirs, before, before_natural in zip(
        layout.cues[1:], natural.cues[1:], layout.cues, natural.cues, strict=False
    ):
        grown = (mine.start_s - before.end_s) - (theirs.start_s - before_natural.end_s)
        assert 0 <= grown < 1152 / 44_100 + 1e-9
    # A gap too short to hold a join keeps the turns in one piece, at their natural distance.
    tight = AudioSettings(gap_same_speaker_s=0.01, gap_speaker_change_s=0.01, gap_segment_s=1.0)
    joined = plan_layout(the_script, clip_lengths(clips, 44_100), tight, frame=1152, join_silence=1729)
    assert len(joined.pieces) == len(the_script.segments)
