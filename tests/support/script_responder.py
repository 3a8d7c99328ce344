"""A FakeChatServer responder that answers every script stage with valid JSON of realistic size.

Sizes follow the request itself: dialogue fills about half of ``max_tokens`` (the stages leave 2×
room), a research brief has as many items as its schema's ``maxItems`` allow. Dialogue is whole
sentences of shuffled words, hosts taking turns, so it passes the structure checks. Shared by the script
benchmark and the end-to-end tests.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from typing import Any

from podwright.core import Show

__all__ = ["script_responder"]

FILLER = (
    "light from distant stars travels for billions of years before it reaches our eyes and the "
    "universe has only existed for so long so most directions end on darkness rather than a star"
)


def _words(words: Iterator[str], count: int) -> str:
    return " ".join(next(words) for _ in range(max(1, count)))


def _sentences(words: Iterator[str], count: int) -> str:
    """``count`` words as whole sentences of about twelve words each."""
    count = max(1, count)
    sizes = [12] * (count // 12) + ([count % 12] if count % 12 else [])
    return " ".join(_words(words, size).capitalize() + "." for size in sizes)


def _shuffled(seed: int) -> Iterator[str]:
    """The filler's words in a fresh random order each pass, so no sentence repeats another."""
    pick = random.Random(seed)
    vocabulary = FILLER.split()
    while True:
        yield from pick.sample(vocabulary, len(vocabulary))


def script_responder(show: Show) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Answers sized by the request's own ``max_tokens`` (the stages size them from target words)."""
    hosts = itertools.cycle(show.host_ids)
    words = _shuffled(0)

    def answer(body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("response_format", {}).get("json_schema", {}).get("name", "")
        budget = int(body.get("max_tokens", 256))
        budget_words = max(8, int(budget * 0.45 / 1.4))  # the stages leave 2x room; answers use about half
        if name == "dialogue":
            turns = max(2, budget_words // 45)
            return {
                "turns": [
                    {"speaker": next(hosts), "text": _sentences(words, budget_words // turns)}
                    for _ in range(turns)
                ]
            }
        schema = body.get("response_format", {}).get("json_schema", {}).get("schema", {})
        if name == "research_brief":
            # As many items as the brief asks for (its schema's maxItems), each a full sentence.
            most = {
                key: schema["properties"][key].get("maxItems", 3)
                for key in ("key_facts", "angles", "open_questions")
            }
            return {
                "summary": _words(words, 130),
                "key_facts": [_words(words, 25) for _ in range(most["key_facts"])],
                "angles": [_words(words, 20) for _ in range(most["angles"])],
                "open_questions": [_words(words, 15) for _ in range(most["open_questions"])],
            }
        if name == "outline":
            return {
                "title": "Why the night sky is dark",
                "segments": [
                    {
                        "title": f"Part {n}: {_words(words, 3)}",
                        "key_points": [_words(words, 12) for _ in range(4)],
                    }
                    for n in range(1, len(show.template) + 1)
                ],
            }
        if name == "summary":
            return {"summary": _words(words, budget_words)}
        if name == "metadata":
            return {
                "title": "Why Is the Night Sky Dark?",
                "description": _words(words, 60),
                "tags": ["astronomy", "cosmology", "olbers paradox", "light"],
                "chapter_titles": [f"Chapter {n}" for n in range(1, len(show.template) + 3)],
            }
        if name == "image_prompts":
            return {
                "cover": _words(words, 25),
                "segments": [_words(words, 25) for _ in range(len(show.template) + 2)],
            }
        raise AssertionError(f"unexpected schema {name!r}")

    return answer
