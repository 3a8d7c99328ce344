"""Recurring shows: enqueue the episodes a show's cron schedule says are due, exactly once.

For each show with a ``[schedule]``, the due time is the latest cron tick at or before ``now`` (in
UTC). Slots missed while nothing ran are not back-filled: after a week offline a daily show gets one
episode, not seven. A run is recorded in ``schedule_runs`` keyed by (show slug, due time), and a
topic is used once per show, so running the scheduler twice enqueues nothing twice.

The claim is committed *before* the job is enqueued (the queue may write to the same database), and
the job id is recorded after. If the process dies in between, the next run finds the claim without a
job id and enqueues it again under the same key, which the queue uses to refuse a duplicate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from croniter import croniter

from podwright.core import ConfigError, EpisodeRequest, JobError, Show
from podwright.scheduler.intake import QueuedEpisode, enqueue
from podwright.scheduler.topics import FetchText, schedule_topics
from podwright.store.database import Database
from podwright.store.jobs import JobStore
from podwright.store.schedule_runs import ScheduleRuns
from podwright.store.sessions import SessionStore

__all__ = [
    "Enqueue",
    "RunStatus",
    "ScheduleDecision",
    "ScheduledShow",
    "episode_id_for_key",
    "latest_due",
    "queue_enqueuer",
    "run_schedules",
]

Enqueue = Callable[[Path, str, float, str], str]
"""``enqueue(show_path, topic, minutes, key) -> job id``; must not create a second job for the same key."""


class RunStatus(StrEnum):
    """What the scheduler did for one show."""

    ENQUEUED = "enqueued"
    ALREADY = "already"
    """The due episode was enqueued by an earlier run."""
    NO_TOPIC = "no_topic"
    """An episode is due but every topic has been used; add topics and run again."""
    UNSCHEDULED = "unscheduled"
    """The show file has no ``[schedule]``."""


@dataclass(frozen=True, slots=True)
class ScheduledShow:
    """A show and the file it was read from (the job queue refers to shows by path)."""

    path: Path
    show: Show


@dataclass(frozen=True, slots=True)
class ScheduleDecision:
    """The outcome for one show."""

    show_slug: str
    status: RunStatus
    due_at: datetime | None = None
    topic: str | None = None
    job_id: str | None = None
    key: str | None = None


def latest_due(cron: str, now: datetime) -> datetime:
    """The latest tick of ``cron`` (UTC) at or before ``now``."""
    moment = now if now.tzinfo else now.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if not croniter.is_valid(cron):
        raise ConfigError(
            f"schedule cron {cron!r} is not a valid cron expression",
            hint="use five fields in UTC, e.g. '0 6 * * 1' for Mondays at 06:00",
        )
    # croniter's get_prev is strictly before its start; start just after now so a tick at now counts.
    due: datetime = croniter(cron, moment + timedelta(microseconds=1)).get_prev(datetime)
    return due.astimezone(UTC)


def _key(slug: str, due: datetime) -> str:
    return f"schedule:{slug}:{due.strftime('%Y-%m-%dT%H:%MZ')}"


def run_schedules(
    conn: Database,
    shows: Sequence[ScheduledShow],
    *,
    now: datetime,
    enqueue: Enqueue,
    fetch: FetchText | None = None,
    clock: Callable[[], float] = time.time,
) -> list[ScheduleDecision]:
    """Enqueue every due, not yet enqueued episode of ``shows``; one decision per show, in order."""
    return [_run_one(conn, entry, now=now, enqueue=enqueue, fetch=fetch, clock=clock) for entry in shows]


def _run_one(
    conn: Database,
    entry: ScheduledShow,
    *,
    now: datetime,
    enqueue: Enqueue,
    fetch: FetchText | None,
    clock: Callable[[], float],
) -> ScheduleDecision:
    show, schedule = entry.show, entry.show.schedule
    if schedule is None:
        return ScheduleDecision(show.slug, RunStatus.UNSCHEDULED)
    runs = ScheduleRuns(conn)
    due = latest_due(schedule.cron, now)
    due_text = due.isoformat()
    key = _key(show.slug, due)
    slot = runs.slot(show.slug, due_text)
    if slot is not None and slot[1] is not None:
        return ScheduleDecision(show.slug, RunStatus.ALREADY, due, slot[0], slot[1], key)
    if slot is not None:
        topic = slot[0]  # claimed by a run that died before enqueueing: finish its work
    else:
        used = runs.topics(show.slug)
        offered = schedule_topics(schedule, show_dir=entry.path.parent, fetch=fetch)
        fresh = [topic for topic in offered if topic.casefold() not in used]
        if not fresh:
            return ScheduleDecision(show.slug, RunStatus.NO_TOPIC, due, key=key)
        topic = fresh[0]
        if not runs.claim(show.slug, due_text, topic, key, clock()):
            return ScheduleDecision(show.slug, RunStatus.ALREADY, due, topic, key=key)
    try:
        job_id = enqueue(entry.path, topic, schedule.minutes, key)
    except BaseException:
        # Give the slot and the topic back, so the next run tries again from a clean state.
        runs.release(show.slug, due_text)
        raise
    runs.set_job(show.slug, due_text, job_id)
    return ScheduleDecision(show.slug, RunStatus.ENQUEUED, due, topic, job_id, key)


def episode_id_for_key(key: str) -> str:
    """The episode id of a scheduled episode: ``<show-slug>-<yyyymmdd-hhmm>``, unique per slot."""
    _, slug, due = key.split(":", 2)
    return f"{slug}-{due.rstrip('Z').replace('-', '').replace('T', '-').replace(':', '')}"


def queue_enqueuer(
    jobs: JobStore, sessions: SessionStore, *, show_slugs: Mapping[Path, str] | None = None
) -> Enqueue:
    """An :data:`Enqueue` onto the production queue; the key names the episode, so a repeat is a no-op.

    ``show_slugs`` (show file → slug) links each job to its episode record, as ``queue add`` does.
    """

    def enqueue_scheduled(show_path: Path, topic: str, minutes: float, key: str) -> str:
        episode_id = episode_id_for_key(key)
        request = EpisodeRequest(episode_id=episode_id, topic=topic, target_minutes=minutes)
        slug = (show_slugs or {}).get(show_path)
        try:
            return enqueue(
                jobs, sessions, QueuedEpisode(request=request, show_path=show_path), show_slug=slug
            ).id
        except JobError as refused:
            # Already queued under this key by a run that died before recording the job id.
            try:
                return jobs.get(episode_id).id
            except JobError:
                raise refused from None

    return enqueue_scheduled
