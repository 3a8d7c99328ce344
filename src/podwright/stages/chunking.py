"""Text chunking for speech: lexicon respellings, sentence splits, engine-sized chunks and their keys.

A turn's text is respelled with the show's lexicon, cut into chunks no longer than the engine's
``max_chars`` at sentence boundaries (a sentence that is itself too long is cut at clause
punctuation, then between words), and each chunk gets a content address so a re-render only
synthesizes chunks whose engine, voice, settings or text changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podwright.core.show import VoiceRef

__all__ = ["MIN_CHUNK_CHARS", "apply_lexicon", "chunk_key", "chunk_text", "split_sentences"]

# A sentence ends at . ! ? or … (plus closing quotes/brackets) followed by whitespace.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+")
# Abbreviations whose period does not end a sentence ("Dr. Smith", "e.g. this").
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "jr", "sr", "no", "fig", "approx"}
)


def apply_lexicon(text: str, lexicon: Mapping[str, str]) -> str:
    """Replace each lexicon word in ``text`` by its respelling (whole words, case-insensitive).

    Longer entries win over shorter ones that they contain ("New York" before "York").
    """
    if not lexicon:
        return text
    words = sorted(lexicon, key=len, reverse=True)
    lowered = {word.lower(): spoken for word, spoken in lexicon.items()}
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(word) for word in words) + r")(?!\w)", re.IGNORECASE
    )
    return pattern.sub(lambda match: lowered[match.group(1).lower()], text)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, in order; line breaks always end a sentence."""
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for match in _SENTENCE_END.finditer(line):
            before = line[start : match.start()].rstrip('"”’)]')
            last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.split() else ""
            following = line[match.end() : match.end() + 1]
            if before.endswith(".") and (last_word in _ABBREVIATIONS or following.islower()):
                continue
            sentences.append(line[start : match.end()].strip())
            start = match.end()
        sentences.append(line[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _split_long(sentence: str, max_chars: int) -> list[str]:
    """Cut one over-long sentence at clause punctuation, then between words, then hard."""
    pieces: list[str] = []
    for clause in _CLAUSE_END.split(sentence):
        if len(clause) <= max_chars:
            pieces.append(clause)
            continue
        for word in clause.split():
            while len(word) > max_chars:
                pieces.append(word[:max_chars])
                word = word[max_chars:]
            pieces.append(word)
    return _pack(pieces, max_chars)


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    """Join consecutive pieces with spaces into chunks of at most ``max_chars``."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if not current:
            current = piece
        elif len(current) + 1 + len(piece) <= max_chars:
            current = f"{current} {piece}"
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


MIN_CHUNK_CHARS = 24
"""A sentence shorter than this ("Right.", "Exactly!") rides with the next one: a one-word chunk
speaks poorly, and the pairing is local, so an edit elsewhere never moves it."""


def chunk_text(text: str, max_chars: int) -> list[str]:
    """Cut ``text`` into chunks of one sentence each (over-long ones split under ``max_chars``).

    A chunk never depends on sentences far from it: packing several sentences per chunk would let
    one edited sentence shift every later boundary of its turn and miss the chunk cache for all of
    them, where one sentence per chunk re-voices just the sentence that changed.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    chunks: list[str] = []
    carry = ""
    for sentence in split_sentences(text):
        if carry and len(carry) + 1 + len(sentence) <= max_chars:
            sentence, carry = f"{carry} {sentence}", ""
        elif carry:
            chunks.append(carry)
            carry = ""
        if len(sentence) < min(MIN_CHUNK_CHARS, max_chars):
            carry = sentence
        elif len(sentence) <= max_chars:
            chunks.append(sentence)
        else:
            chunks.extend(_split_long(sentence, max_chars))
    if carry:
        chunks.append(carry)
    return chunks


def chunk_key(engine: str, voice: VoiceRef, text: str, *, engine_version: str = "") -> str:
    """The chunk's content address: sha256 of engine, version, voice, sorted settings and text."""
    canonical = json.dumps(
        {
            "engine": engine,
            "engine_version": engine_version,
            "voice": voice.voice,
            "settings": dict(sorted(voice.settings.items())),
            "text": text,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
