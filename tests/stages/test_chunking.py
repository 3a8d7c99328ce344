from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podwright.core.show import VoiceRef
from podwright.stages.chunking import apply_lexicon, chunk_key, chunk_text, split_sentences


def test_lexicon_replaces_whole_words_case_insensitively() -> None:
    lexicon = {"SQLite": "sequel light", "GPU": "gee pee you"}
    text = "sqlite and SQLite, not SQLiteDB; a GPU, gpus and GPU."
    assert (
        apply_lexicon(text, lexicon)
        == "sequel light and sequel light, not SQLiteDB; a gee pee you, gpus and gee pee you."
    )


def test_lexicon_prefers_longer_entries_and_handles_symbols() -> None:
    lexicon = {"York": "yawk", "New York": "noo yawk", "C++": "see plus plus"}
    assert apply_lexicon("New York and York; C++ rocks", lexicon) == "noo yawk and yawk; see plus plus rocks"


def test_empty_lexicon_is_identity() -> None:
    assert apply_lexicon("Hello.", {}) == "Hello."


def test_split_sentences_keeps_abbreviations_and_line_breaks() -> None:
    text = "Dr. Smith arrived. She said hi! Was it 3 p.m. today? Yes.\nNew line here"
    assert split_sentences(text) == [
        "Dr. Smith arrived.",
        "She said hi!",
        "Was it 3 p.m. today?",
        "Yes.",
        "New line here",
    ]


def test_split_sentences_keeps_closing_quotes() -> None:
    assert split_sentences('He said "stop." Then left.') == ['He said "stop."', "Then left."]


def test_one_sentence_per_chunk_and_short_ones_ride_with_the_next() -> None:
    text = "Light is fast but not infinite. Right. So the sky is young. Exactly!"
    expected = ["Light is fast but not infinite.", "Right. So the sky is young.", "Exactly!"]
    assert chunk_text(text, 400) == expected
    assert chunk_text(text, 1000) == expected  # the limit never packs sentences together


def test_an_edited_sentence_changes_only_its_own_chunk() -> None:
    first, last = "The first sentence stays put.", "The third sentence stays too."
    before = f"{first} The second one is edited. {last}"
    after = f"{first} The second one is now much longer than it was before. {last}"
    old, new = chunk_text(before, 60), chunk_text(after, 60)
    assert old[0] == new[0] and old[2] == new[2] and old[1] != new[1]


def test_long_sentence_splits_at_clauses_then_words() -> None:
    sentence = (
        "First clause is here, second clause is here, and a third clause that is much longer than the rest."
    )
    chunks = chunk_text(sentence, 40)
    assert chunks[0] == "First clause is here,"
    assert all(len(chunk) <= 40 for chunk in chunks)
    assert " ".join(chunks) == sentence


def test_giant_word_is_cut_hard() -> None:
    assert chunk_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_chunk_text_rejects_nonpositive_limit() -> None:
    with pytest.raises(ValueError):
        chunk_text("hi", 0)


@given(
    st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=400),
    st.integers(min_value=5, max_value=200),
)
def test_chunks_respect_limit_and_keep_every_word(text: str, limit: int) -> None:
    chunks = chunk_text(text, limit)
    assert all(0 < len(chunk) <= limit for chunk in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_chunk_key_is_stable_and_sensitive() -> None:
    voice = VoiceRef(engine="hibari", voice="heart", settings={"speed": 1.0, "seed": 0})
    same_settings_other_order = VoiceRef(engine="hibari", voice="heart", settings={"seed": 0, "speed": 1.0})
    key = chunk_key("hibari", voice, "Hello.")
    assert len(key) == 64
    assert key == chunk_key("hibari", same_settings_other_order, "Hello.")
    assert key != chunk_key("hibari", voice, "Hello!")
    assert key != chunk_key("piper", voice, "Hello.")
    assert key != chunk_key(
        "hibari", VoiceRef(engine="hibari", voice="heart", settings={"speed": 1.1}), "Hello."
    )
    assert key != chunk_key("hibari", voice, "Hello.", engine_version="2")
