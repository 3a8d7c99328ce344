"""Outline: the brief in, an :class:`Outline` that follows the show's template out.

The model writes only what needs judgement (a working title, segment titles, key points); the
segment kinds, their order and their word targets come from the template and the sizing, so an
outline always follows the template whatever the model answers.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from podwright.core.episode import EpisodeRequest, Outline, OutlineSegment, ResearchBrief
from podwright.core.language import written_language
from podwright.core.llm import LLMRequest, Message
from podwright.core.show import Show, Task
from podwright.stages.context import sources_block
from podwright.stages.schema import response_schema
from podwright.stages.sizing import EpisodeSize

__all__ = ["OutlineDraft", "SegmentPlan", "build_request", "parse"]

_TOKENS_PER_SEGMENT = 110
_MAX_KEY_POINTS = 4


class SegmentPlan(BaseModel):
    """The model's plan for one template step."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    key_points: list[str] = Field(min_length=1)


class OutlineDraft(BaseModel):
    """The outline call's answer."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    segments: list[SegmentPlan] = Field(min_length=1)


def build_request(show: Show, request: EpisodeRequest, brief: ResearchBrief, size: EpisodeSize) -> LLMRequest:
    """The outline call: one plan per template step, in order."""
    steps = "\n".join(
        f"{index}. {spec.kind} (~{words} words): {spec.intent}"
        for index, (spec, words) in enumerate(zip(show.template, size.segment_words, strict=True), start=1)
    )
    topic = f"Topic: {request.topic.strip()}\n" if request.topic else ""
    system = Message(
        role="system",
        content=f'You plan episodes of the podcast "{show.name}" for {show.audience}. Answer with JSON only.',
    )
    ask = Message(
        role="user",
        content=(
            f"{topic}Brief: {brief.summary}\n"
            + ("Key facts: " + "; ".join(brief.key_facts) + "\n" if brief.key_facts else "")
            + (f"{sources_block(brief)}\n" if brief.sources or brief.sourcing else "")
            + f"\nPlan exactly {len(show.template)} segments, in this order:\n{steps}\n"
            f"Give a working title, and for each segment a title and 2-{_MAX_KEY_POINTS} short key points. "
            "The intro and conclusion are written separately: no segment is an introduction or a "
            "conclusion, and each title names what that segment is about. "
            f"Write the titles and key points in {written_language(show.language)}."
        ),
    )
    return LLMRequest(
        task=Task.OUTLINE,
        messages=(system, ask),
        max_tokens=64 + _TOKENS_PER_SEGMENT * len(show.template),
        temperature=show.llm.temperature,
        json_schema=response_schema(OutlineDraft),
        schema_name="outline",
        episode_id=request.episode_id,
        stage="outline",
    )


def parse(draft: OutlineDraft, show: Show, size: EpisodeSize) -> Outline:
    """Fit the model's plan onto the template: kinds, order and word targets come from the show.

    A missing plan falls back to the template step's intent; extra plans are dropped.
    """
    segments: list[OutlineSegment] = []
    for index, (spec, words) in enumerate(zip(show.template, size.segment_words, strict=True)):
        plan = draft.segments[index] if index < len(draft.segments) else None
        points = tuple(p.strip() for p in plan.key_points if p.strip()) if plan else ()
        segments.append(
            OutlineSegment(
                kind=spec.kind,
                title=plan.title.strip()
                if plan and plan.title.strip()
                else spec.kind.replace("_", " ").title(),
                key_points=points[:_MAX_KEY_POINTS] or (spec.intent,),
                target_words=words,
            )
        )
    return Outline(title=draft.title.strip(), segments=tuple(segments))
