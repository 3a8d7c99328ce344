from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from podwright.audio.transcript import readable_cues, to_srt, to_webvtt
from podwright.core.timeline import Cue

LONG = (
    "Rivers move. A bend that was here ten years ago may be a lake today, and the town that stood "
    "beside it may now be a mile from the water. That is why surveyors come back, season after "
    "season, with the same instruments and a new map. Every map is a snapshot!"
)
CUES = [
    Cue(start_s=0.0, end_s=2.5, host="maya", speaker="Maya", text="Welcome to Field Notes.", segment_index=0),
    Cue(
        start_s=2.95, end_s=4.1, host="joe", speaker="Joe", text="Glad to be <here> & ready.", segment_index=0
    ),
    Cue(start_s=5.3, end_s=23.8, host="maya", speaker="Maya", text=LONG, segment_index=1),
]
VTT_TIME = r"\d{2}:\d{2}:\d{2}\.\d{3}"
SRT_TIME = r"\d{2}:\d{2}:\d{2},\d{3}"


def parse(stamp: str) -> float:
    hours, minutes, rest = stamp.replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def test_webvtt_is_well_formed_with_voice_tags() -> None:
    vtt = to_webvtt(CUES)
    assert vtt.startswith("WEBVTT\n\n")
    blocks = vtt.strip().split("\n\n")[1:]
    assert len(blocks) > len(CUES)  # the long turn was split
    times = []
    for block in blocks:
        timing, *lines = block.split("\n")
        assert re.fullmatch(rf"{VTT_TIME} --> {VTT_TIME}", timing)
        assert 1 <= len(lines) <= 3
        assert re.match(r"<v (Maya|Joe)>", lines[0]) and lines[-1].endswith("</v>")
        assert "-->" not in "".join(lines)
        times.append(tuple(parse(part) for part in timing.split(" --> ")))
    assert all(start < end for start, end in times)
    assert all(a[1] <= b[0] for a, b in pairwise(times))
    assert "Glad to be &lt;here&gt; &amp; ready." in vtt
    assert times[0] == (0.0, 2.5) and times[-1][1] == 23.8


def test_srt_is_numbered_and_names_the_speaker() -> None:
    srt = to_srt(CUES)
    blocks = srt.strip().split("\n\n")
    assert [block.split("\n")[0] for block in blocks] == [str(n) for n in range(1, len(blocks) + 1)]
    for block in blocks:
        _number, timing, first, *_ = block.split("\n")
        assert re.fullmatch(rf"{SRT_TIME} --> {SRT_TIME}", timing)
        assert first.startswith(("Maya: ", "Joe: "))
    assert "00:00:02,950 --> 00:00:04,100\nJoe: Glad to be <here> & ready." in srt


def test_a_long_turn_becomes_readable_cues_inside_its_span() -> None:
    turn = CUES[2]
    pieces = readable_cues([turn])
    assert len(pieces) >= 4
    assert " ".join(piece.text for piece in pieces) == LONG
    assert pieces[0].start_s == turn.start_s and pieces[-1].end_s == turn.end_s
    for piece, following in pairwise(pieces):
        assert piece.end_s == following.start_s
    for piece in pieces:
        assert len(piece.text) <= 84
        assert piece.end_s - piece.start_s <= 7.0
        assert piece.speaker == "Maya" and piece.segment_index == 1


@given(
    words=st.lists(
        st.sampled_from(
            ["river", "map,", "bend.", "a", "surveyor!", "season?", '"stop."', "(aside.)", "x" * 60]
        ),
        min_size=1,
        max_size=80,
    ),
    start=st.floats(min_value=0, max_value=3600),
    length=st.floats(min_value=0.05, max_value=120),
)
def test_split_cues_stay_ordered_and_inside_the_turn(words: list[str], start: float, length: float) -> None:
    turn = Cue(
        start_s=start, end_s=start + length, host="joe", speaker="Joe", text=" ".join(words), segment_index=0
    )
    pieces = readable_cues([turn])
    assert pieces[0].start_s == turn.start_s and pieces[-1].end_s == turn.end_s
    for piece, following in pairwise(pieces):
        assert piece.start_s < piece.end_s <= following.start_s
    assert " ".join(piece.text for piece in pieces).split() == turn.text.split()


def test_no_cues_make_empty_documents() -> None:
    assert to_webvtt([]) == "WEBVTT\n"
    assert to_srt([]) == ""
