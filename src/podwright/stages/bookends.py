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
    local_grammar,
    max_turns_for,
    sentences_per_turn,
    turn_plan,
)
from podwright.stages.sizing import dialogue_max_tokens, turns_for_words

__all__ = ["CONCLUSION_TITLE", "INTRO_TITLE", "Bookend", "build_request"]

Bookend = Literal["intro", "conclusion"]
"""Which end of the episode."""

INTRO_TITLE = "Intro"
CONCLUSION_TITLE = "Conclusion"


def _roles(show: Show, which: Bookend, turns: int, sentences: int = 2) -> list[str]:
    """What each turn of a bookend does, in order: one job per turn, so no host restates another.

    A conclusion whose turns are one sentence each drops the last thought: asked for a thought, the
    thanks and the goodbye in one sentence, the 1.5B model said none of them.
    """
    if which == "intro":
        jobs = [
            f"welcomes the listeners to {show.name} and asks the episode's question",
            "greets the listeners and says in a few words what the episode explores, without answering",
        ]
        middle = "says why the question is worth asking"
    else:
        jobs = [
            "sums up the episode's answer to its question in one fresh sentence",
            f"thanks the listeners for listening to {show.name} and says goodbye"
            if sentences == 1
            else f"adds one last thought, thanks the listeners and signs off from {show.name}",
        ]
        middle = "adds one takeaway the listener can keep"
    if turns <= 1:
        return [" and ".join(jobs)]
    return [jobs[0], *([middle] * (turns - 2)), jobs[1]]


def _instruction(show: Show, which: Bookend, words: int) -> str:
    turns = turns_for_words(words)
    length = turn_plan(show, words, kind=which)
    roles = _roles(show, which, turns, sentences_per_turn(words, which))
    who = "; ".join(
        f"{show.hosts[n % len(show.hosts)].name} {'' if n == 0 else 'then '}{role}"
        for n, role in enumerate(roles)
    )
    fresh = (
        "Every sentence is new: never reuse a sentence of the summary or of the segments, and no "
        "host repeats another's words."
    )
    if which == "intro":
        return f"Write the intro ({length}). Who says what: {who}. Do not answer the question yet. {fresh}"
    return f"Write the conclusion ({length}). Who says what: {who}. {fresh}"


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
        grammar_schema=local_grammar(show, words, kind=which),
        schema_name="dialogue",
        episode_id=episode_id,
        stage=which,
    )
