"""How long each part of an episode should be, in words and in output tokens.

An episode's length is chosen in minutes; the hosts' speaking rate turns it into words, which are
split between the intro (~8%), the body (the template's shares, normalized) and the conclusion
(~7%). Output-token budgets follow from words, so a small local model is never asked for more than
the episode needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from podwright.core.show import Show

__all__ = [
    "CONCLUSION_SHARE",
    "INTRO_SHARE",
    "TOKENS_PER_WORD",
    "EpisodeSize",
    "dialogue_max_tokens",
    "size_episode",
    "text_max_tokens",
    "turns_for_words",
    "words_for_minutes",
]

INTRO_SHARE = 0.08
"""Part of the episode's words spent on the intro."""
CONCLUSION_SHARE = 0.07
"""Part of the episode's words spent on the conclusion."""
TOKENS_PER_WORD = 1.4
"""English prose, in tokens of the usual BPE vocabularies, with a margin."""
# A welcome, a line from each host and the episode's question: shorter intros come out long anyway.
_MIN_BOOKEND_WORDS = 35
_MIN_SEGMENT_WORDS = 30
_WORDS_PER_TURN = 45
_TOKENS_PER_TURN_OVERHEAD = 14  # {"speaker": "...", "text": "..."} and separators
_JSON_OVERHEAD_TOKENS = 48
# max_tokens is only a ceiling (unused tokens cost nothing), while a cut-off JSON answer costs a repair
# call and usually fails again: small models overrun word targets by up to 2x, so leave that much room.
_SLACK = 2.0


@dataclass(frozen=True, slots=True)
class EpisodeSize:
    """Word targets of one episode."""

    total_words: int
    intro_words: int
    body_words: int
    conclusion_words: int
    segment_words: tuple[int, ...]
    """Words per body segment, in template order; they sum to ``body_words``."""


def words_for_minutes(minutes: float, words_per_minute: float) -> int:
    """Spoken words that fill ``minutes`` at ``words_per_minute``."""
    return max(1, round(minutes * words_per_minute))


def size_episode(show: Show, target_minutes: float) -> EpisodeSize:
    """Split the words of a ``target_minutes`` episode between intro, body segments and conclusion."""
    total = words_for_minutes(target_minutes, show.words_per_minute)
    intro = max(_MIN_BOOKEND_WORDS, round(total * INTRO_SHARE))
    conclusion = max(_MIN_BOOKEND_WORDS, round(total * CONCLUSION_SHARE))
    body = max(_MIN_SEGMENT_WORDS * len(show.template), total - intro - conclusion)
    shares = [spec.share for spec in show.template]
    scale = sum(shares)
    segments = [max(_MIN_SEGMENT_WORDS, round(body * share / scale)) for share in shares]
    # Rounding drift goes to the largest segment so the targets sum to the body exactly.
    largest = segments.index(max(segments))
    segments[largest] += body - sum(segments)
    return EpisodeSize(
        total_words=intro + body + conclusion,
        intro_words=intro,
        body_words=body,
        conclusion_words=conclusion,
        segment_words=tuple(segments),
    )


def turns_for_words(words: int) -> int:
    """A natural number of turns for a stretch of ``words`` spoken words (at least 2)."""
    return max(2, round(words / _WORDS_PER_TURN))


def dialogue_max_tokens(words: int) -> int:
    """Output-token budget for a JSON dialogue of about ``words`` words."""
    turns = turns_for_words(words)
    body = words * TOKENS_PER_WORD + turns * _TOKENS_PER_TURN_OVERHEAD
    return math.ceil(body * _SLACK) + _JSON_OVERHEAD_TOKENS


def text_max_tokens(words: int, *, cap: int | None = None) -> int:
    """Output-token budget for a JSON answer of about ``words`` words of prose, optionally capped."""
    tokens = math.ceil(words * TOKENS_PER_WORD * _SLACK) + _JSON_OVERHEAD_TOKENS
    return min(tokens, cap) if cap is not None else tokens
