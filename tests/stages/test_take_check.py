"""Take QA's pure checks: word and letter errors after normalization, length for the words, silence,
trailing noise, clipping, and which take is kept."""

from __future__ import annotations

import numpy as np
import pytest

from podwright.core.show import QASettings
from podwright.stages.take_check import (
    TakeProblem,
    allowed_word_errors,
    best_take,
    check_take,
    measure_signal,
)
from podwright.stages.words import character_error_rate, word_errors

RATE = 16_000
TEXT = "The river moves a little every single year."  # 8 words


def _voice(seconds: float, amplitude: float = 0.3) -> np.ndarray:
    """A harmonic, speech-like sound: a 150 Hz buzz with overtones, syllable-like amplitude."""
    t = np.arange(round(seconds * RATE)) / RATE
    buzz = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))
    syllables = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)
    return (amplitude * buzz * syllables / 2.3).astype(np.float32)


def _problems(samples: np.ndarray, heard: str = TEXT, text: str = TEXT) -> tuple[TakeProblem, ...]:
    return check_take(text, heard, samples, RATE, QASettings()).problems


@pytest.mark.parametrize(
    ("reference", "hypothesis", "errors"),
    [
        ("It holds 1,024 entries.", "It holds one thousand twenty-four entries.", 0),
        ("It holds 1,024 entries.", "it holds one thousand and twenty four entries", 1),
        ("Fifty percent, she said!", "50% she said", 0),
        ("the cat sat", "the cat sat sat sat", 2),
    ],
)
def test_word_errors_after_normalization(reference: str, hypothesis: str, errors: int) -> None:
    assert word_errors(reference, hypothesis) == errors


def test_letters_forgive_a_split_word_but_not_a_cut() -> None:
    assert character_error_rate("a sandbar overnight", "a sand bar overnight") == 0.0
    assert character_error_rate(TEXT, "The river moves") > 0.5
    assert character_error_rate("", "") == 0.0 and character_error_rate("", "words") == 1.0


def test_a_clean_take_passes() -> None:
    verdict = check_take(TEXT, TEXT.lower().rstrip("."), _voice(3.0), RATE, QASettings())
    assert verdict.passed and verdict.word_errors == 0 and verdict.words == 8
    assert verdict.duration_s == pytest.approx(3.0)


def test_a_split_word_passes_but_wrong_words_fail() -> None:
    text = "A single storm can move a sandbar overnight."
    assert _problems(_voice(3.0), "A single storm can move a sand bar overnight.", text) == ()
    assert _problems(_voice(3.0), "The river moves") == (TakeProblem.WORDS,)
    assert _problems(_voice(3.0), "") == (TakeProblem.WORDS,)


def test_one_misheard_word_is_allowed_in_a_short_line() -> None:
    assert _problems(_voice(0.8), "Why.", "Yes?") == ()  # min_word_errors = 1
    assert _problems(_voice(0.8), "No, never, not at all.", "Yes?") == (TakeProblem.WORDS,)


@pytest.mark.parametrize(("words", "allowed"), [(1, 1), (4, 1), (5, 1), (10, 2), (20, 4)])
def test_allowed_word_errors(words: int, allowed: int) -> None:
    assert allowed_word_errors(words, QASettings()) == allowed


def test_length_limits_follow_the_words() -> None:
    # 8 words: too long above 1.5 + 0.75 × 8 = 7.5 s, too short below 0.12 × 8 = 0.96 s.
    assert _problems(_voice(7.4)) == ()
    assert TakeProblem.TOO_LONG in _problems(_voice(7.6))
    assert TakeProblem.TOO_SHORT in _problems(_voice(0.9))


def test_silence_inside_or_instead_of_the_take_fails() -> None:
    gap = np.zeros(round(1.8 * RATE), dtype=np.float32)
    assert _problems(np.concatenate([_voice(1.5), gap, _voice(1.5)])) == (TakeProblem.SILENCE,)
    quiet = np.random.default_rng(0).normal(0, 1e-4, 3 * RATE).astype(np.float32)
    assert TakeProblem.SILENCE in _problems(quiet, heard="")
    assert measure_signal(_voice(3.0), RATE).longest_silence_s == 0.0


def test_noise_after_the_words_fails_but_a_short_hiss_does_not() -> None:
    rng = np.random.default_rng(1)
    breath = rng.normal(0, 0.05, round(1.2 * RATE)).astype(np.float32)
    assert _problems(np.concatenate([_voice(3.0), breath])) == (TakeProblem.NOISE,)
    hiss = breath[: round(0.2 * RATE)]  # an "s" at the end of a word
    assert _problems(np.concatenate([_voice(3.0), hiss])) == ()
    assert measure_signal(np.concatenate([_voice(3.0), breath]), RATE).noise_tail_s >= 1.0


def test_clipping_fails() -> None:
    loud = np.clip(_voice(3.0, amplitude=1.6), -1.0, 1.0)
    assert _problems(loud) == (TakeProblem.CLIPPED,)


def test_best_take_is_the_first_that_passed_else_the_least_bad() -> None:
    bad = check_take(TEXT, "", _voice(3.0), RATE, QASettings())
    worse = check_take(TEXT, "", np.zeros(3 * RATE, dtype=np.float32), RATE, QASettings())
    good = check_take(TEXT, TEXT, _voice(3.0), RATE, QASettings())
    assert best_take([bad, good, good]) == 1
    assert best_take([worse, bad]) == 1
    assert best_take([bad, worse]) == 0
    with pytest.raises(ValueError):
        best_take([])


def test_a_take_too_long_for_the_voices_pace_fails_under_the_word_limit() -> None:
    # 8 words, 35 letters: 5.0 s is under the 7.5 s word limit, but a voice that speaks this line in
    # 2.8 s (0.08 s per letter) only stretches to 1.25 × 2.8 + 0.5 = 4.0 s: a loop, not a pause.
    assert _problems(_voice(5.0)) == ()
    assert _problems_at_pace(_voice(5.0), 0.08) == (TakeProblem.TOO_LONG,)
    assert _problems_at_pace(_voice(3.2), 0.08) == ()


def _problems_at_pace(samples: np.ndarray, pace: float) -> tuple[TakeProblem, ...]:
    return check_take(TEXT, TEXT, samples, RATE, QASettings(), pace_s_per_letter=pace).problems
