"""The retake loop with a fast checker: failed takes are re-synthesized with another seed, the best is
kept (and only it is cached), an always-bad line ends flagged, cached takes are not heard twice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from podwright.core.episode import Script, Segment, Turn
from podwright.core.errors import AudioError
from podwright.core.show import QASettings, VoiceRef
from podwright.pipeline.take_review import TakeReview, retake_voice
from podwright.pipeline.voicing import ScriptVoicer
from podwright.stages.take_check import TakeProblem
from podwright.tts.cache import ChunkCache
from tests.support.faulty_engine import Fault, FaultyEngine
from tests.support.heard_back import Transcribed, TranscriptChecker
from tests.support.tone_engine import ToneEngine

LINES = (
    "Welcome back to the show about rivers.",
    "Rivers move a little every single year.",
    "So every map is only a snapshot in time.",
    "Surveyors return to the same bend each season.",
    "Thanks for listening, and see you next week.",  # every line a different length: tones differ
)
CAST = {"ava": VoiceRef(engine="tone", voice="high", settings={"seed": 7})}


def _script(lines: tuple[str, ...] = LINES) -> Script:
    turns = tuple(Turn(host="ava", text=line) for line in lines)
    return Script(
        episode_id="ep",
        show_slug="s",
        title="Rivers",
        hosts={"ava": "Ava"},
        segments=(Segment(kind="intro", title="Rivers", turns=turns),),
    )


def _voice(
    tmp_path: Path,
    faults: dict[str, Fault],
    *,
    stubborn: tuple[str, ...] = (),
    retakes: int = 2,
    checker: TranscriptChecker | None = None,
    qa: bool = True,
) -> tuple[object, FaultyEngine, TranscriptChecker, ChunkCache]:
    checker = checker or TranscriptChecker()
    engine = FaultyEngine(Transcribed(ToneEngine(), checker), faults, stubborn=stubborn)
    cache = ChunkCache(tmp_path / "chunks")
    review = TakeReview(checker, QASettings(retakes=retakes)) if qa else None
    voicer = ScriptVoicer({"tone": engine}, cache, lexicon={}, review=review)
    try:
        voiced = voicer.voice(_script(), CAST)
    finally:
        if review is not None:
            review.close()
    return voiced, engine, checker, cache


def test_clean_takes_pass_on_the_first_take(tmp_path: Path) -> None:
    voiced, _, checker, _ = _voice(tmp_path, {})
    assert voiced.qa is not None
    assert [len(line.takes) for line in voiced.qa.lines] == [1] * len(LINES)
    assert not voiced.qa.flagged and voiced.qa.retakes == 0
    assert [line.text for line in voiced.qa.lines] == list(LINES)
    assert checker.heard == len(LINES)
    assert [line.verdict.heard for line in voiced.qa.lines] == list(LINES)


@pytest.mark.parametrize("fault", list(Fault))
def test_a_fault_a_new_seed_fixes_is_retaken_and_the_good_take_kept(tmp_path: Path, fault: Fault) -> None:
    voiced, engine, _, cache = _voice(tmp_path, {LINES[1]: fault})
    assert voiced.qa is not None
    line = voiced.qa.lines[1]
    assert not line.flagged and len(line.takes) == 2 and line.kept == 1
    assert not line.takes[0].passed and line.takes[1].passed
    seeds = [seed for text, seed, _ in engine.takes if text == LINES[1]]
    assert seeds == [7, 8]  # the retake asked for another seed
    assert voiced.qa.retakes == 1 and voiced.stats.engines["tone"].retakes == 1
    clean = ToneEngine().tone(voiced_request(LINES[1]))
    cached = cache.get(line.key)
    assert cached is not None and np.array_equal(cached.samples, clean)  # only the accepted take
    assert cache.hearing(line.key, "whisper-base") == LINES[1]


def voiced_request(text: str):  # type: ignore[no-untyped-def]
    from podwright.core.speech import SpeechRequest

    return SpeechRequest(text=text, voice=CAST["ava"], key="x")


def test_an_always_bad_line_ends_flagged_after_its_retakes(tmp_path: Path) -> None:
    voiced, engine, _, cache = _voice(tmp_path, {LINES[2]: Fault.SILENCE}, stubborn=(LINES[2],))
    assert voiced.qa is not None
    (flagged,) = voiced.qa.flagged
    assert flagged.text == LINES[2] and len(flagged.takes) == 3
    assert TakeProblem.SILENCE in flagged.verdict.problems and TakeProblem.WORDS in flagged.verdict.problems
    assert [seed for text, seed, _ in engine.takes if text == LINES[2]] == [7, 8, 9]
    assert len(engine.takes) == len(LINES) + 2
    assert flagged.key in cache  # the best of the bad takes is what the episode holds
    assert (flagged.segment, flagged.turn, flagged.host) == (0, 2, "ava")


def test_no_retakes_flags_at_once(tmp_path: Path) -> None:
    voiced, engine, _, _ = _voice(tmp_path, {LINES[0]: Fault.TRUNCATION}, retakes=0)
    assert voiced.qa is not None
    assert [line.text for line in voiced.qa.flagged] == [LINES[0]]
    assert len(engine.takes) == len(LINES)


def test_accepted_takes_are_not_heard_again(tmp_path: Path) -> None:
    checker = TranscriptChecker()
    _voice(tmp_path, {LINES[3]: Fault.GARBLE}, checker=checker)
    heard = checker.heard
    again, engine, _, _ = _voice(tmp_path, {}, checker=checker)
    assert again.qa is not None
    assert engine.takes == [] and checker.heard == heard  # nothing spoken, nothing heard
    assert all(line.from_cache and not line.flagged for line in again.qa.lines)


def test_chunks_cached_without_qa_are_heard_and_retaken_if_bad(tmp_path: Path) -> None:
    checker = TranscriptChecker()
    _voice(tmp_path, {LINES[4]: Fault.TRAILING_NOISE}, qa=False, checker=checker)  # a bad take cached
    again, engine, _, _ = _voice(tmp_path, {}, checker=checker)
    assert again.qa is not None
    # Every cached chunk and the retake; a word failure heard in a batch is confirmed alone (0 or 1).
    assert checker.heard - (len(LINES) + 1) in (0, 1)
    assert [text for text, _, _ in engine.takes] == [LINES[4]]  # only the bad one re-synthesized
    assert not again.qa.flagged and again.qa.lines[4].kept == 1


def test_a_broken_checker_stops_the_render_with_its_error(tmp_path: Path) -> None:
    broken = TranscriptChecker(fail_with=AudioError("model broke", hint="rebuild it"))
    with pytest.raises(AudioError, match="model broke"):
        _voice(tmp_path, {}, checker=broken)


def test_qa_off_reports_nothing(tmp_path: Path) -> None:
    voiced, _, checker, _ = _voice(tmp_path, {LINES[0]: Fault.SILENCE}, qa=False)
    assert voiced.qa is None and checker.heard == 0


def test_retake_voice_changes_only_the_seed() -> None:
    voice = VoiceRef(engine="piper", voice="joe", settings={"deterministic": True})
    assert retake_voice(voice, 2).settings == {"deterministic": True, "seed": 2}
    assert retake_voice(CAST["ava"], 1).settings == {"seed": 8}


def test_a_voice_that_ignores_the_seed_is_heard_again_instead_of_retaken(tmp_path: Path) -> None:
    # The tone engine ignores the seed and garble only reverses its take: every retake is the same samples.
    bad = (LINES[1], LINES[3])
    checker = TranscriptChecker()
    engine = FaultyEngine(Transcribed(ToneEngine(), checker), dict.fromkeys(bad, Fault.GARBLE), stubborn=bad)
    review = TakeReview(checker, QASettings())
    voicer = ScriptVoicer({"tone": engine}, ChunkCache(tmp_path / "chunks"), lexicon={}, review=review)
    with review:
        first = voicer.voice(_script(LINES[:3]), CAST)
        assert review.fixed_voices == {("tone", "high")}  # its retake came back as the same samples
        second = voicer.voice(_script(LINES[3:]), CAST)
    assert first.qa is not None and second.qa is not None
    (learned,) = first.qa.flagged
    assert learned.text == LINES[1] and len(learned.takes) == 2 and first.qa.retakes == 1
    (known,) = second.qa.flagged
    assert known.text == LINES[3] and len(known.takes) == 2  # heard twice, as the same samples
    assert second.qa.retakes == 0 and second.stats.engines["tone"].retakes == 0
    assert [text for text, _, _ in engine.takes].count(LINES[3]) == 1  # never synthesized again
