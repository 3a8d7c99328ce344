"""The script DAG against an in-process scripted client: call graph, summary-only bookends, records."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from podwright.core import OutputError, Script, Segment, SourceDoc, Task
from podwright.pipeline.run_record import StageEvent, write_run_json
from podwright.pipeline.script import ScriptPipeline
from podwright.pipeline.script_files import write_script_files
from tests.stages.shows import episode, starter_show
from tests.support.scripted_llm import ScriptedLLM

DELAYS = {task: 0.02 for task in Task}


async def test_call_graph_first_segment_alone_then_the_rest_overlap() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids, delays=DELAYS)
    result = await ScriptPipeline(llm, show).write(episode())
    spans = {span.stage: span for span in llm.spans}
    order = [span.stage for span in llm.spans]
    assert order[:3] == ["research", "outline", "segment-1"]
    assert spans["segment-1"].overlapped == set()
    assert spans["segment-2"].start > spans["segment-1"].end
    assert "segment-3" in spans["segment-2"].overlapped
    assert spans["summary"].start > max(spans["segment-2"].end, spans["segment-3"].end)
    assert {"conclusion", "metadata", "image-prompts"} <= spans["intro"].overlapped
    assert all(
        spans[s].start > spans["summary"].end for s in ("intro", "conclusion", "metadata", "image-prompts")
    )
    assert [s.kind for s in result.script.segments] == [
        "intro",
        "setup",
        "deep_dive",
        "takeaways",
        "conclusion",
    ]


async def test_bookends_and_light_stages_read_the_summary_not_the_dialogue() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids)
    await ScriptPipeline(llm, show).write(episode())
    by_stage = {request.stage: request for request in llm.requests}
    assert "DIALOGUE-segment-2" in by_stage["summary"].messages[-1].content
    for stage in ("intro", "conclusion", "metadata", "image-prompts"):
        body = "\n".join(message.content for message in by_stage[stage].messages)
        assert "SUMMARY-TEXT" in body
        assert "DIALOGUE-" not in body


async def test_segment_calls_share_one_byte_identical_prefix() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids)
    await ScriptPipeline(llm, show).write(episode())
    segment_requests = [r for r in llm.requests if r.task is Task.SEGMENT]
    assert len(segment_requests) == 3
    assert len({r.messages[:2] for r in segment_requests}) == 1
    assert segment_requests[0].messages[1].cache_breakpoint
    # Segment 2 continues from segment 1's last lines; later ones only from the plan.
    assert "DIALOGUE-segment-1 line 4" in segment_requests[1].messages[2].content
    assert "DIALOGUE-segment-1" not in segment_requests[2].messages[2].content


async def test_script_is_typed_and_complete() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids)
    result = await ScriptPipeline(llm, show).write(episode("ep-42"))
    script = Script.model_validate_json(result.script.model_dump_json())
    assert script.episode_id == "ep-42" and script.show_slug == show.slug
    assert script.title == "Why Is the Night Sky Dark?"
    assert script.hosts == {"maya": "Maya", "joe": "Joe"}
    assert script.summary.startswith("SUMMARY-TEXT")
    assert script.metadata is not None and len(script.metadata.chapter_titles) == 5
    assert [p.target for p in script.image_prompts][:2] == ["cover", "segment-1"]
    assert len(script.image_prompts) == 6
    assert result.outline.title == "Why the sky is dark"


async def test_on_segment_gets_each_segment_as_it_is_written_and_may_be_async() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids, delays=DELAYS)
    seen: list[tuple[int, str, int]] = []

    async def render(index: int, segment: Segment) -> None:
        seen.append((index, segment.kind, len(llm.requests)))
        await asyncio.sleep(0)

    result = await ScriptPipeline(llm, show).write(episode(), on_segment=render)
    assert sorted(index for index, _, _ in seen) == [0, 1, 2, 3, 4]
    first = next(item for item in seen if item[0] == 1)
    # Segment 1 is handed over before the summary call is even made.
    assert first[2] <= 4
    assert {kind for _, kind, _ in seen} == {s.kind for s in result.script.segments}


async def test_run_record_has_every_stage_with_tokens_and_cost() -> None:
    show = starter_show()
    ticks = iter(range(1000))
    events: list[StageEvent] = []
    llm = ScriptedLLM(show.host_ids)
    result = await ScriptPipeline(llm, show, clock=lambda: float(next(ticks))).write(
        episode(), on_event=events.append
    )
    stages = {stage.stage for stage in result.run.stages}
    expected = {
        "research",
        "outline",
        "segment-1",
        "segment-2",
        "segment-3",
        "summary",
        "intro",
        "conclusion",
    }
    assert expected | {"metadata", "image-prompts"} == stages
    for stage in result.run.stages:
        assert stage.calls == 1 and stage.input_tokens > 0 and stage.output_tokens > 0
        assert stage.cost_usd == pytest.approx(0.001)
        assert stage.models_served == ("scripted-model",)
        assert stage.ended_s > stage.started_s
    assert result.run.calls == 10
    assert result.run.cost_usd == pytest.approx(0.010)
    assert [e.stage for e in events if e.finished] == [e.stage for e in events if e.finished and e.record]
    assert len([e for e in events if not e.finished]) == 10


async def test_unknown_cost_stays_unknown() -> None:
    show = starter_show()
    result = await ScriptPipeline(ScriptedLLM(show.host_ids, cost_usd=None), show).write(episode())
    assert result.run.cost_usd is None
    assert result.run.stage("summary").cost_usd is None


async def test_unknown_speaker_is_repaired_by_the_retry() -> None:
    show = starter_show()
    bad = json.dumps({"turns": [{"speaker": "narrator", "text": "Once upon a time"}]})
    llm = ScriptedLLM(show.host_ids, scripted={"segment-2": [bad]})
    result = await ScriptPipeline(llm, show).write(episode())
    repair = [r for r in llm.requests if r.stage == "segment-2"]
    assert len(repair) == 2
    assert "unknown speaker 'narrator'" in repair[1].messages[-1].content
    assert "joe, maya" in repair[1].messages[-1].content
    assert result.run.stage("segment-2").calls == 2
    assert all(turn.host in {"maya", "joe"} for turn in result.script.turns)


async def test_garbage_twice_is_a_clean_output_error() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids, scripted={"outline": ["not json", "still not json"]})
    with pytest.raises(OutputError, match="outline"):
        await ScriptPipeline(llm, show).write(episode())


async def test_long_sources_are_digested_piece_by_piece_concurrently() -> None:
    show = starter_show()
    long_doc = SourceDoc(origin="long.txt", title="Long", text="para " * 50)
    short_doc = SourceDoc(origin="short.txt", title="Short", text="short text")
    llm = ScriptedLLM(show.host_ids, delays={Task.SOURCE_SUMMARY: 0.02})
    pipeline = ScriptPipeline(
        llm,
        show,
        needs_summary=lambda doc: doc.origin == "long.txt",
        split_for_summary=lambda doc: ["piece one", "piece two", "piece three"],
    )
    result = await pipeline.write(episode(), [long_doc, short_doc])
    digests = [span for span in llm.spans if span.task is Task.SOURCE_SUMMARY]
    assert len(digests) == 3
    assert len(digests[0].overlapped) == 2
    assert result.sources[0].summary is not None and result.sources[1].summary is None
    research = next(r for r in llm.requests if r.task is Task.RESEARCH)
    assert result.sources[0].summary in research.messages[-1].content
    assert "short text" in research.messages[-1].content


async def test_script_files_are_written_and_run_json_keeps_other_sections(tmp_path: Path) -> None:
    show = starter_show()
    result = await ScriptPipeline(ScriptedLLM(show.host_ids), show).write(episode())
    (tmp_path / "run.json").write_text(json.dumps({"render": {"gpu_s": 1.5}}))
    write_script_files(result, tmp_path)
    assert Script.model_validate_json((tmp_path / "script.json").read_text()) == result.script
    markdown = (tmp_path / "script.md").read_text()
    assert markdown.startswith("# Why Is the Night Sky Dark?")
    assert "## Intro" in markdown and "**Maya:** DIALOGUE-intro line 1" in markdown
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["render"] == {"gpu_s": 1.5}
    assert {stage["stage"] for stage in run["script"]["stages"]} >= {"summary", "intro"}
    assert all("wall_s" in stage for stage in run["script"]["stages"])
    write_run_json(tmp_path / "run.json", result.run, extra={"package": {"mp3": True}})
    assert set(json.loads((tmp_path / "run.json").read_text())) == {"render", "script", "package"}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


async def test_sequential_writes_the_body_one_segment_after_another() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids, delays=DELAYS)
    result = await ScriptPipeline(llm, show, sequential=True).write(episode())
    spans = {span.stage: span for span in llm.spans}
    assert spans["segment-2"].start > spans["segment-1"].end
    assert spans["segment-3"].start > spans["segment-2"].end
    assert not {"segment-1", "segment-2", "segment-3"} & spans["segment-2"].overlapped
    assert [s.kind for s in result.script.segments[1:4]] == ["setup", "deep_dive", "takeaways"]


async def test_sequential_segments_are_told_the_earlier_sentences_behind_the_same_prefix() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids)
    result = await ScriptPipeline(llm, show, sequential=True).write(episode())
    segment_requests = [r for r in llm.requests if r.task is Task.SEGMENT]
    assert len(segment_requests) == 3
    assert len({r.messages[:2] for r in segment_requests}) == 1
    first, second, third = (request.messages[-1].content for request in segment_requests)
    body = result.script.segments[1:4]
    assert "Already said in the segments before" not in first
    # Every sentence segment 1 said is named for segment 2; segment 3 sees segments 1 and 2.
    for turn in body[0].turns:
        opening = "- " + " ".join(turn.text.split()[:5]) + " …"
        assert opening in second and opening in third
    for turn in body[1].turns:
        opening = "- " + " ".join(turn.text.split()[:5]) + " …"
        assert opening not in second and opening in third
    # Each continues from the segment just before it: who spoke last, not the last line quoted.
    last = body[1].turns[-1]
    assert f"ended with {show.host(last.host).name} speaking" in third
    assert last.text not in third


async def test_concurrent_by_default_and_no_said_sentences() -> None:
    show = starter_show()
    llm = ScriptedLLM(show.host_ids, delays=DELAYS)
    await ScriptPipeline(llm, show).write(episode())
    spans = {span.stage: span for span in llm.spans}
    assert "segment-3" in spans["segment-2"].overlapped
    tails = [r.messages[-1].content for r in llm.requests if r.task is Task.SEGMENT]
    assert not any("Already said in the segments before" in tail for tail in tails)
