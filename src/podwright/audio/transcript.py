"""Transcripts from timed turns: WebVTT (with ``<v Speaker>`` voice tags) and SRT (``Name: text``).

A long turn becomes several readable cues (at most about two lines and seven seconds each): the
turn is cut at sentence ends (then commas, then words, for a very long sentence) and its time is
shared among the pieces in proportion to their characters. Pieces stay in order inside the turn's
span, so cues are monotonic and never leave the audio they transcribe.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence

from podwright.core.timeline import Cue

__all__ = ["readable_cues", "to_srt", "to_webvtt"]

LINE_CHARS = 42
"""Longest subtitle line; two of them make a cue."""

_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"')\]”’]))\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:—])\s+")


def _pieces(text: str, max_chars: int) -> list[str]:
    """``text`` cut into pieces of at most ``max_chars`` (a single long word stays whole)."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if len(sentence) <= max_chars:
            out.append(sentence)
            continue
        for clause in _CLAUSE_END.split(sentence):
            out.extend([clause] if len(clause) <= max_chars else textwrap.wrap(clause, max_chars))
    return [piece.strip() for piece in out if piece.strip()]


def _split(cue: Cue, max_chars: int, max_s: float) -> list[Cue]:
    pieces = _pieces(cue.text, max_chars)
    total = sum(len(piece) for piece in pieces)
    span = cue.end_s - cue.start_s
    if len(pieces) <= 1 or (len(cue.text) <= max_chars and span <= max_s):
        return [cue]
    # Greedy grouping: join pieces while the cue stays within both the character and time limits.
    groups: list[list[str]] = [[]]
    for piece in pieces:
        joined = " ".join([*groups[-1], piece])
        if groups[-1] and (len(joined) > max_chars or span * len(joined) / total > max_s):
            groups.append([piece])
        else:
            groups[-1].append(piece)
    cues: list[Cue] = []
    done_chars = 0
    for number, group in enumerate(groups):
        chars = sum(len(piece) for piece in group)
        start = cue.start_s + span * done_chars / total
        done_chars += chars
        end = cue.end_s if number == len(groups) - 1 else cue.start_s + span * done_chars / total
        cues.append(cue.model_copy(update={"start_s": start, "end_s": end, "text": " ".join(group)}))
    return cues


def readable_cues(cues: Iterable[Cue], *, max_chars: int = 2 * LINE_CHARS, max_s: float = 7.0) -> list[Cue]:
    """``cues`` with every long turn split into readable cues inside the turn's own span."""
    return [piece for cue in cues for piece in _split(cue, max_chars, max_s)]


def _timestamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _lines(text: str) -> str:
    return "\n".join(textwrap.wrap(text, LINE_CHARS)) or text


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(cues: Sequence[Cue], *, split: bool = True) -> str:
    """A WebVTT document; each cue names its speaker with a voice tag: ``<v Maya>text</v>``."""
    blocks = ["WEBVTT"]
    for cue in readable_cues(cues) if split else cues:
        # A voice annotation ends at '>' and cannot hold line breaks.
        speaker = _vtt_escape(cue.speaker).replace("\n", " ")
        body = _vtt_escape(_lines(cue.text))
        blocks.append(
            f"{_timestamp(cue.start_s, '.')} --> {_timestamp(cue.end_s, '.')}\n<v {speaker}>{body}</v>"
        )
    return "\n\n".join(blocks) + "\n"


def to_srt(cues: Sequence[Cue], *, split: bool = True) -> str:
    """An SRT document, numbered from 1, each cue prefixed with its speaker: ``Maya: text``."""
    blocks = []
    for number, cue in enumerate(readable_cues(cues) if split else cues, start=1):
        blocks.append(
            f"{number}\n{_timestamp(cue.start_s, ',')} --> {_timestamp(cue.end_s, ',')}\n"
            f"{_lines(f'{cue.speaker}: {cue.text}')}"
        )
    return "\n\n".join(blocks) + "\n" if blocks else ""
