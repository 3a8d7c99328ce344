"""Render order, as a pure policy: shortest estimated job first, with aging and a deadline override.

The rank of a waiting job, best first:

1. *urgent* jobs — those whose slack (deadline − now − estimate) is at most ``urgent_slack_s`` — in
   earliest-deadline order, ahead of everything (missing a deadline is the one hard failure);
2. then by priority class, higher first;
3. then by aged length ``estimate − aging_rate × wait``, lower first; ties by arrival, then id.

Aging bounds starvation: when a job ``j`` is picked ahead of a waiting job ``L`` of the same class,
``est_j − a·wait_j ≤ est_L − a·wait_L``, so ``arrival_j − arrival_L ≤ est_L / a``: nothing that arrives
more than ``est_L / a`` seconds after ``L`` can overtake it (tested as a property).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["OrderPolicy", "QueueItem", "rank"]


@dataclass(frozen=True, slots=True)
class QueueItem:
    """What the policy needs to know about one waiting job."""

    job_id: str
    estimate_s: float
    arrived_at: float
    """When it became renderable (script staged), the start of its wait."""
    priority: int = 0
    deadline: float | None = None


@dataclass(frozen=True, slots=True)
class OrderPolicy:
    """Knobs of the render order."""

    aging_rate: float = 0.1
    """Seconds of estimate forgiven per second waited; 0 is plain shortest-first (can starve)."""
    urgent_slack_s: float = 1800.0
    """A job with this little slack left jumps the queue, earliest deadline first."""
    shortest_first: bool = True
    """``False`` gives FIFO within a priority class (the baseline the simulation compares against)."""

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
