"""Research: the topic and source digests in, a :class:`ResearchBrief` out.

The brief becomes part of the static prefix every segment call shares, so it is kept short: its
length scales with the episode, not with the sources.
"""

from __future__ import annotations

from collections.abc import Sequence

from podwright.core.episode import EpisodeRequest, ResearchBrief, SourceDoc
from podwright.core.language import written_language
from podwright.core.llm import LLMRequest, Message
from podwright.core.show import Show, Task
from podwright.stages.schema import response_schema
from podwright.stages.sizing import EpisodeSize, text_max_tokens

__all__ = ["RESPONSE", "brief_words", "build_request"]

_MIN_TOKENS = 512
"""Small models write long facts whatever they are asked; below this a brief is often cut off."""

RESPONSE = ResearchBrief
"""The response model: the core brief itself (summary, key facts, angles, open questions)."""


def brief_words(size: EpisodeSize) -> int:
    """Words a brief for an episode of ``size`` should have: enough to feed it, no more."""
    return max(100, min(800, round(size.body_words * 0.4)))


def _material(request: EpisodeRequest, sources: Sequence[SourceDoc]) -> str:
    parts: list[str] = []
    if request.topic:
        parts.append(f"Topic: {request.topic.strip()}")
    for index, doc in enumerate(sources, start=1):
        parts.append(f"Source {index}: {doc.title} ({doc.origin})\n{doc.digest.strip()}")
    return "\n\n".join(parts)


def build_request(
    show: Show, request: EpisodeRequest, sources: Sequence[SourceDoc], size: EpisodeSize
) -> LLMRequest:
    """The research call: gather what the hosts need to know, as a typed brief."""
    words = brief_words(size)
    # The counts grow with the episode so a short one gets a brief it can actually use.
    scale = words / 100
    summary_sentences = "2-3" if scale < 3 else "4-6"
    facts = max(3, min(10, round(2 * scale)))
    angles = max(2, min(5, round(scale)))
    questions = max(1, min(4, round(scale / 2)))
    system = Message(
        role="system",
        content=(
            f'You are the researcher of the podcast "{show.name}" for {show.audience}. '
            f"Write in {written_language(show.language)}. Answer with JSON only."
        ),
    )
    ask = Message(
        role="user",
        content=(
            f"{_material(request, sources)}\n\n"
            f"Write a research brief for a {request.target_minutes:g}-minute episode, about {words} words "
            f"in all: a summary of {summary_sentences} sentences, {facts} key facts, {angles} angles and "
            f"{questions} open questions, each one short sentence. Stick to the sources when there are any."
        ),
    )
    schema = response_schema(RESPONSE)
    # Grammar-constrained small models otherwise keep adding list items until max_tokens cuts them.
    for name, most in (("key_facts", facts), ("angles", angles), ("open_questions", questions)):
        schema["properties"][name]["maxItems"] = most
    return LLMRequest(
        task=Task.RESEARCH,
        messages=(system, ask),
        max_tokens=max(_MIN_TOKENS, text_max_tokens(words)),
        temperature=show.llm.temperature,
        json_schema=schema,
        schema_name="research_brief",
        episode_id=request.episode_id,
        stage="research",
    )
