"""The repair pass and the script's quality record.

A segment that fails a check (see :mod:`podwright.stages.quality`) is asked again once. The repair
request is the original request with one message appended: a note naming each failed check, what
was measured and what to do. Everything before it, the static prefix included, stays
byte-identical, so a provider's prompt cache still serves it. Whatever
the second answer checks like, the episode goes on: the record says what failed, never silently.
"""

from __future__ import annotations

from typing import Literal

from podwright.core.llm import LLMRequest, Message
from podwright.core.model import Record
from podwright.stages.quality import CheckResult, SegmentQuality

__all__ = [
    "REPAIR_SUFFIX",
    "RepairCost",
    "ScriptQuality",
    "SegmentReview",
    "build_repair_request",
    "repair_note",
]

REPAIR_SUFFIX = "-repair"
"""Appended to a stage's label for its repair call (``segment-2-repair``), in run.json and the ledger."""


def repair_note(quality: SegmentQuality) -> str:
    """The instruction of a repair request: each failed check by name, what was measured, the fix."""
    lines = ["A first draft of this segment failed these checks:"]
    lines += [f"- {result.check.value}: {result.detail}. Fix: {result.fix}." for result in quality.failed]
    lines.append("Write the whole segment again so that it passes them. Answer with the JSON only.")
    return "\n".join(lines)


def build_repair_request(request: LLMRequest, quality: SegmentQuality) -> LLMRequest:
    """``request`` asked again: its messages unchanged, then the note on what its draft failed.

    The draft itself is not sent back: small models copy what they are shown, greetings and all,
    and a fresh answer costs fewer input tokens.
    """
    return request.model_copy(
        update={
            "messages": (*request.messages, Message(role="user", content=repair_note(quality))),
            "stage": request.stage + REPAIR_SUFFIX,
        }
    )


class SegmentReview(Record):
    """How one segment went through the checks: its first draft, and the repair when one was asked."""

    first: SegmentQuality
    repair: SegmentQuality | None = None
    """The checks of the repaired draft; ``None`` when no repair was asked (or its answer was unusable)."""
    repair_error: str | None = None
    """Why a repair answer could not be used (it stayed invalid JSON); the first draft was kept."""
    kept: Literal["first", "repair"] = "first"
    """Which draft went into the script: the repair, unless it failed more checks than the first."""

    @property
    def final(self) -> SegmentQuality:
        """The checks of the draft that went into the script."""
        return self.repair if self.kept == "repair" and self.repair is not None else self.first

    @property
    def asked_again(self) -> bool:
        """Whether a repair call was made."""
        return self.repair is not None or self.repair_error is not None


class RepairCost(Record):
    """What the repair calls cost on top of the first drafts."""

    calls: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    """``None`` when any repair call's cost is unknown."""
    wall_s: float = 0.0
    """Seconds the repair calls ran (summed; concurrent ones overlap in wall time)."""


class ScriptQuality(Record):
    """The script's quality record (``script.quality`` in run.json): every segment's checks and the length."""

    segments: tuple[SegmentReview, ...]
    """In air order: the intro, the body segments, the conclusion."""
    words: int
    """Spoken words of the whole script."""
    target_words: int
    """The words the episode's length asks for."""
    length: CheckResult
    repair: RepairCost = RepairCost()

    @property
    def failing(self) -> tuple[SegmentQuality, ...]:
        """Final checks of the segments that still fail something."""
        return tuple(review.final for review in self.segments if not review.final.passed)

    @property
    def passed(self) -> bool:
        """Every segment passes every check and the length is within tolerance."""
        return not self.failing and self.length.passed

    def summary(self) -> str:
        """A few lines for the command line: segments passing, repairs, what still fails, length."""
        total = len(self.segments)
        repaired = sum(1 for review in self.segments if review.asked_again)
        passing = total - len(self.failing)
        lines = [f"quality: {passing} of {total} segments pass every check ({repaired} asked again)"]
        for segment in self.failing:
            failed = "; ".join(f"{result.check.value}: {result.detail}" for result in segment.failed)
            lines.append(f"  ✗ {segment.stage} ({segment.title}): {failed}")
        mark = "✓" if self.length.passed else "✗"
        lines.append(f"  {mark} length: {self.length.detail}")
        if self.repair.calls:
            lines.append(
                f"  repair: {self.repair.calls} call{'s' if self.repair.calls != 1 else ''}, "
                f"{self.repair.input_tokens:,} tokens in ({self.repair.cached_tokens:,} cached), "
                f"{self.repair.output_tokens:,} out, {self.repair.wall_s:.1f} s"
            )
        return "\n".join(lines)
