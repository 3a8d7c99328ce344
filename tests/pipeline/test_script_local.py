"""One real segment call with the embedded local model: the static prefix, the schema and the parse fit it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from podwright.core import Outline, OutlineSegment, ResearchBrief
from podwright.llm.local import LocalLlamaClient, assemble_model
from podwright.llm.structured import complete_json
from podwright.stages import dialogue
from podwright.stages.quality import Check, check_segment
from podwright.stages.sizing import size_episode, turns_for_words
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
    assert segment.word_count >= 10
    assert all(response.usage.output_tokens <= request.max_tokens for response in responses)
    # The grammar holds the turn count and the speakers: each host in turn, Maya first.
    turns = turns_for_words(size.segment_words[0])
    assert [turn.host for turn in segment.turns] == [show.host_ids[n % 2] for n in range(turns)]
    quality = check_segment(segment, show, stage="segment-1", target_words=size.segment_words[0])
    assert quality.result(Check.TURNS).passed and quality.result(Check.SPEAKERS).passed  # type: ignore[union-attr]
    # Each turn is its count of whole sentences, so none is cut off.
    assert quality.result(Check.CUT_OFF).passed  # type: ignore[union-attr]
    sentences = dialogue.sentences_per_turn(size.segment_words[0])
    assert all(len(re.findall(r"[.!?](?= |$)", turn.text)) == sentences for turn in segment.turns)


def test_llama_cpp_turns_the_local_grammar_schema_into_a_grammar() -> None:
    llama_grammar = pytest.importorskip("llama_cpp.llama_grammar", reason="needs podwright[local]")
    schema = dialogue.turns_grammar_schema(starter_show(), 3)
    grammar = llama_grammar.json_schema_to_gbnf(json.dumps(schema))
    # One rule per pinned turn, each speaker a literal: the converter used prefixItems, not items.
    assert grammar.count('\\"maya\\"') == 2 and grammar.count('\\"joe\\"') == 1
