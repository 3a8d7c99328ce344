"""The production queue as data: job states, job records, attempts and render sessions.

A job is a state machine; every arrow below is one store transaction::

    queued ─► scripting ─► scripted ─► rendering ─► done
       ▲          │            ▲           │  └───► review ──approve──► scripted (final tier)
       └──retry───┘            └───retry───┘
    any open state ─► cancelled;   scripting | rendering ─► failed (attempts exhausted)

Times are UNIX seconds (floats) so the queue can run on an injected clock in tests.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from podwright.core.model import Record
from podwright.core.show import Tier

__all__ = [
    "OPEN_STATES",
    "TERMINAL_STATES",
    "Attempt",
    "AttemptOutcome",
    "JobRecord",
    "JobState",
    "Phase",
    "SessionEpisode",
    "SessionRecord",
]


class JobState(StrEnum):
    """Where a job stands in the production queue."""

    QUEUED = "queued"
    SCRIPTING = "scripting"
    SCRIPTED = "scripted"
    """Script staged on disk; waiting for a render session."""
    RENDERING = "rendering"
    REVIEW = "review"
    """A draft render is done and waits for ``podwright approve`` before the final render."""
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: States a job never leaves.
TERMINAL_STATES: frozenset[JobState] = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})
#: States that still need a worker (review waits on a person, not a worker).
OPEN_STATES: frozenset[JobState] = frozenset(
    {JobState.QUEUED, JobState.SCRIPTING, JobState.SCRIPTED, JobState.RENDERING}
)


class Phase(StrEnum):
    """The two kinds of work a job goes through."""

    SCRIPT = "script"
    RENDER = "render"


class AttemptOutcome(StrEnum):
    """How one attempt ended."""

    OK = "ok"
    ERROR = "error"
    LOST = "lost"
    """The worker's lease expired (crash, SIGKILL, lost machine); another worker recovered the job."""
    CANCELLED = "cancelled"


class JobRecord(Record):
    """One episode in the production queue."""

    id: str
    """The episode id (names the episode folder)."""
    show_path: str
    request_json: str
    """The :class:`~podwright.core.episode.EpisodeRequest` as JSON, exactly as queued."""
    state: JobState
    tier: Tier
    """The tier the producer asked for in the end."""
    render_tier: Tier
    """The tier of the next render: ``draft`` first when the review gate is on."""
    review: bool = False
    """Whether a draft render must be approved before the final render."""
    priority: int = Field(default=0, ge=0, le=9)
    deadline: float | None = None
    target_minutes: float
    created_at: float
    updated_at: float
    staged_at: float | None = None
    """When the current render became possible (script staged, or approval given)."""
    episode_dir: str | None = None
    word_count: int | None = None
    estimate_audio_s: float
    estimate_compute_s: float
    lease_owner: str | None = None
    lease_started_at: float | None = None
    lease_expires_at: float | None = None
    attempts: int = 0
    """Failed or lost attempts in the current phase (reset when the phase changes)."""
    error: str | None = None
    """The last error, kept after the job fails."""
    episode_key: str | None = None
    """The episode record this job makes (``<show slug>/<episode id>``)."""

    @property
    def phase(self) -> Phase:
        """The phase the job's next (or current) attempt belongs to."""
        return Phase.SCRIPT if self.state in (JobState.QUEUED, JobState.SCRIPTING) else Phase.RENDER


class Attempt(Record):
    """One finished attempt at a phase of a job; attempts are append-only."""

    id: int
    job_id: str
    phase: Phase
    tier: Tier | None = None
    worker: str
    started_at: float
    ended_at: float
    outcome: AttemptOutcome
    error: str | None = None


class SessionEpisode(Record):
    """One episode rendered (or failed) inside a render session."""

    session_id: int
    job_id: str
    tier: Tier
    started_at: float
    ended_at: float
    audio_s: float
    compute_s: float
    """Active synthesis seconds."""
    estimate_compute_s: float
    """What the queue estimated before the render; the error is ``compute_s - estimate``."""
    outcome: AttemptOutcome
    error: str | None = None
    chunks_synthesized: int = 0
    chunks_cached: int = 0


class SessionRecord(Record):
    """One render session: engine loaded once, episodes back to back, a short keep-alive, stop."""

    id: int
    worker: str
    device: str
    """Where it ran: ``cpu``, or a GPU name from the price table (``A100-80GB``...)."""
    started_at: float
    stopped_at: float | None = None
    cold_start_s: float = 0.0
    active_s: float = 0.0
    idle_s: float = 0.0
    """Keep-alive seconds spent waiting with nothing staged."""
    episodes: int = 0
    failures: int = 0
    stop_reason: str | None = None
    last_seen_at: float | None = None
    """The last heartbeat of the worker running it: where a dead worker's session is closed and billed."""

    @property
    def billed_s(self) -> float:
        """Start to stop: what a per-second machine bills (0 while the session is still open)."""
        return max(0.0, (self.stopped_at or self.started_at) - self.started_at)

    @property
    def utilization(self) -> float | None:
        """Active ÷ billed seconds; ``None`` for a session that billed nothing."""
        billed = self.billed_s
        return self.active_s / billed if billed > 0 else None
