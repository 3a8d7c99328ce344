"""Image prompts (light model): one for the cover and one per script segment."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from podwright.core.episode import ImagePrompt
from podwright.core.llm import LLMRequest, Message
from podwright.core.show import Show, Task
from podwright.stages.schema import response_schema

__all__ = ["ImagePromptsDraft", "build_request", "parse"]

_TOKENS_PER_PROMPT = 48


class ImagePromptsDraft(BaseModel):
    """The image-prompt call's answer."""

    model_config = ConfigDict(extra="forbid")

    cover: str = Field(min_length=1)
    segments: list[str] = Field(default_factory=list)


def build_request(
    show: Show, *, title: str, segment_titles: Sequence[str], summary: str, episode_id: str
) -> LLMRequest:
    """The image-prompt call; ``segment_titles`` are the script's, intro and conclusion included."""
    chapters = "\n".join(f"{index}. {name}" for index, name in enumerate(segment_titles, start=1))
    system = Message(
        role="system",
        content="You write short prompts for an image generator: one scene, style and mood; "
        "no text in images. "
        "Answer with JSON only.",
    )
    ask = Message(
        role="user",
        content=(
            f'Podcast "{show.name}", episode "{title}".\nSegments:\n{chapters}\n\nSummary:\n{summary}\n\n'
            f"Write one cover prompt and exactly {len(segment_titles)} segment prompts, in order, "
            "each under 25 words."
        ),
    )
    schema = response_schema(ImagePromptsDraft)
    schema["properties"]["segments"]["maxItems"] = len(segment_titles)
    return LLMRequest(
        task=Task.IMAGE_PROMPTS,
        messages=(system, ask),
        max_tokens=64 + _TOKENS_PER_PROMPT * (len(segment_titles) + 1),
        temperature=0.8,
        json_schema=schema,
        schema_name="image_prompts",
        episode_id=episode_id,
        stage="image-prompts",
    )


def parse(draft: ImagePromptsDraft, *, title: str, segment_titles: Sequence[str]) -> tuple[ImagePrompt, ...]:
    """The cover prompt, then ``segment-<n>`` (1-based) for every segment; missing ones use the title."""
    written = [prompt.strip() for prompt in draft.segments if prompt.strip()]
    prompts = [ImagePrompt(target="cover", prompt=draft.cover.strip() or title)]
    for index, name in enumerate(segment_titles, start=1):
        text = (
            written[index - 1] if index <= len(written) else f"Editorial illustration: {name}, for '{title}'"
        )
        prompts.append(ImagePrompt(target=f"segment-{index}", prompt=text))
    return tuple(prompts)
