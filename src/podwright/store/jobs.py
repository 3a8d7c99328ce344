"""Durable jobs in SQLite or PostgreSQL: transitions, leases with heartbeats, and append-only attempts.

Every method that changes a job runs in one transaction and checks the state it expects under a lock
(SQLite's write lock; PostgreSQL's row lock, ``FOR UPDATE``), so two workers can never both claim a
job. A claim takes the first job of the caller's order that no one else holds
(``FOR UPDATE SKIP LOCKED``: workers racing for the head of the queue spread over the next jobs
instead of queueing behind one row lock). A job becoming claimable wakes idle workers
(``NOTIFY``, PostgreSQL only; SQLite workers poll). A lease names its owner and
expiry; :meth:`JobStore.recover_expired` hands a job whose worker stopped heart-beating back to the
queue and records the lost attempt. A job points at its episode record (``episode_key``): the steps
that change the episode too (script staged, render done, failed, cancelled, approved) change both in
the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from podwright.core import EpisodeRequest, JobError, Tier
from podwright.core.jobs import (
    OPEN_STATES,
    TERMINAL_STATES,
    Attempt,
    AttemptOutcome,
    JobRecord,
    JobState,
    Phase,
)
from podwright.core.lifecycle import EpisodeRecord, EpisodeState, RenderRecord
from podwright.store.database import Database, IntegrityError, ResultRow
from podwright.store.db import connect, transaction
from podwright.store.episodes import STEPS, SQLiteEpisodeBook
from podwright.store.sessions import SessionStore

__all__ = ["JobStore", "open_job_store", "transaction"]

Clock = Callable[[], float]


class JobStore:
    """The jobs table and its attempts, on one connection from :func:`podwright.store.db.connect`."""

    def __init__(self, conn: Database, *, clock: Clock = time.time) -> None:
        self.conn = conn
        """The store connection (SQLite or PostgreSQL); code outside ``store/`` uses the methods."""
        self.clock = clock
        self.episodes = SQLiteEpisodeBook(conn, clock=clock)
        """The episode records the jobs point at, on the same connection (same transactions)."""
        self.sessions = SessionStore(conn, clock=clock)
        """The render sessions and calibration samples, on the same connection."""

    @property
    def where(self) -> str:
        """Where the store lives (a file path, or the PostgreSQL URL without its password)."""
        return self.conn.where

    def close(self) -> None:
        """Close the store connection (its episode book and session log with it)."""
        self.conn.close()

    def wait_for_work(self, timeout_s: float) -> bool:
        """Block until a job may have become claimable, at most ``timeout_s``.

        ``False`` when the store cannot wake anyone (SQLite): the caller polls instead.
        """
        return self.conn.wait(timeout_s)

    # -- reading ---------------------------------------------------------------------------------

    def get(self, job_id: str) -> JobRecord:
        """The job ``job_id``; :class:`JobError` when there is none."""
        row = self.conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobError(f"no job {job_id!r} in the queue", hint="see `podwright queue list` for job ids")
        return _job(row)

    def select(self, states: Iterable[JobState] | None = None) -> list[JobRecord]:
        """Jobs in ``states`` (all when ``None``), oldest first."""
        if states is None:
            rows = self.conn.execute("SELECT * FROM jobs ORDER BY created_at, id").fetchall()
        else:
            wanted = [state.value for state in states]
            marks = ",".join("?" * len(wanted))
            rows = self.conn.execute(
                f"SELECT * FROM jobs WHERE state IN ({marks}) ORDER BY created_at, id", wanted
            ).fetchall()
        return [_job(row) for row in rows]

    def attempts(self, job_id: str) -> list[Attempt]:
        """Every finished attempt of ``job_id``, in order."""
        rows = self.conn.execute("SELECT * FROM job_attempts WHERE job_id = ? ORDER BY id", (job_id,))
        return [Attempt.model_validate(dict(row)) for row in rows]

    def exists(self, job_id: str, *, prefix: bool = False) -> bool:
        """Whether a job ``job_id`` is in the queue (with ``prefix``: a job whose id starts so)."""
        if prefix:
            sql, param = "SELECT 1 FROM jobs WHERE id LIKE ? ESCAPE '!' LIMIT 1", _like_prefix(job_id)
        else:
            sql, param = "SELECT 1 FROM jobs WHERE id = ?", job_id
        return self.conn.execute(sql, (param,)).fetchone() is not None

    def has_open_work(self, states: Iterable[JobState] = OPEN_STATES) -> bool:
        """Whether any job is in ``states`` (by default: any job that still needs a worker)."""
        wanted = [state.value for state in states]
        marks = ",".join("?" * len(wanted))
        row = self.conn.execute(f"SELECT 1 FROM jobs WHERE state IN ({marks}) LIMIT 1", wanted).fetchone()
        return row is not None

    # -- adding, cancelling, approving -----------------------------------------------------------

    def add(
        self,
        request: EpisodeRequest,
        show_path: str,
        *,
        review: bool,
        estimate_audio_s: float,
        rtf: float,
        episode_key: str | None = None,
    ) -> JobRecord:
        """Queue ``request``; with ``review``, a final-tier job renders a draft and waits for approval.

        ``episode_key`` (``<show slug>/<episode id>``) names the episode record the job makes.
        """
        now = self.clock()
        gated = review and request.tier is Tier.FINAL
        deadline = request.deadline.timestamp() if request.deadline else None
        try:
            with transaction(self.conn):
                self.conn.execute(
                    "INSERT INTO jobs (id, show_path, request_json, state, tier, render_tier, review,"
                    " priority, deadline, target_minutes, created_at, updated_at, estimate_audio_s,"
                    " estimate_compute_s, episode_key)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        request.episode_id,
                        show_path,
                        request.model_dump_json(),
                        JobState.QUEUED.value,
                        request.tier.value,
                        (Tier.DRAFT if gated else request.tier).value,
                        int(gated),
                        request.priority,
                        deadline,
                        request.target_minutes,
                        now,
                        now,
                        estimate_audio_s,
                        estimate_audio_s * rtf,
                        episode_key,
                    ),
                )
                self.conn.notify()
        except IntegrityError as exc:
            raise JobError(
                f"job {request.episode_id!r} is already in the queue",
                hint="pick another episode id, or cancel the old job first",
            ) from exc
        return self.get(request.episode_id)

    def cancel(self, job_id: str, *, actor: str = "producer") -> JobRecord:
        """Cancel a job that has not finished; a worker holding it drops it at its next heartbeat."""
        with transaction(self.conn):
            job = self._locked(job_id)
            if job.state in TERMINAL_STATES:
                raise JobError(f"job {job_id!r} is already {job.state.value}", hint="nothing to cancel")
            if job.lease_owner is not None:
                self._attempt(job, AttemptOutcome.CANCELLED, "cancelled while running")
            self._set(job_id, state=JobState.CANCELLED, lease_owner=None, lease_expires_at=None)
            episode = self._episode(job)
            if episode is not None and episode.state in STEPS["cancel"]:
                self.episodes.apply_end(episode.key, EpisodeState.CANCELLED, actor=actor, error=None)
        return self.get(job_id)

    def set_priority(self, job_id: str, priority: int) -> JobRecord:
        """Move a job that has not finished into priority class ``priority`` (0–9; higher goes first)."""
        if not 0 <= priority <= 9:
            raise JobError(f"priority {priority} is out of range", hint="use a class from 0 (normal) to 9")
        with transaction(self.conn):
            job = self._locked(job_id)
            if job.state in TERMINAL_STATES:
                raise JobError(f"job {job_id!r} is already {job.state.value}", hint="nothing to reorder")
            self._set(job_id, priority=priority)
            self.conn.notify()
        return self.get(job_id)

    def approve(self, job_id: str, *, actor: str = "producer", script_sha: str | None = None) -> JobRecord:
        """Pass the review gate: the approved draft's script goes on to its final render.

        With ``script_sha``, the job's episode record is approved for that script in the same transaction.
        """
        with transaction(self.conn):
            job = self._locked(job_id)
            if job.state is not JobState.REVIEW:
                raise JobError(
                    f"job {job_id!r} is {job.state.value}, not waiting for review",
                    hint="only a job whose draft render is done (state 'review') can be approved",
                )
            self._set(
                job_id,
                state=JobState.SCRIPTED,
                render_tier=job.tier.value,
                staged_at=self.clock(),
                attempts=0,
            )
            episode = self._episode(job)
            if episode is not None and script_sha is not None:
                self.episodes.apply_approve(episode.key, actor=actor, script_sha=script_sha)
            self.conn.notify()
        return self.get(job_id)

    # -- leases ----------------------------------------------------------------------------------

    def claim(self, job_id: str, worker: str, lease_s: float) -> JobRecord | None:
        """Lease a queued (→ scripting) or scripted (→ rendering) job; ``None`` if someone else got it."""
        return self.claim_first([job_id], worker, lease_s)

    def claim_first(self, job_ids: Sequence[str], worker: str, lease_s: float) -> JobRecord | None:
        """Lease the first job of ``job_ids`` (the caller's order, e.g. :func:`scheduler.order.rank`)
        that is still claimable and that no other worker is claiming right now; ``None`` if none is.

        One transaction: ``SELECT … ORDER BY <position in job_ids> LIMIT 1 FOR UPDATE SKIP LOCKED``,
        so the order stays the caller's and a row another worker has locked is passed over, not waited on.
        """
        moves = {JobState.QUEUED: JobState.SCRIPTING, JobState.SCRIPTED: JobState.RENDERING}
        for start in range(0, len(job_ids), _CLAIM_BATCH):
            batch = list(job_ids[start : start + _CLAIM_BATCH])
            marks = ",".join("?" * len(batch))
            position = " ".join("WHEN ? THEN " + str(index) for index in range(len(batch)))
            with transaction(self.conn):
                row = self.conn.execute(
                    f"SELECT id, state FROM jobs WHERE id IN ({marks}) AND state IN (?, ?)"
                    f" ORDER BY CASE id {position} END LIMIT 1 FOR UPDATE SKIP LOCKED",
                    [*batch, JobState.QUEUED.value, JobState.SCRIPTED.value, *batch],
                ).fetchone()
                if row is None:
                    continue
                now = self.clock()
                self._set(
                    row["id"],
                    state=moves[JobState(row["state"])],
                    lease_owner=worker,
                    lease_started_at=now,
                    lease_expires_at=now + lease_s,
                )
            return self.get(row["id"])
        return None

    def heartbeat(self, job_id: str, worker: str, lease_s: float) -> bool:
        """Extend ``worker``'s lease on ``job_id``; ``False`` once the lease is gone."""
        with transaction(self.conn):
            cursor = self.conn.execute(
                "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND state IN (?, ?)",
                (self.clock() + lease_s, job_id, worker, JobState.SCRIPTING.value, JobState.RENDERING.value),
            )
        return cursor.rowcount == 1

    def recover_expired(self, *, max_attempts: int | None = None) -> list[str]:
        """Hand back every job whose lease expired, recording the lost attempt.

        A lost attempt counts in ``attempts``; with ``max_attempts`` a job that keeps killing its
        workers fails instead of being handed back for ever.
        """
        recovered: list[str] = []
        with transaction(self.conn):
            # SKIP LOCKED: a job another worker is recovering (or finishing) right now is its business.
            rows = self.conn.execute(
                "SELECT * FROM jobs WHERE state IN (?, ?) AND lease_expires_at < ? ORDER BY id"
                " FOR UPDATE SKIP LOCKED",
                (JobState.SCRIPTING.value, JobState.RENDERING.value, self.clock()),
            ).fetchall()
            for row in rows:
                job = _job(row)
                self._attempt(job, AttemptOutcome.LOST, f"lease of worker {job.lease_owner} expired")
                self._release(job, "lease expired (worker lost)", max_attempts=max_attempts)
                recovered.append(job.id)
        return recovered

    def reclaim_own(self, worker: str, *, max_attempts: int | None = None) -> list[str]:
        """Hand back at once every job still leased to ``worker``, which is starting afresh.

        A worker restarted with the same identity holds nothing yet: any lease in its name belonged
        to the process that died, so waiting for that lease to expire would only idle the job.
        """
        reclaimed: list[str] = []
        with transaction(self.conn):
            rows = self.conn.execute(
                "SELECT * FROM jobs WHERE state IN (?, ?) AND lease_owner = ? ORDER BY id FOR UPDATE",
                (JobState.SCRIPTING.value, JobState.RENDERING.value, worker),
            ).fetchall()
            for row in rows:
                job = _job(row)
                self._attempt(job, AttemptOutcome.LOST, f"worker {worker} restarted while holding it")
                self._release(job, "worker restarted (previous process lost)", max_attempts=max_attempts)
                reclaimed.append(job.id)
        return reclaimed

    # -- finishing -------------------------------------------------------------------------------

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
        """Scripting → scripted: the script is staged and the job's estimate now comes from its words.

        With ``title`` and ``script_sha``, the job's episode record is written (``scripted``) in the
        same transaction.
        """
        with transaction(self.conn):
            job = self._leased(job_id, worker, JobState.SCRIPTING)
            self._attempt(job, AttemptOutcome.OK, None)
            if job.episode_key is not None and title is not None and script_sha is not None:
                request = EpisodeRequest.model_validate_json(job.request_json)
                show_slug, _, episode_id = job.episode_key.partition("/")
                self.episodes.apply_script(
                    job.episode_key,
                    show_slug=show_slug,
                    episode_id=episode_id,
                    title=title,
                    topic=request.topic,
                    sources=request.sources,
                    folder=episode_dir,
                    script_sha=script_sha,
                    actor=f"worker {worker}",
                    job_id=job.id,
                )
            self._set(
                job_id,
                state=JobState.SCRIPTED,
                episode_dir=episode_dir,
                word_count=word_count,
                estimate_audio_s=estimate_audio_s,
                estimate_compute_s=estimate_compute_s,
                staged_at=self.clock(),
                attempts=0,
                lease_owner=None,
                lease_expires_at=None,
                error=None,
            )
            self.conn.notify()
        return self.get(job_id)

    def finish_render(self, job_id: str, worker: str, *, render: RenderRecord | None = None) -> JobRecord:
        """Rendering → done, or → review when this was the gated draft render.

        With ``render``, the episode record gets the render (``draft_rendered``, ``in_review`` behind
        the gate, or ``final_rendered``) in the same transaction.
        """
        with transaction(self.conn):
            job = self._leased(job_id, worker, JobState.RENDERING)
            self._attempt(job, AttemptOutcome.OK, None)
            gate = job.review and job.render_tier is Tier.DRAFT and job.tier is Tier.FINAL
            episode = self._episode(job)
            if episode is not None and render is not None and episode.state in STEPS["render"]:
                self.episodes.apply_render(episode.key, render, actor=f"worker {worker}", review=gate)
            self._set(
                job_id,
                state=JobState.REVIEW if gate else JobState.DONE,
                attempts=0,
                lease_owner=None,
                lease_expires_at=None,
                error=None,
            )
        return self.get(job_id)

    def fail_attempt(self, job_id: str, worker: str, error: str, *, max_attempts: int) -> JobRecord:
        """Record a failed attempt; the job goes back for a retry, or fails once attempts run out."""
        with transaction(self.conn):
            job = self._locked(job_id)
            if job.lease_owner != worker or job.state not in (JobState.SCRIPTING, JobState.RENDERING):
                return job
            self._attempt(job, AttemptOutcome.ERROR, error)
            self._release(job, error, max_attempts=max_attempts)
        return self.get(job_id)

    def update_estimate(self, job_id: str, *, estimate_audio_s: float, estimate_compute_s: float) -> None:
        """Replace a job's estimate (after recalibration); not a state change."""
        with transaction(self.conn):
            self._set(job_id, estimate_audio_s=estimate_audio_s, estimate_compute_s=estimate_compute_s)

    # -- internals -------------------------------------------------------------------------------

    def _locked(self, job_id: str) -> JobRecord:
        """The job, its row locked until the transaction ends (PostgreSQL; SQLite holds the write lock)."""
        row = self.conn.execute("SELECT * FROM jobs WHERE id = ? FOR UPDATE", (job_id,)).fetchone()
        if row is None:
            raise JobError(f"no job {job_id!r} in the queue", hint="see `podwright queue list` for job ids")
        return _job(row)

    def _leased(self, job_id: str, worker: str, state: JobState) -> JobRecord:
        job = self._locked(job_id)
        if job.state is not state or job.lease_owner != worker:
            raise JobError(
                f"worker {worker} no longer holds job {job_id!r} (it is {job.state.value})",
                hint="the job was cancelled or its lease expired and another worker took it; nothing to do",
            )
        return job

    def _episode(self, job: JobRecord) -> EpisodeRecord | None:
        if job.episode_key is None or not self.episodes.exists(job.episode_key):
            return None
        return self.episodes.get(job.episode_key)

    def _release(self, job: JobRecord, error: str, *, max_attempts: int | None) -> None:
        attempts = job.attempts + 1
        back = JobState.QUEUED if job.phase is Phase.SCRIPT else JobState.SCRIPTED
        exhausted = max_attempts is not None and attempts >= max_attempts
        episode = self._episode(job)
        if exhausted and episode is not None and episode.state in STEPS["fail"]:
            self.episodes.apply_end(episode.key, EpisodeState.FAILED, actor="queue", error=error)
        self._set(
            job.id,
            state=JobState.FAILED if exhausted else back,
            attempts=attempts,
            error=error,
            lease_owner=None,
            lease_expires_at=None,
        )
        if not exhausted:
            self.conn.notify()

    def _attempt(self, job: JobRecord, outcome: AttemptOutcome, error: str | None) -> None:
        self.conn.execute(
            "INSERT INTO job_attempts (job_id, phase, tier, worker, started_at, ended_at, outcome, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job.id,
                job.phase.value,
                job.render_tier.value if job.phase is Phase.RENDER else None,
                job.lease_owner or "",
                job.lease_started_at if job.lease_started_at is not None else self.clock(),
                self.clock(),
                outcome.value,
                error,
            ),
        )

    def _set(self, job_id: str, **fields: object) -> None:
        values = {
            key: (value.value if isinstance(value, JobState) else value) for key, value in fields.items()
        }
        values["updated_at"] = self.clock()
        assignments = ", ".join(f"{key} = ?" for key in values)
        self.conn.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", [*values.values(), job_id])


def open_job_store(target: Path | str, *, clock: Clock = time.time) -> JobStore:
    """A :class:`JobStore` on a fresh connection to ``target`` (a SQLite file path or a
    ``postgresql://`` URL), migrated: the "open the queue" callable a worker or backend is given."""
    return JobStore(connect(target), clock=clock)


#: Candidates per claim statement (far below both engines' parameter limits).
_CLAIM_BATCH = 200


def _like_prefix(text: str) -> str:
    """A LIKE pattern matching ``text`` literally at the start (``!`` escapes the wildcards)."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


def _job(row: ResultRow) -> JobRecord:
    data = dict(row)
    data["review"] = bool(data["review"])
    return JobRecord.model_validate(data)
