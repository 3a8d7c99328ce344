"""The embedded model's grammar: each turn a set number of whole sentences, sized by the word target."""

from __future__ import annotations

import json
import re

import pytest

from podwright.stages import bookends, dialogue
from podwright.stages.sizing import dialogue_max_tokens, turns_for_words
from tests.stages.shows import starter_show


def _text_pattern(schema: dict[str, object], turn: int = 0) -> re.Pattern[str]:
    items = schema["properties"]["turns"]["prefixItems"]  # type: ignore[index]
    return re.compile(items[turn]["properties"]["text"]["pattern"])


def test_a_turn_is_exactly_its_count_of_whole_sentences() -> None:
    two = re.compile(dialogue.turn_text_pattern(2, 150))
    assert two.match("Light takes time. The universe is 13.8 billion years old!")
    assert two.match("Is the sky dark? Yes, because the universe had a beginning.")
    assert not two.match("Light takes time.")  # one sentence short
    assert not two.match("One. Two. Three.")  # one too many
    assert not two.match("Light takes time. And the universe is")  # cut mid-sentence
    assert not two.match('He said "stop". Then he left.')  # no quotes: always a plain JSON string
    assert not two.match("Light takes time.  Two spaces.")
    one = re.compile(dialogue.turn_text_pattern(1, 21))
    assert one.match("A sentence of twenty.") and not one.match("A sentence well over twenty characters.")


def test_sentences_per_turn_follow_the_word_target() -> None:
    # The demo's 1.5-minute episode: 35-word bookends and 48/71/40-word segments, two turns each.
    assert [dialogue.sentences_per_turn(words) for words in (35, 40, 48, 71)] == [2, 2, 2, 3]
    assert dialogue.sentences_per_turn(400) == 4  # 9 turns of ~44 words
    # Never one: the other host of a two-turn segment was left a filler line.
    assert dialogue.sentences_per_turn(10) == 2
    plan = dialogue.turn_plan(starter_show(), 71)
    assert "2 turns of three sentences each (about 36 words a turn)" in plan


def test_sentences_per_turn_follow_the_kind_measured_words_per_sentence() -> None:
    # The explanation's sentences run ~18 words, the greetings' ~9: fewer, longer sentences there.
    assert dialogue.words_per_sentence("deep_dive") == 18 and dialogue.words_per_sentence("intro") == 9
    assert dialogue.words_per_sentence("the_story") == dialogue.words_per_sentence() == 11
    demo = {"intro": 35, "setup": 48, "deep_dive": 71, "takeaways": 40, "conclusion": 35}
    # The demo's 1.5-minute episode: two sentences a turn, but the conclusion's ~17-word turns are
    # one of its ~12-word sentences (a bookend turn may be one sentence; a body turn may not).
    assert {kind: dialogue.sentences_per_turn(words, kind) for kind, words in demo.items()} == {
        "intro": 2,
        "setup": 2,
        "deep_dive": 2,
        "takeaways": 2,
        "conclusion": 1,
    }
    # A 10-minute deep dive: 16 turns of ~44 words, two sentences of ~18 (four of the default 11).
    assert dialogue.sentences_per_turn(700, "deep_dive") == 2 and dialogue.sentences_per_turn(700) == 4
    assert "2 turns of two sentences each" in dialogue.turn_plan(starter_show(), 71, kind="deep_dive")
    grammar = dialogue.local_grammar(starter_show(), 71, kind="deep_dive")
    assert _text_pattern(grammar).match("One. Two.") and not _text_pattern(grammar).match("One. Two. Three.")
    assert "2 turns of one sentence each" in dialogue.turn_plan(starter_show(), 35, kind="conclusion")


def test_the_local_grammar_holds_turns_speakers_and_sentences() -> None:
    show = starter_show()
    schema = dialogue.local_grammar(show, 71, first_speaker=1)
    turns = schema["properties"]["turns"]
    assert turns["minItems"] == turns["maxItems"] == turns_for_words(71) == 2
    assert [item["properties"]["speaker"]["enum"] for item in turns["prefixItems"]] == [["joe"], ["maya"]]
    text = _text_pattern(schema)
    assert text.match("One. Two. Three.") and not text.match("One. Two.")
    # Both sentences at their cap still close the JSON within the call's token budget.
    longest = max(int(n) for n in re.findall(r"\{\d+,(\d+)\}", text.pattern))
    assert 2 * 2 * (longest + 2) / 3.2 < dialogue_max_tokens(71)
    # The bookends use the same grammar for their length.
    request = bookends.build_request(show, "intro", title="T", body=(), summary="S", words=35, episode_id="e")
    assert request.grammar_schema == dialogue.local_grammar(show, 35, kind="intro")


def test_llama_cpp_turns_the_sentence_pattern_into_a_grammar() -> None:
    llama_grammar = pytest.importorskip("llama_cpp.llama_grammar", reason="needs podwright[local]")
    gbnf = llama_grammar.json_schema_to_gbnf(json.dumps(dialogue.local_grammar(starter_show(), 71)))
    assert "[.!?]" in gbnf and "maxLength" not in gbnf
    llama_grammar.LlamaGrammar.from_string(gbnf, verbose=False)
