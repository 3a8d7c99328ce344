"""Metadata (light model): title, description, tags and one chapter title per segment."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from podwright.core.episode import EpisodeMetadata
from podwright.core.language import written_language
from podwright.core.llm import LLMRequest, Message
from podwright.core.show import Show, Task
from podwright.stages.schema import response_schema

__all__ = ["MetadataDraft", "build_request", "parse"]

_MAX_TAGS = 8


class MetadataDraft(BaseModel):
    """The metadata call's answer."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    chapter_titles: list[str] = Field(default_factory=list)


def build_request(
    show: Show, *, working_title: str, segment_titles: Sequence[str], summary: str, episode_id: str
) -> LLMRequest:
    """The metadata call; ``segment_titles`` are the script's, intro and conclusion included."""
    chapters = "\n".join(f"{index}. {name}" for index, name in enumerate(segment_titles, start=1))
    system = Message(
        role="system",
        content=f'You write podcast and YouTube metadata for "{show.name}". Answer with JSON only.',
    )
    ask = Message(
        role="user",
        content=(
            f'Working title: "{working_title}"\nChapters:\n{chapters}\n\nSummary:\n{summary}\n\n'
            "Write a catchy title (under 70 characters), a description of 2-4 sentences, "
            f"5-{_MAX_TAGS} tags, and exactly {len(segment_titles)} chapter titles in chapter order. "
            f"Write all of it in {written_language(show.language)}."
        ),
    )
    schema = response_schema(MetadataDraft)
    schema["properties"]["tags"]["maxItems"] = _MAX_TAGS
    schema["properties"]["chapter_titles"]["maxItems"] = len(segment_titles)
    return LLMRequest(
        task=Task.METADATA,
        messages=(system, ask),
        max_tokens=220 + 16 * len(segment_titles),
        temperature=0.5,
        json_schema=schema,
        schema_name="metadata",
        episode_id=episode_id,
        stage="metadata",
    )


def parse(draft: MetadataDraft, segment_titles: Sequence[str]) -> EpisodeMetadata:
    """Core metadata with exactly one chapter title per segment (the segment's own title fills gaps)."""
    written = [name.strip() for name in draft.chapter_titles if name.strip()]
    chapters = tuple(
        written[index] if index < len(written) else fallback for index, fallback in enumerate(segment_titles)
    )
    tags = tuple(dict.fromkeys(tag.strip().lstrip("#") for tag in draft.tags if tag.strip()))
    return EpisodeMetadata(
        title=draft.title.strip(), description=draft.description.strip(), tags=tags, chapter_titles=chapters
    )
