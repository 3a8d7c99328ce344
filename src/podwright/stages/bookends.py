"""Intro and conclusion: written concurrently, from the summary only.

Both calls share a short static prefix (system message + title, segment titles and summary), so
the second reads it from the provider's cache; only the instruction after it differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from podwright.core.episode import Segment
from podwright.core.llm import LLMRequest, Message
from podwright.core.show import Show, Task
from podwright.stages.context import bookend_prefix
from podwright.stages.dialogue import (
    dialogue_schema,
    max_turns_for,
    turn_chars_for,
    turn_plan,
    turns_grammar_schema,
)
from podwright.stages.sizing import dialogue_max_tokens, turns_for_words

__all__ = ["CONCLUSION_TITLE", "INTRO_TITLE", "Bookend", "build_request"]

Bookend = Literal["intro", "conclusion"]
"""Which end of the episode."""

INTRO_TITLE = "Intro"
CONCLUSION_TITLE = "Conclusion"


def _instruction(show: Show, which: Bookend, words: int) -> str:
    names = " and ".join(host.name for host in show.hosts)
    length = turn_plan(show, words)
    fresh = "Every sentence says something new: no host repeats another's words or the segments' lines."
    if which == "intro":
        return (
            f"Write the intro ({length}): welcome listeners to {show.name} once, the hosts ({names}) "
            "greet, hook the listener with the episode's question and preview what is coming in a few "
            f"words. Do not answer the question yet. {fresh}"
        )
    return (
        f"Write the conclusion ({length}): recap the key takeaways in plain, fresh words, one last "
        f"thought, thank the listeners and sign off from {show.name}. {fresh}"
    )


def build_request(
    show: Show,
    which: Bookend,
    *,
    title: str,
    body: Sequence[Segment],
    summary: str,
    words: int,
    episode_id: str,
) -> LLMRequest:
    """The intro or conclusion call; ``body`` gives only the segment titles, never their dialogue."""
    system, context = bookend_prefix(show, title, [segment.title for segment in body], summary)
    task = Task.INTRO if which == "intro" else Task.CONCLUSION
    return LLMRequest(
        task=task,
        messages=(system, context, Message(role="user", content=_instruction(show, which, words))),
        max_tokens=dialogue_max_tokens(words),
        temperature=show.llm.temperature,
        json_schema=dialogue_schema(show, max_turns=max_turns_for(words)),
        grammar_schema=turns_grammar_schema(
            show,
            turns_for_words(words),
            max_chars=turn_chars_for(dialogue_max_tokens(words), turns_for_words(words)),
        ),
        schema_name="dialogue",
        episode_id=episode_id,
        stage=which,
    )
