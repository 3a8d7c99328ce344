"""The store protocols the scheduler works through: the job queue and the render-session log.

``podwright.store`` implements both on SQLite (the embedded default) and on PostgreSQL (a queue that
workers on several machines share); the scheduler and the backends see only these methods, never a
connection or SQL. A worker opens one :class:`JobQueue` per thread through an injected callable
(:data:`OpenQueue`), so where the store lives is decided once, at the edge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from podwright.core.jobs import JobRecord, JobState, SessionEpisode, SessionRecord
from podwright.core.lifecycle import EpisodeBook, RenderRecord

__all__ = ["JobQueue", "OpenQueue", "SessionLog"]


class SessionLog(Protocol):
    """Render sessions, the episodes rendered in them, and calibration samples."""

    def open(self, worker: str, device: str) -> int:
        """Start a session now; returns its id."""
        ...

    def beat(self, session_id: int) -> None:
        """The session's worker is alive now."""
        ...

    def close_lost(self, *, silent_for_s: float | None = None, worker: str | None = None) -> list[int]:
        """Close the sessions whose worker died, each at its last heartbeat."""
        ...

    def add_cold_start(self, session_id: int, seconds: float) -> None:
        """Add engine-loading seconds."""
        ...

    def add_idle(self, session_id: int, seconds: float) -> None:
        """Add keep-alive seconds spent with nothing staged."""
        ...

    def record_episode(self, episode: SessionEpisode) -> None:
        """Record one rendered (or failed) episode of a session."""
        ...

    def close(self, session_id: int, stop_reason: str) -> SessionRecord:
        """Stop the session now."""
        ...

    def get(self, session_id: int) -> SessionRecord:
        """The session ``session_id``."""
        ...

    def add_calibration(self, key: str, *, words: int, audio_s: float, compute_s: float) -> None:
        """Add one finished render's measurements under renderer ``key``."""
        ...

    def calibration(self, key: str, *, last: int = 50) -> list[tuple[int, float, float]]:
        """The latest ``(words, audio s, compute s)`` samples for ``key``, newest first."""
        ...


class JobQueue(Protocol):
    """Durable jobs with leases: every change is one transaction, a job is claimed by one worker only."""

    @property
    def episodes(self) -> EpisodeBook:
        """The episode records the jobs point at (same connection, same transactions)."""
        ...

    @property
    def sessions(self) -> SessionLog:
        """The session log on the same connection."""
        ...

    def get(self, job_id: str) -> JobRecord:
        """The job ``job_id``."""
        ...

    def select(self, states: Iterable[JobState] | None = None) -> list[JobRecord]:
        """Jobs in ``states`` (all when ``None``), oldest first."""
        ...

    def has_open_work(self, states: Iterable[JobState] = ...) -> bool:
        """Whether any job still needs a worker."""
        ...

    def claim(self, job_id: str, worker: str, lease_s: float) -> JobRecord | None:
        """Lease one job; ``None`` when someone else has it."""
        ...

    def claim_first(self, job_ids: Sequence[str], worker: str, lease_s: float) -> JobRecord | None:
        """Lease the first claimable job of ``job_ids``, in that order, skipping jobs being claimed."""
        ...

    def heartbeat(self, job_id: str, worker: str, lease_s: float) -> bool:
        """Extend a lease; ``False`` once it is gone."""
        ...

    def recover_expired(self, *, max_attempts: int | None = None) -> list[str]:
        """Hand back every job whose lease expired (any worker may do it)."""
        ...

    def reclaim_own(self, worker: str, *, max_attempts: int | None = None) -> list[str]:
        """Hand back the jobs a restarted worker identity still held."""
        ...

    def finish_script(
        self,
        job_id: str,
        worker: str,
        *,
        episode_dir: str,
        word_count: int,
        estimate_audio_s: float,
        estimate_compute_s: float,
        title: str | None = None,
        script_sha: str | None = None,
    ) -> JobRecord:
        """Scripting → scripted."""
        ...

    def finish_render(self, job_id: str, worker: str, *, render: RenderRecord | None = None) -> JobRecord:
        """Rendering → done (or review behind the gate)."""
        ...

    def fail_attempt(self, job_id: str, worker: str, error: str, *, max_attempts: int) -> JobRecord:
        """Record a failed attempt: retried, or failed once attempts run out."""
        ...

    def wait_for_work(self, timeout_s: float) -> bool:
        """Block until work may be claimable (at most ``timeout_s``); ``False`` when the caller must poll."""
        ...

    def close(self) -> None:
        """Close the store connection."""
        ...


OpenQueue = Callable[[], JobQueue]
"""Opens the job queue on a fresh connection (one per thread): how a worker reaches the store."""
