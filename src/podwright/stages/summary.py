"""Summary: the body dialogue in, a compact summary out (light model).

Intro, conclusion, metadata and image prompts read this summary instead of the whole dialogue:
a few hundred to ~3,000 tokens in place of many thousands.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from podwright.core.episode import Segment
from podwright.core.language import written_language
from podwright.core.llm import LLMRequest, Message
from podwright.core.show import Show, Task
from podwright.stages.schema import response_schema
from podwright.stages.sizing import text_max_tokens

__all__ = ["MAX_SUMMARY_TOKENS", "EpisodeSummary", "build_request", "summary_words"]

MAX_SUMMARY_TOKENS = 3000
"""Hard cap on the summary's length, whatever the episode's."""


class EpisodeSummary(BaseModel):
    """The summary call's answer."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=1)


def summary_words(body_words: int) -> int:
    """Words of summary for ``body_words`` of dialogue (about a fifth, 50 to 2,000)."""
    return max(50, min(2000, round(body_words * 0.2)))


def transcript(show: Show, segments: Sequence[Segment]) -> str:
    """The dialogue as plain text, one ``Name: line`` per turn, segments headed by their titles."""
    names = {host.id: host.name for host in show.hosts}
    blocks = []
    for segment in segments:
        lines = "\n".join(f"{names.get(turn.host, turn.host)}: {turn.text}" for turn in segment.turns)
        blocks.append(f"## {segment.title}\n{lines}")
    return "\n\n".join(blocks)


def build_request(show: Show, segments: Sequence[Segment], *, episode_id: str) -> LLMRequest:
    """The summary call over the body segments."""
    body_words = sum(segment.word_count for segment in segments)
    words = summary_words(body_words)
    system = Message(
        role="system", content="You summarize podcast dialogue faithfully. Answer with JSON only."
    )
    ask = Message(
        role="user",
        content=(
            f"{transcript(show, segments)}\n\n"
            f"Summarize this dialogue in about {words} words, in your own words: the main points in order "
            "and the examples used. Quote no line of the dialogue: the intro and conclusion are "
            "written from this summary, and must not repeat the segments. "
            f"Write in {written_language(show.language)}."
        ),
    )
    return LLMRequest(
        task=Task.SUMMARY,
        messages=(system, ask),
        max_tokens=text_max_tokens(words, cap=MAX_SUMMARY_TOKENS),
        temperature=0.3,
        json_schema=response_schema(EpisodeSummary),
        schema_name="summary",
        episode_id=episode_id,
        stage="summary",
    )
