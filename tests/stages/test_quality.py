"""The structure checks on hand-written good and bad segments."""

from __future__ import annotations

import re

import pytest

from podwright.core import Segment, Show, Turn
from podwright.core.show import QualitySettings
from podwright.stages.quality import (
    Check,
    check_balance,
    check_cut_off,
    check_greetings,
    check_length,
    check_repetition,
    check_segment,
    check_speakers,
    check_turns,
    host_share_limit,
    min_turns,
)
from tests.stages.shows import starter_show

GOOD = Segment(
    kind="deep_dive",
    title="Light takes time",
    turns=(
        Turn(
            host="maya",
            text="So if the universe were infinite and old, every line of sight would end on a star?",
        ),
        Turn(
            host="joe",
            text="Right, that is Olbers' paradox. Picture standing in a forest: look far enough and "
            "every direction ends on a trunk.",
        ),
        Turn(host="maya", text="But the sky is black between the stars. What breaks the forest picture?"),
        Turn(
            host="joe",
            text="Time. The universe is about 13.8 billion years old, so light from farther away "
            "has not reached us yet.",
        ),
    ),
)


def _segment(*turns: tuple[str, str], kind: str = "deep_dive", title: str = "T") -> Segment:
    return Segment(kind=kind, title=title, turns=tuple(Turn(host=host, text=text) for host, text in turns))


def _with_quality(show: Show, **settings: object) -> Show:
    return show.model_copy(update={"quality": QualitySettings.model_validate(settings)})


def test_a_good_segment_passes_every_check() -> None:
    quality = check_segment(GOOD, starter_show(), stage="segment-2", target_words=80)
    assert quality.passed, quality.failed
    assert [result.check for result in quality.results] == [
        Check.TURNS,
        Check.SPEAKERS,
        Check.BALANCE,
        Check.GREETINGS,
        Check.REPETITION,
        Check.CUT_OFF,
    ]
    assert quality.words == GOOD.word_count and quality.target_words == 80


def test_turns_scale_with_the_segments_share_of_the_length() -> None:
    show = starter_show()
    assert min_turns(show, 50) == 2  # the natural count is 2; never fewer than 2
    assert min_turns(show, 400) == 5  # natural 9, half of it rounded up
    one = _segment(("joe", "A single long monologue about light and time and the age of the cosmos."))
    result = check_turns(one, show, 120)
    assert not result.passed and result.detail == "1 turn; at least 2 for ~120 words"
    assert "at least 2 turns" in result.fix
    assert not check_turns(GOOD, show, 400).passed
    assert check_turns(GOOD, show, 200).passed
    assert min_turns(_with_quality(show, min_turns_ratio=1.0), 400) == 9


def test_every_host_must_speak() -> None:
    show = starter_show()
    solo = _segment(("joe", "Light is slow."), ("joe", "And the universe is young."))
    result = check_speakers(solo, show, 60)
    assert not result.passed
    assert result.detail == "1 of 2 hosts speak; Maya never speaks"
    assert "give Maya turns" in result.fix
    assert check_speakers(GOOD, show, 60).passed


def test_no_host_above_their_share_and_roles_set_the_limit() -> None:
    show = starter_show()
    lopsided = _segment(
        ("maya", "Why?"),
        ("joe", " ".join(["Because light from the farthest stars has not had the time to arrive."] * 3)),
    )
    result = check_balance(lopsided, show)
    assert not result.passed
    assert result.detail.startswith("Joe speaks 9") and "(at most 70%)" in result.detail
    assert "give Maya more to say" in result.fix
    # Defaults by cast size, a show-wide limit, and a host's own limit from their role.
    assert host_share_limit(show, "joe") == 0.7
    assert host_share_limit(_with_quality(show, max_host_share=0.8), "joe") == 0.8
    explainer = show.host("joe").model_copy(update={"max_word_share": 0.99})
    roles = show.model_copy(update={"hosts": (show.host("maya"), explainer)})
    assert host_share_limit(roles, "joe") == 0.99 and host_share_limit(roles, "maya") == 0.7
    assert check_balance(lopsided, roles).passed
    assert check_balance(GOOD, show).passed


