"""The repair pass in the script DAG: check each written segment, ask a failing one again once.

A segment is checked against the final text of the segments before it (so segments 2..N are still
written concurrently; only their checks wait for the ones before). A repair that still fails, or
whose answer stays invalid JSON, never stops the episode: the first draft or the better of the two
goes on, and the quality record says what failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from podwright.core.episode import Segment
from podwright.core.errors import OutputError
from podwright.core.llm import LLMRequest
from podwright.core.show import Show
from podwright.pipeline.run_record import StageRecord, total_cost
from podwright.stages.quality import check_length, check_segment
from podwright.stages.review import (
    REPAIR_SUFFIX,
    RepairCost,
    ScriptQuality,
    SegmentReview,
    build_repair_request,
)

__all__ = ["AskSegment", "review_segment", "script_quality"]

AskSegment = Callable[[LLMRequest], Awaitable[Segment]]
"""Makes one dialogue call (with its structural JSON repair) and parses the answer into a segment."""


async def review_segment(
    ask: AskSegment,
    show: Show,
    request: LLMRequest,
    draft: Segment,
    *,
    target_words: int,
    earlier: Sequence[Segment],
) -> tuple[Segment, SegmentReview]:
    """Check ``draft`` (written for ``request``); when it fails and repair is on, ask once more.

    The repaired draft is kept unless it fails more checks than the first.
    """
    first = check_segment(draft, show, stage=request.stage, target_words=target_words, earlier=earlier)
    if first.passed or not show.quality.repair:
        return draft, SegmentReview(first=first)
    try:
        repaired = await ask(build_repair_request(request, first))
    except OutputError as exc:
        return draft, SegmentReview(first=first, repair_error=exc.message)
    second = check_segment(repaired, show, stage=request.stage, target_words=target_words, earlier=earlier)
    if len(second.failed) <= len(first.failed):
        return repaired, SegmentReview(first=first, repair=second, kept="repair")
    return draft, SegmentReview(first=first, repair=second, kept="first")


def script_quality(
    show: Show,
    reviews: Sequence[SegmentReview],
    segments: Sequence[Segment],
    *,
    target_words: int,
    stages: Sequence[StageRecord],
) -> ScriptQuality:
    """The script's quality record: the reviews in air order, the length check and the repairs' cost."""
    repairs = [stage for stage in stages if stage.stage.endswith(REPAIR_SUFFIX)]
    words = sum(segment.word_count for segment in segments)
    return ScriptQuality(
        segments=tuple(reviews),
        words=words,
        target_words=target_words,
        length=check_length(words, target_words, show.quality.length_tolerance),
        repair=RepairCost(
            calls=sum(stage.calls for stage in repairs),
            input_tokens=sum(stage.input_tokens for stage in repairs),
            cached_tokens=sum(stage.cached_tokens for stage in repairs),
            output_tokens=sum(stage.output_tokens for stage in repairs),
            cost_usd=total_cost(repairs),
            wall_s=round(sum(stage.wall_s for stage in repairs), 4),
        ),
    )
