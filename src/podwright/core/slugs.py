"""Readable ASCII slugs from text in any script, for episode ids and show slugs.

``anyascii`` (ISC licence) transliterates every character: ``¿Por qué?`` → ``Por que``, Cyrillic
→ Latin, kana → romaji, CJK ideographs → pinyin syllables. Each ideograph's syllable becomes a word
of its own: ``東京の天気`` → ``dong-jing-no-tian-qi`` rather than one unreadable run (anyascii reads
kanji the Chinese way, so a Japanese title reads as pinyin where it has kanji: still ASCII, still
readable). python-slugify does the same job through text-unidecode, whose Artistic/GPL licence this
Apache-2.0 project avoids.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ascii_slug"]

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_JOINERS = str.maketrans("", "", "'`ʼ’")
"""Marks a transliteration writes inside a word (Russian soft sign → ``'``): dropped, not word breaks."""


def ascii_slug(text: str, *, max_chars: int = 60) -> str:
    """``text`` as a lower-case ASCII slug of words joined by ``-``, at most ``max_chars`` long (cut at a
    word break when one is near); empty when nothing in it can be spelled in ASCII."""
    from anyascii import anyascii

    pieces: list[str] = []
    for char in text:
        if char.isascii():
            pieces.append(char)
            continue
        spelled = anyascii(char)
        # An ideograph is a word (or a syllable of one) of its own; Hangul syllables stay joined.
        ideograph = unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")
        pieces.append(f" {spelled} " if ideograph else spelled)
    slug = _NON_SLUG.sub("-", "".join(pieces).translate(_JOINERS).lower()).strip("-")
    if len(slug) <= max_chars:
        return slug
    cut = slug[:max_chars]
    head, dash, _ = cut.rpartition("-")
    return head if dash and len(head) >= max_chars // 2 else cut.rstrip("-")
