"""Splitting a long source into pieces a light model can summarize one at a time.

Pieces break between paragraphs where they can, between sentences where a paragraph is too long,
and between words only for a sentence longer than a piece. Each piece after the first starts with
the last sentence or so of the one before (``overlap_chars``), so a summary never starts blind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podwright.core import SourceDoc

__all__ = ["needs_summary", "split_for_summary"]

_PARAGRAPHS = re.compile(r"\n\s*\n")
# A sentence ends at . ! ? or … (optionally followed by a closing quote or bracket) and whitespace.
_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+")
_PARAGRAPH_SEP = "\n\n"
_SENTENCE_SEP = " "


@dataclass(frozen=True, slots=True)
class _Unit:
    sep: str
    """What joins this unit to the one before it inside a piece."""
    text: str


def needs_summary(doc: SourceDoc, *, max_chars: int = 24000) -> bool:
    """Whether ``doc`` is too long to hand to research whole and should be summarized piece by piece."""
    return len(doc.text) > max_chars


def split_for_summary(text: str, *, max_chars: int = 12000, overlap_chars: int = 200) -> list[str]:
    """Split ``text`` into pieces of at most ``max_chars`` characters, in order, covering all of it.

    Text that already fits comes back as one piece; blank text as none. ``overlap_chars`` must be
    less than half of ``max_chars``.
    """
    if max_chars < 20 or overlap_chars < 0 or overlap_chars * 2 >= max_chars:
        raise ValueError(
            f"split_for_summary needs max_chars >= 20 and 0 <= overlap_chars < max_chars / 2 "
            f"(got max_chars={max_chars}, overlap_chars={overlap_chars})"
        )
    text = text.strip()
    if not text:
        return []
    if len(text) <= max_chars:
        return [text]
    # Room for the overlap and a separator, so a fresh piece always takes at least one new unit.
    unit_limit = max_chars - overlap_chars - len(_PARAGRAPH_SEP)
    pieces: list[str] = []
    current: list[_Unit] = []
    for unit in _units(text, unit_limit):
        if current and _length(current) + len(unit.sep) + len(unit.text) > max_chars:
            pieces.append(_join(current))
            current = _overlap(current, overlap_chars)
        current.append(unit)
    if current:
        pieces.append(_join(current))
    return pieces


def _units(text: str, limit: int) -> list[_Unit]:
    units: list[_Unit] = []
    for paragraph in _PARAGRAPHS.split(text):
        sep = _PARAGRAPH_SEP
        for sentence in _SENTENCE_BREAK.split(paragraph.strip()):
            sentence = " ".join(sentence.split())
            if not sentence:
                continue
            for part in _hard_split(sentence, limit):
                units.append(_Unit(sep, part))
                sep = _SENTENCE_SEP
    return units


def _hard_split(sentence: str, limit: int) -> list[str]:
    parts: list[str] = []
    while len(sentence) > limit:
        cut = sentence.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit  # one "word" longer than a piece (a URL, a table dump): cut it anyway
        parts.append(sentence[:cut].rstrip())
        sentence = sentence[cut:].lstrip()
    if sentence:
        parts.append(sentence)
    return parts


def _overlap(units: list[_Unit], overlap_chars: int) -> list[_Unit]:
    if overlap_chars == 0:
        return []
    kept: list[_Unit] = []
    for unit in reversed(units):
        if _length([unit, *kept]) > overlap_chars:
            break
        kept.insert(0, unit)
    if kept:
        return kept
    # The last sentence alone is longer than the overlap: carry its tail, from a word start.
    tail = units[-1].text[-overlap_chars:]
    space = tail.find(" ")
    if 0 <= space < len(tail) - 1:
        tail = tail[space + 1 :]
    return [_Unit(_SENTENCE_SEP, tail)]


def _length(units: list[_Unit]) -> int:
    return sum(len(unit.text) for unit in units) + sum(len(unit.sep) for unit in units[1:])


def _join(units: list[_Unit]) -> str:
    return units[0].text + "".join(unit.sep + unit.text for unit in units[1:])
