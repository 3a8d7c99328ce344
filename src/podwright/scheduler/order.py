"""Render order, as a pure policy: shortest estimated job first, with aging and a deadline override.

The rank of a waiting job, best first:

1. *urgent* jobs — those whose slack (deadline − now − estimate) is at most ``urgent_slack_s`` — in
   earliest-deadline order, ahead of everything (missing a deadline is the one hard failure);
2. then by priority class, higher first;
3. then by aged length ``estimate − aging_rate × wait``, lower first; ties by arrival, then id.

Aging bounds starvation: when a job ``j`` is picked ahead of a waiting job ``L`` of the same class,
``est_j − a·wait_j ≤ est_L − a·wait_L``, so ``arrival_j − arrival_L ≤ est_L / a``: nothing that arrives
more than ``est_L / a`` seconds after ``L`` can overtake it (tested as a property).

Ranking alone can still miss a deadline FIFO would have met (a short job overtakes a deadline job
whose slack is not yet "urgent", then a long one blocks it). :func:`pick` guards against that: the
jobs whose deadline is *protected* — those FIFO meets (``fifo_due ≤ deadline``), or, when that is
unknown, those still feasible — must all still meet their deadlines if they were served earliest
deadline first right after the pick; the best-ranked job for which that holds is picked. On one
machine with exact estimates this never misses a deadline FIFO meets (tested as a property): every
order that never idles a machine with work waiting has the same unfinished work at every moment,
so a protected job arriving later finds at most the work FIFO would have made it wait behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["OrderPolicy", "QueueItem", "pick", "protected", "rank"]


@dataclass(frozen=True, slots=True)
class QueueItem:
    """What the policy needs to know about one waiting job."""

    job_id: str
    estimate_s: float
    arrived_at: float
    """When it became renderable (script staged), the start of its wait."""
    priority: int = 0
    deadline: float | None = None
    fifo_due: float | None = None
    """When FIFO would finish it, if known: a deadline FIFO meets is one :func:`pick` protects."""


@dataclass(frozen=True, slots=True)
class OrderPolicy:
    """Knobs of the render order."""

    aging_rate: float = 0.1
    """Seconds of estimate forgiven per second waited; 0 is plain shortest-first (can starve)."""
    urgent_slack_s: float = 1800.0
    """A job with this little slack left jumps the queue, earliest deadline first."""
    shortest_first: bool = True
    """``False`` gives FIFO within a priority class (the baseline the simulation compares against)."""
    protect_deadlines: bool = True
    """:func:`pick` never lets a pick make a protected deadline unreachable (see the module doc)."""

    def is_urgent(self, item: QueueItem, now: float) -> bool:
        """Whether ``item``'s deadline is close enough to override shortest-first."""
        if item.deadline is None:
            return False
        return item.deadline - now - item.estimate_s <= self.urgent_slack_s

    def key(self, item: QueueItem, now: float) -> tuple[int, float, float, float, str]:
        """Sort key: lower is served first."""
        if self.is_urgent(item, now):
            assert item.deadline is not None
            return (0, 0.0, item.deadline, item.arrived_at, item.job_id)
        if self.shortest_first:
            aged = item.estimate_s - self.aging_rate * max(0.0, now - item.arrived_at)
        else:
            aged = item.arrived_at
        return (1, -float(item.priority), aged, item.arrived_at, item.job_id)


def rank(items: Sequence[QueueItem], now: float, policy: OrderPolicy) -> list[QueueItem]:
    """``items`` in the order they should be rendered at time ``now``."""
    return sorted(items, key=lambda item: policy.key(item, now))


def protected(items: Sequence[QueueItem], start: float) -> list[QueueItem]:
    """Jobs whose deadline the pick must keep reachable, earliest deadline first.

    A job FIFO would finish by its deadline (``fifo_due``) is protected; without that figure, any
    job that can still make its deadline when started at ``start`` is.
    """
    kept = [
        item
        for item in items
        if item.deadline is not None
        and (
            item.fifo_due <= item.deadline
            if item.fifo_due is not None
            else start + item.estimate_s <= item.deadline
        )
    ]
    return sorted(kept, key=lambda item: (item.deadline, item.arrived_at, item.job_id))


def _keeps_deadlines(first: QueueItem, guarded: Sequence[QueueItem], start: float) -> bool:
    """Whether every guarded job still meets its deadline if ``first`` runs now and they follow EDF."""
    clock = start + first.estimate_s
    if first.deadline is not None and first in guarded and clock > first.deadline:
        return False
    for item in guarded:
        if item is first:
            continue
        clock += item.estimate_s
        assert item.deadline is not None
        if clock > item.deadline:
            return False
    return True


def pick(
    items: Sequence[QueueItem], now: float, policy: OrderPolicy, *, start: float | None = None
) -> QueueItem:
    """The job to render next at ``now`` (it would start at ``start``, after a cold start, say).

    The best-ranked job that keeps every protected deadline reachable; when none does (the protected
    jobs cannot all make it anyway), the protected job with the earliest deadline.
    """
    if not items:
        raise ValueError("pick needs at least one waiting job")
    ordered = rank(items, now, policy)
    if not policy.protect_deadlines or not policy.shortest_first:
        return ordered[0]
    begin = now if start is None else start
    guarded = protected(items, begin)
    if not guarded:
        return ordered[0]
    for candidate in ordered:
        if _keeps_deadlines(candidate, guarded, begin):
            return candidate
    return guarded[0]
