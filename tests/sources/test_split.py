"""Splitting long sources for per-piece summaries: bounds, order, coverage, overlap, a 300-page PDF."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podwright.core import SourceDoc
from podwright.sources import ingest, needs_summary, split_for_summary
from tests.support.pdf import write_pdf


def _flat(text: str) -> str:
    return " ".join(text.split())


def _covers_in_order(text: str, pieces: list[str]) -> bool:
    """Pieces are slices of ``text`` (whitespace aside), in order, touching or overlapping, covering all.

    Only meaningful when ``text`` has no repeated runs, so each piece has one place to be found.
    """
    flat = _flat(text)
    previous_start, previous_end = -1, 0
    for piece in pieces:
        start = flat.find(_flat(piece), previous_start + 1)
        if start < 0 or start > previous_end + 1:
            return False
        previous_start, previous_end = start, start + len(_flat(piece))
    return previous_end == len(flat)


def test_short_text_is_one_piece_and_blank_is_none() -> None:
    assert split_for_summary("  One paragraph.  ") == ["One paragraph."]
    assert split_for_summary(" \n\n ") == []


def test_pieces_break_between_paragraphs_when_they_can() -> None:
    paragraphs = [f"Paragraph {n} says something useful about tides." for n in range(40)]
    text = "\n\n".join(paragraphs)
    pieces = split_for_summary(text, max_chars=300, overlap_chars=0)
    assert all(len(piece) <= 300 for piece in pieces)
    assert "\n\n".join(pieces) == text
    for piece in pieces:
        assert all(part in paragraphs for part in piece.split("\n\n"))


def test_long_paragraph_breaks_between_sentences_with_overlap() -> None:
    sentences = [f"Sentence number {n} is here." for n in range(60)]
    pieces = split_for_summary(" ".join(sentences), max_chars=200, overlap_chars=60)
    assert len(pieces) > 1
    for previous, piece in itertools.pairwise(pieces):
        assert len(piece) <= 200
        overlap = max(
            (piece[:size] for size in range(1, len(piece)) if previous.endswith(piece[:size])), key=len
        )
        assert 0 < len(overlap) <= 60, "starts with the previous piece's last sentences"
        assert overlap.startswith("Sentence") and overlap.endswith("."), "the overlap is whole sentences"
    for piece in pieces:
        assert piece.endswith(".") and piece[0] == "S", "no piece cuts a sentence"


def test_a_sentence_longer_than_a_piece_is_cut_between_words() -> None:
    text = " ".join(f"word{n}" for n in range(500))
    pieces = split_for_summary(text, max_chars=120, overlap_chars=20)
    assert all(len(piece) <= 120 for piece in pieces)
    assert all(re.fullmatch(r"(word\d+ )*word\d+", piece) for piece in pieces)
    assert _covers_in_order(text, pieces)


def test_unbreakable_run_is_cut_anyway() -> None:
    text = "x" * 1000
    pieces = split_for_summary(text, max_chars=100, overlap_chars=0)
    assert "".join(pieces) == text
    assert all(len(piece) <= 100 for piece in pieces)


@pytest.mark.parametrize(("max_chars", "overlap"), [(10, 0), (100, 50), (100, -1)])
def test_bad_arguments_are_refused(max_chars: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="overlap_chars"):
        split_for_summary("text", max_chars=max_chars, overlap_chars=overlap)


@st.composite
def _unique_text(draw: st.DrawFn) -> str:
    """Paragraphs of sentences of words that never repeat, with varied word lengths."""
    counter = iter(range(100_000))
    paragraphs = []
    for sentence_lengths in draw(st.lists(st.lists(st.integers(1, 12), min_size=1, max_size=6), min_size=1)):
        sentences = [
            " ".join(f"w{next(counter)}" + "x" * draw(st.integers(0, 9)) for _ in range(length)) + "."
            for length in sentence_lengths
        ]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


@settings(max_examples=60, deadline=None)
@given(
    text=_unique_text(),
    max_chars=st.integers(min_value=40, max_value=600),
    overlap_ratio=st.floats(min_value=0.0, max_value=0.45),
)
def test_property_bounded_ordered_and_complete(text: str, max_chars: int, overlap_ratio: float) -> None:
    pieces = split_for_summary(text, max_chars=max_chars, overlap_chars=int(max_chars * overlap_ratio))
    assert all(0 < len(piece) <= max_chars for piece in pieces)
    assert _covers_in_order(text, pieces)


def test_needs_summary_by_length() -> None:
    assert not needs_summary(SourceDoc(origin="a", title="a", text="x" * 24000))
    assert needs_summary(SourceDoc(origin="a", title="a", text="x" * 24001))
    assert needs_summary(SourceDoc(origin="a", title="a", text="x" * 101), max_chars=100)


def test_three_hundred_page_pdf_ingests_and_splits(tmp_path: Path) -> None:
    pages = [
        " ".join(
            f"Page {page} sentence {n} explains one more detail of ocean circulation." for n in range(40)
        )
        for page in range(1, 301)
    ]
    doc = ingest(str(write_pdf(tmp_path / "book.pdf", pages, title="Ocean Circulation")))
    assert doc.title == "Ocean Circulation"
    assert doc.text.count("\n\n") == 299, "one paragraph per page"
    assert "Page 300 sentence 39 explains" in doc.text
    assert needs_summary(doc)
    pieces = split_for_summary(doc.text)
    assert len(pieces) == pytest.approx(len(doc.text) / 12000, rel=0.1)
    assert all(len(piece) <= 12000 for piece in pieces)
    assert pieces[0].startswith("Page 1 sentence 0")
    assert pieces[-1].endswith("Page 300 sentence 39 explains one more detail of ocean circulation.")
    assert _covers_in_order(doc.text, pieces)
