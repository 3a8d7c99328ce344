"""Takes packed into Whisper's 30-second windows: the layout, and words going back to the take they were
heard in, so a fault in one take of a packed window is that take's alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from podwright.audio.whisper_checker import GAP_S, WINDOW_S, WhisperChecker, pack_takes, words_by_take
from podwright.core.show import QASettings, VoiceRef
from podwright.core.speech import AudioClip, SpeechRequest
from podwright.stages.take_check import TakeProblem, check_take
from podwright.tts.registry import create_engine
from tests.support.faulty_engine import Fault, inject


def test_short_takes_fill_windows_in_order_and_never_straddle_one() -> None:
    packing = pack_takes([4.0] * 15)
    # 4 s + 0.4 s of silence each: six takes fit in 30 s (26.4 s), the seventh opens a window.
    assert len(packing.windows) == 3
    assert all(end - start <= WINDOW_S + 1e-9 for start, end in packing.windows)
    for start, end in packing.spans:
        assert sum(w_start <= start and end <= w_end for w_start, w_end in packing.windows) == 1
    gaps = [b[0] - a[1] for a, b in zip(packing.spans, packing.spans[1:], strict=False)]
    assert gaps == pytest.approx([GAP_S] * 14)


def test_a_take_longer_than_a_window_gets_windows_of_its_own() -> None:
    packing = pack_takes([3.0, 45.0, 2.0])
    assert packing.spans[1] == pytest.approx((3.4, 48.4))
    assert packing.windows[0] == pytest.approx((0.0, 3.4))  # the short take is not cut by the long one
    assert packing.windows[1] == pytest.approx((3.4, 33.4))
    # The long take's tail and the next short take share the last window.
    assert packing.windows[2] == pytest.approx((33.4, 51.2))
    assert len(packing.windows) == 3


def test_each_word_goes_to_the_take_its_midpoint_falls_in() -> None:
    spans = [(0.0, 2.0), (2.4, 5.0), (5.4, 7.0)]
    words = [
        (0.1, 0.5, " Hello"),
        (1.8, 2.3, " there."),  # midpoint 2.05: in the gap, nearer the first take
        (2.5, 3.0, " Second"),
        (4.9, 5.3, " one."),  # midpoint 5.1: in the gap, nearer the second
    ]
    assert words_by_take(spans, words) == ["Hello there.", "Second one.", ""]


TEXTS = (
    "The lighthouse keeper climbed the stairs every night.",
    "A ring of glass prisms bends the light into one beam.",
    "Sailors counted the seconds between the flashes.",
)


@pytest.fixture(scope="module")
def hibari_takes() -> list[AudioClip]:
    engine = create_engine("hibari")
    engine.load()
    voice = VoiceRef(engine="hibari", voice="heart", settings={"seed": 7})
    return engine.synthesize(
        [SpeechRequest(text=text, voice=voice, key=str(i)) for i, text in enumerate(TEXTS)]
    )


@pytest.fixture(scope="module")
def checker(whisper_model: Path) -> WhisperChecker:
    return WhisperChecker(whisper_model)


@pytest.mark.slow
@pytest.mark.parametrize("fault", [Fault.TRUNCATION, Fault.REPETITION, Fault.GARBLE, Fault.SILENCE])
def test_a_fault_in_one_take_of_a_packed_window_is_that_takes_alone(
    checker: WhisperChecker, hibari_takes: list[AudioClip], fault: Fault
) -> None:
    clean = hibari_takes
    spoiled = AudioClip(
        samples=inject(fault, clean[1].samples, clean[1].sample_rate), sample_rate=clean[1].sample_rate
    )
    clips = [clean[0], spoiled, clean[2]]
    before = checker.windows_heard
    heard = checker.hear(clips)
    assert checker.windows_heard - before == 1, "three short takes share one window"
    settings = QASettings()
    verdicts = [
        check_take(text, said, clip.samples, clip.sample_rate, settings)
        for text, said, clip in zip(TEXTS, heard, clips, strict=True)
    ]
    assert verdicts[0].passed and verdicts[2].passed, heard
    assert not verdicts[1].passed, heard
    if fault in (Fault.TRUNCATION, Fault.GARBLE, Fault.SILENCE):
        assert TakeProblem.WORDS in verdicts[1].problems or TakeProblem.TOO_SHORT in verdicts[1].problems


@pytest.mark.slow
def test_packed_takes_are_heard_as_they_are_alone(
    checker: WhisperChecker, hibari_takes: list[AudioClip]
) -> None:
    before = checker.windows_heard
    packed = checker.hear(hibari_takes)
    alone = [checker.hear([clip])[0] for clip in hibari_takes]
    settings = QASettings()
    for text, together, single, clip in zip(TEXTS, packed, alone, hibari_takes, strict=True):
        assert check_take(text, together, clip.samples, clip.sample_rate, settings).passed, together
        assert check_take(text, single, clip.samples, clip.sample_rate, settings).passed, single
    assert checker.windows_heard - before == 1 + len(TEXTS)
    assert np.all([bool(text) for text in packed])