@pytest.mark.parametrize(
    "line",
    [
        "Welcome to Curious Minutes, the show about big ideas.",
        "Welcome back, everyone.",
        "Hello everyone, today we look up.",
        "Hi there! Let's talk about the sky.",
        "I'm Maya, and with me is Joe.",
        "Thanks for listening, see you next time.",
        "That's all for today.",
        "This is Curious Minutes.",
    ],
)
def test_greetings_and_sign_offs_fail_a_body_segment(line: str) -> None:
    show = starter_show()
    segment = _segment(("maya", line), ("joe", "The sky is dark because light takes time."))
    result = check_greetings(segment, show)
    assert not result.passed
    assert re.split(r"[.!,]", line)[0] in result.detail
    assert "start straight into the subject" in result.fix


def test_ordinary_words_are_not_greetings() -> None:
    show = starter_show()
    segment = _segment(
        ("maya", "You're welcome to disagree, but hey, that's a welcome surprise."),
        ("joe", "Say hi to the Andromeda galaxy: its light left it before humans existed."),
    )
    assert check_greetings(segment, show).passed


def test_bookends_may_greet_but_body_segments_may_not() -> None:
    show = starter_show()
    hello = (
        ("maya", "Welcome to Curious Minutes! I'm Maya."),
        ("joe", "And I'm Joe. Today: why is night dark?"),
    )
    intro = check_segment(_segment(*hello, kind="intro"), show, stage="intro", target_words=20)
    body = check_segment(_segment(*hello, kind="setup"), show, stage="segment-1", target_words=20)
    assert intro.passed and intro.result(Check.GREETINGS) is None
    assert [result.check for result in body.failed] == [Check.GREETINGS]


def test_a_sentence_from_an_earlier_segment_is_a_repeat() -> None:
    show = starter_show()
    later = _segment(
        (
            "maya",
            "Remember: the universe is about 13.8 billion years old, "
            "so light from farther away has not reached us.",
        ),
        ("joe", "And expansion stretches the light that does arrive into the infrared."),
        title="Expansion",
    )
    result = check_repetition(later, show, [GOOD])
    assert not result.passed
    assert result.detail.startswith("1 repeated sentence: ")
    assert "repeats 'Light takes time'" in result.detail
    assert check_repetition(later, show, []).passed


def test_a_sentence_said_twice_in_one_segment_is_a_repeat_and_short_filler_is_not() -> None:
    show = starter_show()
    looping = _segment(
        ("maya", "The stars are far away and their light is faint."),
        ("joe", "Exactly. The stars are far away and their light is faint."),
        ("maya", "Exactly."),
    )
    result = check_repetition(looping, show, [])
    assert not result.passed and "repeats itself" in result.detail
    filler = _segment(("maya", "That's a great question."), ("joe", "That's a great question."))
    assert check_repetition(filler, show, []).passed


def test_turns_cut_mid_sentence_fail() -> None:
    cut = _segment(("maya", "Why is it dark?"), ("joe", "Because the light from the most distant"))
    result = check_cut_off(cut)
    assert not result.passed
    assert result.detail == '1 turn cut mid-sentence, first turn 2: "…the light from the most distant"'
    quoted = _segment(("maya", 'He said "look up."'), ("joe", "Wow…"), ("maya", "Really?!"))
    assert check_cut_off(quoted).passed


def test_script_length_within_tolerance() -> None:
    assert check_length(230, 228, 0.15).passed
    assert check_length(194, 228, 0.15).passed
    short = check_length(120, 228, 0.15)
    assert not short.passed and short.detail.endswith("47% too short")
    assert "193–263" in short.detail
    assert not check_length(300, 228, 0.15).passed
