"""Chart data for the costs page, drawn by the templates as plain HTML and inline SVG (no library)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from podwright.core.jobs import SessionEpisode, SessionRecord

__all__ = ["Bar", "Span", "Timeline", "bars", "session_timelines"]


@dataclass(frozen=True, slots=True)
class Bar:
    """One labelled bar: its value and its length as a share of the longest bar (0–100)."""

    label: str
    value: float
    percent: float


def bars(values: Mapping[str, float], *, limit: int = 30) -> list[Bar]:
    """The ``limit`` largest values as bars, largest first."""
    top = sorted(values.items(), key=lambda item: -item[1])[:limit]
    peak = max((value for _, value in top), default=0.0) or 1.0
    return [Bar(label, value, round(100.0 * value / peak, 1)) for label, value in top]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of a session's timeline, in percent of the session's billed time."""

    kind: str
    """``cold`` (engine load), ``episode`` (rendering) or ``idle`` (keep-alive)."""
    label: str
    start: float
    width: float


@dataclass(frozen=True, slots=True)
class Timeline:
    """One render session drawn as labelled spans, with its utilization."""

    session: SessionRecord
    spans: list[Span]
    utilization: float | None


def session_timelines(sessions: Sequence[tuple[SessionRecord, list[SessionEpisode]]]) -> list[Timeline]:
    """Each session's cold start, episodes and idle tail as spans of its billed time."""
    timelines = []
    for record, episodes in sessions:
        billed = (
            record.billed_s
            or max((e.ended_at for e in episodes), default=record.started_at) - record.started_at
        )
        billed = billed or 1.0
        spans = []
        if record.cold_start_s:
            spans.append(
                Span(
                    "cold", f"cold start {record.cold_start_s:.1f} s", 0.0, 100 * record.cold_start_s / billed
                )
            )
        for episode in episodes:
            start = 100 * (episode.started_at - record.started_at) / billed
            width = 100 * (episode.ended_at - episode.started_at) / billed
            spans.append(
                Span("episode", f"{episode.job_id} ({episode.tier.value})", max(start, 0.0), max(width, 0.5))
            )
        if record.idle_s:
            spans.append(
                Span(
                    "idle",
                    f"idle {record.idle_s:.1f} s",
                    100 - 100 * record.idle_s / billed,
                    100 * record.idle_s / billed,
                )
            )
        timelines.append(Timeline(record, spans, record.utilization))
    return timelines
