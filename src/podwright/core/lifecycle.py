"""Episodes as records: their lifecycle, their renders, and the store protocol that keeps them.

Whatever made an episode (``produce``, ``script``, ``render``, the queue, the studio), it is one
record in the store. Every arrow is one store transaction, recorded as an append-only event with who
did it and when::

    scripted ─► draft_rendered ─► in_review ─► approved ─► final_rendered ─► published
       │  ▲            │  └──────────approve───────┘ ▲          │   ▲   unpublish │
       │  └─(edit)─────┘                            │          │   └─────────────┘
       └───────────────────── render final ─────────┴──────────┘
    any state but published ─► failed | cancelled;   failed | cancelled ─► scripted (a new script)

Approval binds to the script it approved (``approved_script_sha``): a script edited after approval
must be approved again before its final render can be published.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, runtime_checkable

from pydantic import Field

from podwright.core.model import Record
from podwright.core.show import Tier

__all__ = [
    "EpisodeBook",
    "EpisodeEvent",
    "EpisodeRecord",
    "EpisodeState",
    "RenderRecord",
    "episode_key",
]


class EpisodeState(StrEnum):
    """Where an episode stands between its script and the feed."""

    SCRIPTED = "scripted"
    DRAFT_RENDERED = "draft_rendered"
    IN_REVIEW = "in_review"
    """A draft waits for a person's approval (the queue's review gate)."""
    APPROVED = "approved"
    FINAL_RENDERED = "final_rendered"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"


def episode_key(show_slug: str, episode_id: str) -> str:
    """The store's key of an episode: ``<show slug>/<episode id>`` (ids are unique within a show)."""
    return f"{show_slug}/{episode_id}"


class RenderRecord(Record):
    """One tier's render of an episode: where its files are and what it cost."""

    tier: Tier
    folder: str
    """The tier's folder (``<episode>/draft`` or ``<episode>/final``) holding its MP3 and transcripts."""
    files: tuple[str, ...]
    """File names inside ``folder`` (``episode.mp3``, ``transcript.vtt``...)."""
    audio_s: float
    compute_s: float
    """Engine seconds spent synthesizing (active seconds, cold starts excluded)."""
    cost_usd: float | None = None
    """Machine cost of the render when it is known (priced sessions); ``None`` is unknown, not zero."""
    script_sha: str
    """sha256 of the ``script.json`` this render voiced."""
    rendered_at: float


class EpisodeRecord(Record):
    """An episode as the store knows it."""

    key: str
    """``<show slug>/<episode id>``: see :func:`episode_key`."""
    show_slug: str
    episode_id: str
    title: str
    topic: str | None = None
    sources: tuple[str, ...] = ()
    folder: str
    """The episode folder (script.json, show.json, images/, one folder per rendered tier)."""
    state: EpisodeState
    script_sha: str | None = None
    """sha256 of ``script.json`` when the record last saw it."""
    approved_by: str | None = None
    approved_at: float | None = None
    approved_script_sha: str | None = None
    published_by: str | None = None
    published_at: float | None = None
    published_tier: Tier | None = None
    job_id: str | None = None
    """The queue job that makes it, when the queue does."""
    error: str | None = None
    """Why it failed, when it did."""
    created_at: float
    updated_at: float
    renders: dict[Tier, RenderRecord] = Field(default_factory=dict)
    """The latest render of each tier, side by side (a final never replaces the draft)."""

    @property
    def approved(self) -> bool:
        """Whether a person approved the script as it is now."""
        return self.approved_at is not None and self.approved_script_sha == self.script_sha


class EpisodeEvent(Record):
    """One lifecycle step, append-only: from which state to which, by whom, when, and why."""

    id: int
    key: str
    from_state: EpisodeState | None
    to_state: EpisodeState
    actor: str
    at: float
    note: str = ""


@runtime_checkable
class EpisodeBook(Protocol):
    """Where episode records live (SQLite by default); every method that changes one is a transaction."""

    def get(self, key: str) -> EpisodeRecord:
        """The episode ``key`` (an :class:`~podwright.core.errors.EpisodeError` when unknown)."""
        ...

    def find(self, show_slug: str | None = None) -> list[EpisodeRecord]:
        """Every episode (of one show), newest first."""
        ...

    def events(self, key: str) -> list[EpisodeEvent]:
        """The episode's lifecycle events, oldest first."""
        ...

    def record_script(
        self,
        *,
        show_slug: str,
        episode_id: str,
        title: str,
        topic: str | None,
        sources: tuple[str, ...],
        folder: str,
        script_sha: str,
        actor: str,
        job_id: str | None = None,
    ) -> EpisodeRecord:
        """A script was written (new episode, or a new script for an existing one): state ``scripted``."""
        ...

    def record_render(
        self, key: str, render: RenderRecord, *, actor: str, review: bool = False
    ) -> EpisodeRecord:
        """A tier was rendered: ``draft_rendered`` (``in_review`` with ``review``) or ``final_rendered``."""
        ...

    def approve(self, key: str, *, actor: str, script_sha: str) -> EpisodeRecord:
        """A person approved the script ``script_sha`` (after hearing the draft)."""
        ...

    def publish(self, key: str, tier: Tier, *, actor: str, require_approval: bool = True) -> EpisodeRecord:
        """The ``tier`` render goes into the feed; unless told otherwise, only an approved script's."""
        ...

    def unpublish(self, key: str, *, actor: str) -> EpisodeRecord:
        """Out of the feed again (back to the state it would have without publishing)."""
        ...

    def fail(self, key: str, error: str, *, actor: str) -> EpisodeRecord:
        """The episode's production failed."""
        ...

    def cancel(self, key: str, *, actor: str) -> EpisodeRecord:
        """The producer cancelled the episode."""
        ...
