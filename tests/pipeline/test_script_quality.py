"""The repair pass in the script DAG: a failing segment is asked again once, and failures are reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from podwright.core import LLMRequest, Task
from podwright.core.show import QualitySettings
from podwright.pipeline.script import ScriptPipeline
from podwright.pipeline.script_files import write_script_files
from podwright.stages.quality import Check
from tests.stages.shows import episode, starter_show
from tests.support.scripted_llm import ScriptedLLM

DIALOGUE_TASKS = (Task.SEGMENT, Task.INTRO, Task.CONCLUSION)
ONE_TURN = json.dumps(
    {"turns": [{"speaker": "joe", "text": "Light is slow and the universe is young, so the sky is dark."}]}
)


def _by_stage(llm: ScriptedLLM) -> dict[str, LLMRequest]:
    return {request.stage: request for request in llm.requests}


async def test_a_failing_segment_is_asked_again_once_naming_the_failed_checks() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids, scripted={"segment-2": [ONE_TURN]})
    result = await ScriptPipeline(llm, show).write(episode())
    stages = [request.stage for request in llm.requests]
    assert stages.count("segment-2") == 1 and stages.count("segment-2-repair") == 1
    assert not any(stage.endswith("-repair") and stage != "segment-2-repair" for stage in stages)
    by_stage = _by_stage(llm)
    first, repair = by_stage["segment-2"], by_stage["segment-2-repair"]
    # Everything the first call said is said again, byte for byte: the cache still serves the prefix.
    assert repair.messages[: len(first.messages)] == first.messages
    assert repair.messages[1].cache_breakpoint
    assert repair.json_schema == first.json_schema and repair.grammar_schema == first.grammar_schema
    assert len(repair.messages) == len(first.messages) + 1 and repair.messages[-1].role == "user"
    note = repair.messages[-1].content
    assert "- turns: 1 turn; at least 3 for ~292 words. Fix: write at least 3 turns" in note
    assert "- speakers: 1 of 2 hosts speak; Maya never speaks" in note
    # The repaired draft is the one in the script, and the record tells the story.
    segment = result.script.segments[2]
    assert len(segment.turns) == 4 and "DIALOGUE-segment-2-repair" in segment.turns[0].text
    quality = result.run.quality
    assert quality is not None
    review = quality.segments[2]
    assert review.first.stage == "segment-2" and not review.first.passed
    assert {r.check for r in review.first.failed} == {Check.TURNS, Check.SPEAKERS, Check.BALANCE}
    assert review.repair is not None and review.repair.passed and review.kept == "repair"
    assert all(
        other.final.passed and not other.asked_again for i, other in enumerate(quality.segments) if i != 2
    )
    assert quality.repair.calls == 1 and quality.repair.output_tokens > 0
    assert quality.repair.output_tokens == result.run.stage("segment-2-repair").output_tokens
    assert "5 of 5 segments pass every check (1 asked again)" in quality.summary()


class AlwaysOneHost(ScriptedLLM):
    """A model that never learns: every dialogue is one host greeting in a single unfinished turn."""

    def answer(self, request: LLMRequest) -> dict[str, Any]:
        if request.task in DIALOGUE_TASKS:
            return {"turns": [{"speaker": "joe", "text": "Welcome to Curious Minutes, where the light from"}]}
        return super().answer(request)


async def test_an_always_failing_model_is_asked_once_more_per_segment_and_reported_not_looped() -> None:
    show = starter_show()
    llm = AlwaysOneHost(show.host_ids)
    result = await ScriptPipeline(llm, show).write(episode())
    dialogue_stages = [request.stage for request in llm.requests if request.task in DIALOGUE_TASKS]
    assert len(dialogue_stages) == 10  # five segments, each written twice, never a third time
    assert sorted(dialogue_stages) == sorted(
        [
            *(s for s in ("intro", "segment-1", "segment-2", "segment-3", "conclusion")),
            *(f"{s}-repair" for s in ("intro", "segment-1", "segment-2", "segment-3", "conclusion")),
        ]
    )
    quality = result.run.quality
    assert quality is not None and not quality.passed
    assert len(quality.failing) == 5
    body = quality.segments[1].final
    assert {r.check for r in body.failed} == {
        Check.TURNS,
        Check.SPEAKERS,
        Check.BALANCE,
        Check.GREETINGS,
        Check.CUT_OFF,
    }
    # The conclusion says what segment 1 said, word for word: a repeat, and the intro the same.
    assert quality.segments[4].final.result(Check.REPETITION) is not None
    summary = quality.summary()
    assert summary.startswith("quality: 0 of 5 segments pass every check (5 asked again)")
    assert "✗ segment-1" in summary and "greetings" in summary
    assert "repair: 5 calls" in summary
    assert len(result.script.segments) == 5  # the episode went on


async def test_a_repair_that_stays_invalid_keeps_the_first_draft_and_says_why() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids, scripted={"segment-1": [ONE_TURN], "segment-1-repair": ["{", "{"]})
    result = await ScriptPipeline(llm, show).write(episode())
    quality = result.run.quality
    assert quality is not None
    review = quality.segments[1]
    assert review.repair is None and review.kept == "first" and review.asked_again
    assert review.repair_error is not None and "segment-1-repair" in review.repair_error
    assert result.script.segments[1].turns[0].text.startswith("Light is slow")
    assert "✗ segment-1" in quality.summary()


async def test_a_repair_that_fails_more_checks_than_the_first_draft_is_not_kept() -> None:
    show = starter_show()
    worse = json.dumps({"turns": [{"speaker": "joe", "text": "Hello everyone and welcome to"}]})
    llm = ScriptedLLM(show.host_ids, scripted={"segment-1": [ONE_TURN], "segment-1-repair": [worse]})
    result = await ScriptPipeline(llm, show).write(episode())
    assert result.run.quality is not None
    review = result.run.quality.segments[1]
    assert review.kept == "first" and review.repair is not None
    assert len(review.repair.failed) > len(review.first.failed)
    assert result.script.segments[1].turns[0].text.startswith("Light is slow")


async def test_repeating_an_earlier_segment_or_the_body_in_the_intro_is_repaired() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids)
    result = await ScriptPipeline(llm, show).write(episode())
    said = result.script.segments[1].turns[1].text  # a line of segment 1
    echo = {
        "turns": [
            {"speaker": "maya", "text": said},
            {"speaker": "joe", "text": "A new and different thought about clocks."},
        ]
    }
    llm = ScriptedLLM(show.host_ids, scripted={"segment-3": [json.dumps(echo)], "intro": [json.dumps(echo)]})
    result = await ScriptPipeline(llm, show).write(episode())
    stages = {request.stage for request in llm.requests}
    assert {"segment-3-repair", "intro-repair"} <= stages
    assert "segment-2-repair" not in stages and "conclusion-repair" not in stages
    note = _by_stage(llm)["segment-3-repair"].messages[-1].content
    assert "- repetition: 1 repeated sentence:" in note and "repeats 'Part 1'" in note
    assert result.run.quality is not None and not result.run.quality.failing


async def test_repair_off_reports_without_asking_again() -> None:
    show = starter_show().model_copy(update={"quality": QualitySettings(repair=False)})
    llm = ScriptedLLM(show.host_ids, scripted={"segment-2": [ONE_TURN]})
    result = await ScriptPipeline(llm, show).write(episode())
    assert not any(request.stage.endswith("-repair") for request in llm.requests)
    assert result.run.quality is not None
    assert [segment.stage for segment in result.run.quality.failing] == ["segment-2"]
    assert result.run.quality.repair.calls == 0


async def test_the_quality_record_goes_into_run_json(tmp_path: Path) -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids, scripted={"segment-2": [ONE_TURN]})
    result = await ScriptPipeline(llm, show).write(episode(minutes=1.0))
    write_script_files(result, tmp_path)
    quality = json.loads((tmp_path / "run.json").read_text())["script"]["quality"]
    assert [review["first"]["stage"] for review in quality["segments"]] == [
        "intro",
        "segment-1",
        "segment-2",
        "segment-3",
        "conclusion",
    ]
    assert quality["segments"][2]["kept"] == "repair"
    assert quality["segments"][2]["first"]["results"][0] == {
        "check": "turns",
        "passed": False,
        "detail": quality["segments"][2]["first"]["results"][0]["detail"],
        "fix": quality["segments"][2]["first"]["results"][0]["fix"],
    }
    assert quality["length"]["check"] == "length"
    assert quality["repair"]["calls"] == 1
