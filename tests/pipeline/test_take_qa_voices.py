"""Take QA on the real offline voices (hibari, piper) heard by the bundled Whisper-base, with one chunk in
five spoiled by the faults GPU voices are known for: QA catches them, passes clean takes, retakes fix
what a new seed fixes, and an always-bad line ends flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from podwright.audio.whisper_checker import WhisperChecker
from podwright.core.show import QASettings
from podwright.pipeline.take_review import TakeReview
from podwright.pipeline.voicing import ScriptVoicer
from podwright.tts.cache import ChunkCache
from podwright.tts.registry import create_engine
from tests.support.faulty_engine import FaultyEngine
from tests.support.qa_set import CAST, fault_rates, faulty_set


@pytest.mark.slow
def test_qa_catches_injected_faults_and_passes_clean_takes(tmp_path: Path, whisper_model: Path) -> None:
    qa_set = faulty_set(lines=30)
    engines = {
        name: FaultyEngine(create_engine(name), qa_set.faults, stubborn=qa_set.stubborn)
        for name in ("hibari", "piper")
    }
    with TakeReview(WhisperChecker(whisper_model), QASettings()) as review:
        voicer = ScriptVoicer(engines, ChunkCache(tmp_path / "chunks"), lexicon={}, review=review)
        voiced = voicer.voice(qa_set.script, CAST)
    assert voiced.qa is not None
    rates = fault_rates(voiced.qa, qa_set)
    print(f"\ntake QA: {rates}")
    assert rates.faults >= 5 and rates.clean >= 20
    assert rates.detected >= 0.95 * rates.faults, rates.missed
    # ≤ 2% of clean chunks is a rate the benchmark measures on 48 (docs/benchmarks.md, "Take QA");
    # on this set's 24 that is "at most one": Whisper-base now and then mishears a clean piper line
    # ("Cities grew" → "city screw"), and a deterministic voice's retake repeats it.
    assert rates.clean_failed <= max(1, 0.02 * rates.clean), rates.false_alarms
    assert rates.clean_flagged <= max(1, 0.02 * rates.clean), rates.false_alarms
    # Faults a new seed fixes are fixed by a retake; the stubborn line ends flagged after 1 + 2 takes,
    # or after 2 in piper's deterministic voice: its retake is the same samples, and a third could not differ.
    flagged = {line.text: line for line in voiced.qa.flagged if line.text in qa_set.faults}
    assert set(flagged) == set(qa_set.stubborn)
    for line in flagged.values():
        assert len(line.takes) == (2 if CAST[line.host].engine == "piper" else 3)
