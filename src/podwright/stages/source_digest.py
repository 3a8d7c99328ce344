"""Source digest (light model): one piece of a long source in, its summary out.

Long sources are split elsewhere; each piece is summarized by its own call (concurrently) and the
summaries are joined in order, so research reads a digest instead of the whole document.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from podwright.core.language import written_language
from podwright.core.llm import LLMRequest, Message
from podwright.core.show import Task
from podwright.stages.schema import response_schema
from podwright.stages.sizing import text_max_tokens

__all__ = ["PieceSummary", "build_request", "join", "piece_words"]


class PieceSummary(BaseModel):
    """The digest call's answer."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=1)


def piece_words(piece: str) -> int:
    """Target summary length of ``piece``: about a sixth of it, 60 to 600 words."""
    return max(60, min(600, len(piece.split()) // 6))


def build_request(
    title: str, piece: str, *, index: int, total: int, episode_id: str | None, language: str = "en"
) -> LLMRequest:
    """Summarize piece ``index`` (1-based) of ``total`` of the source titled ``title``."""
    words = piece_words(piece)
    system = Message(
        role="system",
        content="You condense source documents for podcast research, keeping facts, names, numbers and "
        "claims exact. Answer with JSON only.",
    )
    ask = Message(
        role="user",
        content=(
            f'Part {index} of {total} of "{title}":\n{piece}\n\n'
            f"Summarize this part in about {words} words, in {written_language(language)}."
        ),
    )
    return LLMRequest(
        task=Task.SOURCE_SUMMARY,
        messages=(system, ask),
        max_tokens=text_max_tokens(words),
        temperature=0.2,
        json_schema=response_schema(PieceSummary),
        schema_name="source_summary",
        episode_id=episode_id,
        stage=f"source-digest-{index}",
    )


def join(summaries: Sequence[str]) -> str:
    """The digest of a whole source: its pieces' summaries, in order."""
    return "\n\n".join(summary.strip() for summary in summaries)
