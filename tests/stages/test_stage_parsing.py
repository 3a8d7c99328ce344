from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from podwright.core import ResearchBrief, Task
from podwright.stages import dialogue, image_prompts, metadata, outline, research, source_digest, summary
from podwright.stages.sizing import size_episode
from tests.stages.shows import episode, starter_show


def test_outline_follows_the_template_whatever_the_model_answers() -> None:
    show = starter_show()
    size = size_episode(show, 10)
    request = outline.build_request(show, episode(), ResearchBrief(summary="s"), size)
    assert request.task is Task.OUTLINE and request.stage == "outline" and request.json_schema
    # Two plans for a three-step template, in the model's own words.
    draft = outline.OutlineDraft.model_validate_json(
        json.dumps(
            {
                "title": " Dark skies ",
                "segments": [
                    {"title": "Hook", "key_points": ["why", " ", "stars"]},
                    {"title": "How", "key_points": ["light"]},
                ],
            }
        )
    )
    plan = outline.parse(draft, show, size)
    assert [s.kind for s in plan.segments] == [spec.kind for spec in show.template]
    assert sum(s.target_words for s in plan.segments) == size.body_words
    assert plan.title == "Dark skies"
    assert plan.segments[0].key_points == ("why", "stars")
    assert plan.segments[2].key_points == (show.template[2].intent,)


def test_dialogue_rejects_unknown_speakers_naming_the_known_ids() -> None:
    model = dialogue.dialogue_model(starter_show())
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json('{"turns": [{"speaker": "host1", "text": "Hi"}]}')
    message = str(caught.value)
    assert "unknown speaker 'host1'" in message and "joe, maya" in message


def test_dialogue_accepts_display_names_and_drops_blank_turns() -> None:
    model = dialogue.dialogue_model(starter_show())
    answer = model.model_validate_json(
        '{"turns": [{"speaker": "Maya", "text": "Hello"}, {"speaker": "joe", "text": "  "},'
        ' {"speaker": "JOE", "text": "Hi there."}]}'
    )
    segment = dialogue.parse(answer, kind="setup", title="Start")
    assert [(t.host, t.text) for t in segment.turns] == [("maya", "Hello"), ("joe", "Hi there.")]


def test_dialogue_schema_limits_speakers_to_host_ids() -> None:
    schema = dialogue.dialogue_schema(starter_show())
    assert schema["$defs"]["DialogueTurn"]["properties"]["speaker"]["enum"] == ["maya", "joe"]


def test_metadata_and_image_prompts_cover_every_segment() -> None:
    titles = ["Intro", "A", "B", "Conclusion"]
    meta = metadata.parse(
        metadata.MetadataDraft(
            title=" T ", description="D", tags=["#x", "x", "y"], chapter_titles=["W", " "]
        ),
        titles,
    )
    assert meta.chapter_titles == ("W", "A", "B", "Conclusion")
    assert meta.tags == ("x", "y") and meta.title == "T"
    prompts = image_prompts.parse(
        image_prompts.ImagePromptsDraft(cover="C", segments=["p1"]), title="T", segment_titles=titles
    )
    assert [p.target for p in prompts] == ["cover", "segment-1", "segment-2", "segment-3", "segment-4"]
    assert prompts[1].prompt == "p1" and "B" in prompts[3].prompt


def test_light_stage_requests_are_labelled_and_bounded() -> None:
    show = starter_show()
    size = size_episode(show, 10)
    requests = [
        research.build_request(show, episode(), (), size),
        summary.build_request(show, (), episode_id="e"),
        metadata.build_request(show, working_title="w", segment_titles=["a"], summary="s", episode_id="e"),
        image_prompts.build_request(show, title="t", segment_titles=["a"], summary="s", episode_id="e"),
        source_digest.build_request("Doc", "word " * 3000, index=2, total=3, episode_id="e"),
    ]
    assert [r.task for r in requests] == [
        Task.RESEARCH,
        Task.SUMMARY,
        Task.METADATA,
        Task.IMAGE_PROMPTS,
        Task.SOURCE_SUMMARY,
    ]
    assert all(r.json_schema and r.stage and r.max_tokens <= 3000 for r in requests)
    assert "Part 2 of 3" in requests[-1].messages[-1].content
    draft = research.RESPONSE.model_validate_json('{"summary": "s"}')
    brief = research.parse(draft, [], requests[0], [])
    assert brief == ResearchBrief(
        summary="s", sourcing="Sources: none; no web research (written from the model's general knowledge)."
    )


def test_schemas_cap_lists_so_constrained_models_stop() -> None:
    show = starter_show()
    request = research.build_request(show, episode(minutes=1.5), (), size_episode(show, 1.5))
    assert request.json_schema is not None
    props = request.json_schema["properties"]
    assert (
        props["key_facts"]["maxItems"],
        props["angles"]["maxItems"],
        props["open_questions"]["maxItems"],
    ) == (3, 2, 1)
    assert set(request.json_schema["required"]) == {"summary", "key_facts", "angles", "open_questions"}
    assert request.json_schema["additionalProperties"] is False
    assert dialogue.dialogue_schema(show, max_turns=6)["properties"]["turns"]["maxItems"] == 6
