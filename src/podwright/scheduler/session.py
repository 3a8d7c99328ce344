"""A render session: load the engine once, render staged episodes back to back, keep alive briefly, stop.

Failure cost is bounded: a failing episode is retried by policy and then marked failed without
blocking the rest; the session stops after ``max_consecutive_failures`` failures in a row; a lease
with heartbeats means a killed session loses only the episode in flight, and chunk checkpoints (the
renderer's chunk cache) mean that episode resumes from its last finished chunk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from podwright.core import JobError
from podwright.core.jobs import AttemptOutcome, JobRecord, JobState, SessionEpisode, SessionRecord
from podwright.core.store import JobQueue, OpenQueue, SessionLog
from podwright.scheduler.estimate import Calibration, calibration_key, estimate_job
from podwright.scheduler.order import OrderPolicy, QueueItem, pick, rank
from podwright.scheduler.work import EpisodeRenderer, RenderOutcome

__all__ = ["Heartbeat", "RenderSession", "SessionSettings", "staged_queue"]


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """Lease, keep-alive and failure knobs of render sessions (tests use ~1 s leases)."""

    keep_alive_s: float = 5.0
    """Short by default: the scheduler knows the backlog, so an idle machine is pure cost."""
    lease_s: float = 60.0
    heartbeat_s: float = 15.0
    max_attempts: int = 3
    """Attempts per episode (failed or lost) before it is marked failed."""
    max_consecutive_failures: int = 3
    poll_s: float = 0.2
    """How often an idle session looks again on a store that cannot wake it (SQLite)."""
    idle_wait_s: float = 1.0
    """Longest an idle session blocks on a wake-up (PostgreSQL ``LISTEN``) before looking again."""
    policy: OrderPolicy = field(default_factory=OrderPolicy)


class Heartbeat:
    """Extends a lease in a background thread on its own connection, until stopped or the lease is lost."""

    def __init__(self, open_jobs: OpenQueue, job_id: str, worker: str, settings: SessionSettings):
        self._open_jobs = open_jobs
        self._job_id = job_id
        self._worker = worker
        self._settings = settings
        self._stop = threading.Event()
        self.lost = threading.Event()
        """Set when the lease could not be extended (cancelled, or recovered by another worker)."""
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        store = self._open_jobs()
        try:
            while not self._stop.wait(self._settings.heartbeat_s):
                if not store.heartbeat(self._job_id, self._worker, self._settings.lease_s):
                    self.lost.set()
                    return
        finally:
            store.close()


def staged_queue(
    jobs: list[JobRecord], sessions: SessionLog, device: str
) -> list[tuple[QueueItem, JobRecord]]:
    """Staged jobs as queue items, each estimated with the latest calibration of its tier on ``device``."""
    calibrations: dict[str, Calibration] = {}
    out: list[tuple[QueueItem, JobRecord]] = []
    for job in jobs:
        key = calibration_key(job.render_tier.value, device)
        if key not in calibrations:
            calibrations[key] = Calibration.from_samples(sessions.calibration(key))
        _, compute_s = estimate_job(job, calibrations[key])
        item = QueueItem(
            job_id=job.id,
            estimate_s=compute_s,
            arrived_at=job.staged_at if job.staged_at is not None else job.created_at,
            priority=job.priority,
            deadline=job.deadline,
        )
        out.append((item, job))
    return out


class RenderSession:
    """One warm session on one machine; :meth:`run` returns the closed :class:`SessionRecord`."""

    def __init__(
        self,
        *,
        jobs: JobQueue,
        sessions: SessionLog,
        renderer: EpisodeRenderer,
        worker: str,
        open_jobs: OpenQueue,
        settings: SessionSettings | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        stop: threading.Event | None = None,
    ) -> None:
        self.jobs = jobs
        self.sessions = sessions
        self.renderer = renderer
        self.worker = worker
        self.open_jobs = open_jobs
        self.settings = settings or SessionSettings()
        self.clock = clock
        self.sleep = sleep
        self.stop = stop or threading.Event()
        """Set to end the session after the episode in hand (the worker is shutting down)."""

    def run(self) -> SessionRecord:
        """Render until nothing is staged for ``keep_alive_s``, or failures pile up."""
        session_id = self.sessions.open(self.worker, self.renderer.device)
        pulse_stop = threading.Event()
        pulse = threading.Thread(
            target=self._pulse, args=(session_id, pulse_stop), name=f"session-{session_id}", daemon=True
        )
        pulse.start()
        try:
            return self._run(session_id)
        finally:
            pulse_stop.set()
            pulse.join()

    def _pulse(self, session_id: int, stop: threading.Event) -> None:
        """Beat for the session (cold start included) so a dead worker's session is closed where it died."""
        store = self.open_jobs()
        try:
            while not stop.wait(self.settings.heartbeat_s):
                store.sessions.beat(session_id)
        finally:
            store.close()

    def _run(self, session_id: int) -> SessionRecord:
        self._tails = ThreadPoolExecutor(1, thread_name_prefix="episode-tail")
        self._tail_futures: list[Future[None]] = []
        stop_reason = "nothing staged"
        idle_since: float | None = None
        failures_in_row = 0
        try:
            self.sessions.add_cold_start(session_id, self.renderer.load())
            while True:
                if self.stop.is_set():
                    stop_reason = "worker stopping"
                    break
                self.jobs.recover_expired(max_attempts=self.settings.max_attempts)
                self.sessions.close_lost(silent_for_s=self.settings.lease_s)
                self.sessions.beat(session_id)
                claimed = self._claim_next()
                if claimed is None:
                    now = self.clock()
                    idle_since = now if idle_since is None else idle_since
                    left = self.settings.keep_alive_s - (now - idle_since)
                    if left <= 0:
                        break
                    # Block on a wake-up where the store has them (PostgreSQL); poll where not.
                    if not self.jobs.wait_for_work(min(self.settings.idle_wait_s, left)):
                        self.sleep(self.settings.poll_s)
                    continue
                if idle_since is not None:
                    self.sessions.add_idle(session_id, self.clock() - idle_since)
                    idle_since = None
                ok = self._render(session_id, *claimed)
                failures_in_row = 0 if ok else failures_in_row + 1
                if failures_in_row >= self.settings.max_consecutive_failures:
                    stop_reason = f"{failures_in_row} consecutive failures"
                    break
        except Exception as exc:
            # An engine that cannot load (or a store that broke) ends the session; the billed
            # seconds up to here are still recorded before the error goes up.
            self._drain_tails()
            self.sessions.close(session_id, f"error: {type(exc).__name__}: {exc}")
            raise
        finally:
            if idle_since is not None:
                self.sessions.add_idle(session_id, self.clock() - idle_since)
        # The render machine is released when its engine work ends: an episode's tail (images,
        # mixing, mastering, encoding) needs no engine and runs on CPU, here after the release.
        self.sessions.close(session_id, stop_reason)
        self._drain_tails()
        return self.sessions.get(session_id)

    def _drain_tails(self) -> None:
        self._tails.shutdown(wait=True)
        for future in self._tail_futures:
            future.result()

    def _claim_next(self) -> tuple[JobRecord, float] | None:
        staged = staged_queue(self.jobs.select([JobState.SCRIPTED]), self.sessions, self.renderer.device)
        by_id = {item.job_id: (item, job) for item, job in staged}
        items = [item for item, _ in staged]
        now = self.clock()
        ordered = rank(items, now, self.settings.policy)
        if items:
            # The pick keeps every still-reachable deadline reachable; the rest follow in rank order.
            first = pick(items, now, self.settings.policy)
            ordered = [first, *(item for item in ordered if item is not first)]
        # One claim in this order: the first job no other worker holds or is claiming right now.
        claimed = self.jobs.claim_first([item.job_id for item in ordered], self.worker, self.settings.lease_s)
        if claimed is None:
            return None
        return claimed, by_id[claimed.id][0].estimate_s

    def _render(self, session_id: int, job: JobRecord, estimate_s: float) -> bool:
        started = self.clock()
        outcome: RenderOutcome | None = None
        error: str | None = None
        with Heartbeat(self.open_jobs, job.id, self.worker, self.settings) as heartbeat:
            try:
                outcome = self.renderer.render(job)
            except Exception as exc:  # one bad episode must not take the session down
                error = f"{type(exc).__name__}: {exc}"
        if outcome is not None and outcome.load_s > 0:
            self.sessions.add_cold_start(session_id, outcome.load_s)
        result = AttemptOutcome.OK
        if error is not None:
            result = AttemptOutcome.ERROR
            self.jobs.fail_attempt(job.id, self.worker, error, max_attempts=self.settings.max_attempts)
        elif heartbeat.lost.is_set() or self.jobs.get(job.id).lease_owner != self.worker:
            result, error = AttemptOutcome.CANCELLED, "lease lost (cancelled or recovered) during render"
        elif outcome is not None and outcome.finish is not None:
            ended = self.clock()
            # The lease must outlive the episode's wait in the tail queue, or its expiry would hand
            # the job to another render while it is still being packaged here.
            beat = Heartbeat(self.open_jobs, job.id, self.worker, self.settings).__enter__()
            self._tail_futures.append(
                self._tails.submit(
                    self._finish_tail, session_id, job, (started, ended), outcome, estimate_s, beat
                )
            )
            return True
        else:
            self.jobs.finish_render(job.id, self.worker, render=outcome.render if outcome else None)
        span = (started, self.clock())
        self._record(self.sessions, session_id, job, span, outcome, estimate_s, result, error)
        return result is not AttemptOutcome.ERROR

    def _finish_tail(
        self,
        session_id: int,
        job: JobRecord,
        span: tuple[float, float],
        outcome: RenderOutcome,
        estimate_s: float,
        beat: Heartbeat,
    ) -> None:
        """Run an episode's engine-free tail (mixing, encoding) while the next episode synthesizes.

        ``beat`` has kept the job's lease since the render ended; it stops when the tail is done.
        """
        assert outcome.finish is not None
        jobs = self.open_jobs()
        try:
            result, error = AttemptOutcome.OK, None
            render = None
            try:
                render = outcome.finish()
            except Exception as exc:  # a failed package is retried like a failed render
                result, error = AttemptOutcome.ERROR, f"{type(exc).__name__}: {exc}"
            finally:
                beat.__exit__()
            if error is not None:
                jobs.fail_attempt(job.id, self.worker, error, max_attempts=self.settings.max_attempts)
            else:
                try:
                    jobs.finish_render(job.id, self.worker, render=render)
                except JobError:
                    result, error = (
                        AttemptOutcome.CANCELLED,
                        "lease lost (cancelled or recovered) during packaging",
                    )
            self._record(jobs.sessions, session_id, job, span, outcome, estimate_s, result, error)
        finally:
            jobs.close()

    def _record(
        self,
        sessions: SessionLog,
        session_id: int,
        job: JobRecord,
        span: tuple[float, float],
        outcome: RenderOutcome | None,
        estimate_s: float,
        result: AttemptOutcome,
        error: str | None,
    ) -> None:
        if outcome is not None and result is AttemptOutcome.OK and outcome.audio_s > 0:
            sessions.add_calibration(
                calibration_key(job.render_tier.value, self.renderer.device),
                words=job.word_count or 0,
                audio_s=outcome.audio_s,
                compute_s=outcome.compute_s,
            )
        sessions.record_episode(
            SessionEpisode(
                session_id=session_id,
                job_id=job.id,
                tier=job.render_tier,
                started_at=span[0],
                ended_at=span[1],
                audio_s=outcome.audio_s if outcome else 0.0,
                compute_s=outcome.compute_s if outcome else 0.0,
                estimate_compute_s=estimate_s,
                outcome=result,
                error=error,
                chunks_synthesized=outcome.chunks_synthesized if outcome else 0,
                chunks_cached=outcome.chunks_cached if outcome else 0,
            )
        )
