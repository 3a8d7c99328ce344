"""One real segment call with the embedded local model: the static prefix, the schema and the parse fit it."""

from __future__ import annotations

from pathlib import Path

import pytest

from podwright.core import Outline, OutlineSegment, ResearchBrief
from podwright.llm.local import LocalLlamaClient, assemble_model
from podwright.llm.structured import complete_json
from podwright.stages import dialogue
from podwright.stages.sizing import size_episode
from tests.stages.shows import starter_show


@pytest.fixture(scope="session")
def local_model(pytestconfig: pytest.Config) -> Path:
    """The assembled GGUF, shared through the pytest cache with tests/llm (joined once)."""
    pytest.importorskip("llama_cpp", reason="needs podwright[local]")
    assert pytestconfig.cache is not None
    return assemble_model(pytestconfig.cache.mkdir("podwright-models"))


@pytest.mark.slow
async def test_local_model_writes_a_valid_segment(local_model: Path) -> None:
    show = starter_show()
    size = size_episode(show, 1.5)
    brief = ResearchBrief(
        summary="The night sky is dark because the universe has a finite age and is expanding.",
        key_facts=("Light travels at a finite speed.", "The universe is about 13.8 billion years old."),
    )
    outline = Outline(
        title="Why the night sky is dark",
        segments=tuple(
            OutlineSegment(
                kind=spec.kind, title=spec.kind.title(), key_points=(spec.intent,), target_words=words
            )
            for spec, words in zip(show.template, size.segment_words, strict=True)
        ),
    )
    request = dialogue.build_request(show, brief, outline, 1, episode_id="local")
    client = LocalLlamaClient(local_model, n_ctx=4096, n_threads=2)
    answer, responses = await complete_json(
        client, request.model_copy(update={"temperature": 0.0}), dialogue.dialogue_model(show)
    )
    segment = dialogue.parse(answer, kind="setup", title="Setup")
    assert {turn.host for turn in segment.turns} <= set(show.host_ids)
    assert segment.word_count >= 10
    assert all(response.usage.output_tokens <= request.max_tokens for response in responses)
