"""A clock the test moves by hand, for leases, heartbeats and aging without wall-clock waits."""

from __future__ import annotations

__all__ = ["HandClock"]


class HandClock:
    """Returns ``now`` until the test changes it."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
