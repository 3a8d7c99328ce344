"""When staged work justifies paying for a render session (a cold start and billed seconds)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from podwright.scheduler.order import OrderPolicy, QueueItem

__all__ = ["SessionTrigger"]


@dataclass(frozen=True, slots=True)
class SessionTrigger:
    """Start a session for enough episodes, an old enough wait, deadline pressure, or a drained backlog."""

    min_episodes: int = 3
    """Staged episodes that make one cold start worth paying."""
    max_wait_s: float = 900.0
    """No staged episode waits longer than this for a session to start."""
    policy: OrderPolicy = field(default_factory=OrderPolicy)
    """Its ``urgent_slack_s`` decides deadline pressure."""
    renders: bool = True
    """``False``: this worker never starts a session; it only stages scripts for renders that run
    elsewhere (Ray actors, Modal containers)."""

    def justify(self, staged: Sequence[QueueItem], now: float, *, draining: bool) -> str | None:
        """Why a session should start now, or ``None`` to keep waiting.

        ``draining`` says no more scripts are coming soon (nothing queued or being scripted), so
        waiting for a fuller batch would only delay the episodes already staged.
        """
        if not staged or not self.renders:
            return None
        if len(staged) >= self.min_episodes:
            return f"{len(staged)} episodes staged"
        if any(self.policy.is_urgent(item, now) for item in staged):
            return "deadline pressure"
        oldest = max(now - item.arrived_at for item in staged)
        if oldest >= self.max_wait_s:
            return f"oldest staged episode waited {oldest:.0f} s"
        if draining:
            return "backlog fully staged"
        return None
