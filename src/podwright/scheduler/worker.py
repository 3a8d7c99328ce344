"""A worker: scripts queued jobs concurrently and starts a render session when staged work justifies it.

Script writing (LLM calls) runs in a small thread pool, independent of rendering; the render session
runs in its own thread, so scripts keep being staged while episodes render. Each thread has its own
store connection (SQLite file or PostgreSQL URL: several workers on several machines share one
PostgreSQL queue; an idle worker there blocks on ``LISTEN`` instead of polling). ``burst`` mode stops
once no job needs a worker (how tests and cron runs use it).

Run one as a process with ``podwright worker`` (or ``python -m podwright worker``); a plug-in renderer
is ``--renderer pkg.mod:factory`` (what the SIGKILL test and the queue benchmark use).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from podwright.core import JobError
from podwright.core.jobs import OPEN_STATES, JobRecord, JobState
from podwright.core.store import JobQueue, SessionLog
from podwright.scheduler.estimate import Calibration, calibration_key, estimate_job
from podwright.scheduler.session import Heartbeat, RenderSession, SessionSettings, staged_queue
from podwright.scheduler.trigger import SessionTrigger
from podwright.scheduler.work import EpisodeRenderer, Scripter
from podwright.store.jobs import open_job_store

__all__ = ["Worker", "WorkerSettings", "WorkerSummary", "default_worker_id"]


def default_worker_id() -> str:
    """Host, process and a random suffix: unique across machines and restarts.

    Give a worker a stable identity (``--worker-id``) to have it, when restarted, take its own dead
    jobs back at once instead of waiting for their leases to expire.
    """
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How a worker scripts, when it starts sessions, and the sessions' own settings."""

    session: SessionSettings = field(default_factory=SessionSettings)
    trigger: SessionTrigger = field(default_factory=SessionTrigger)
    script_concurrency: int = 2
    poll_s: float = 0.2
    """How often the worker looks at the queue while it has work in hand (or on SQLite)."""
    idle_wait_s: float = 1.0
    """Longest an idle worker blocks on a wake-up (PostgreSQL ``LISTEN``) before looking again."""


@dataclass(frozen=True, slots=True)
class WorkerSummary:
    """What one :meth:`Worker.run` did."""

    scripted: int
    script_failures: int
    sessions: tuple[int, ...]


class Worker:
    """Scripts and renders jobs from the store at ``db_path`` (a SQLite file or a PostgreSQL URL)."""

    def __init__(
        self,
        db_path: Path | str,
        *,
        renderer: EpisodeRenderer,
        scripter: Scripter | None = None,
        settings: WorkerSettings | None = None,
        worker_id: str | None = None,
        clock: Callable[[], float] = time.time,
        on_status: Callable[[str], None] | None = None,
        status_every_s: float = 5.0,
    ) -> None:
        self.db_path = db_path
        self.renderer = renderer
        self.scripter = scripter
        self.settings = settings or WorkerSettings()
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock
        self.on_status = on_status
        """Called with a one-line queue summary every ``status_every_s``: a long run is never silent."""
        self.status_every_s = status_every_s
        self._last_status: float | None = None
        self._stop = threading.Event()
        self._sessions: list[int] = []
        self._scripted = 0
        self._script_failures = 0
        self._render_error: BaseException | None = None

    def open_jobs(self) -> JobQueue:
        """A job store on a fresh connection (one per thread)."""
        return open_job_store(self.db_path, clock=self.clock)

    def stop(self) -> None:
        """Ask the worker to stop after the work in hand."""
        self._stop.set()

    def run(self, *, burst: bool = False) -> WorkerSummary:
        """Work until stopped, or (``burst``) until no job needs a worker."""
        jobs = self.open_jobs()
        sessions = jobs.sessions
        in_flight: set[Future[None]] = set()
        render_thread: threading.Thread | None = None
        max_attempts = self.settings.session.max_attempts
        # A worker without a scripter (render-only) has nothing to do for queued jobs.
        mine = OPEN_STATES if self.scripter is not None else OPEN_STATES - {JobState.QUEUED}
        interrupted = False
        # Restarted under the same identity: whatever that identity held died with the old process.
        jobs.reclaim_own(self.worker_id, max_attempts=max_attempts)
        sessions.close_lost(worker=self.worker_id)
        try:
            with ThreadPoolExecutor(max(1, self.settings.script_concurrency), "scripter") as pool:
                while not self._stop.is_set():
                    try:
                        jobs.recover_expired(max_attempts=max_attempts)
                        sessions.close_lost(silent_for_s=self.settings.session.lease_s)
                        in_flight = {f for f in in_flight if not f.done()}
                        self._feed_scripts(jobs, pool, in_flight)
                        rendering = render_thread is not None and render_thread.is_alive()
                        self._report_status(jobs, rendering)
                        if not rendering and self._session_justified(jobs, sessions, bool(in_flight)):
                            render_thread = threading.Thread(
                                target=self._render_session, name="render-session"
                            )
                            render_thread.start()
                            rendering = True
                        idle = not rendering and not in_flight
                        if burst and idle and not jobs.has_open_work(mine):
                            break
                        if not idle or not jobs.wait_for_work(self.settings.idle_wait_s):
                            self._stop.wait(self.settings.poll_s)
                    except KeyboardInterrupt:
                        # Finish the episode in hand (its chunks are cached anyway), then stop.
                        interrupted = True
                        self._stop.set()
                for future in in_flight:
                    future.result()
            if render_thread is not None:
                render_thread.join()
        finally:
            jobs.close()
        if interrupted:
            raise KeyboardInterrupt
        if self._render_error is not None:
            raise self._render_error
        return WorkerSummary(self._scripted, self._script_failures, tuple(self._sessions))

    def _report_status(self, jobs: JobQueue, rendering: bool) -> None:
        now = time.monotonic()
        if self.on_status is None or (
            self._last_status is not None and now - self._last_status < self.status_every_s
        ):
            return
        self._last_status = now
        counts = {
            state: 0 for state in (JobState.QUEUED, JobState.SCRIPTING, JobState.SCRIPTED, JobState.RENDERING)
        }
        for job in jobs.select(list(counts)):
            counts[job.state] += 1
        summary = ", ".join(f"{count} {state.value}" for state, count in counts.items())
        session = "render session running" if rendering else "no render session"
        self.on_status(f"{summary}; {self._scripted} scripted by this worker; {session}")

    def _feed_scripts(self, jobs: JobQueue, pool: ThreadPoolExecutor, in_flight: set[Future[None]]) -> None:
        if self.scripter is None:
            return
        queued = jobs.select([JobState.QUEUED])
        queued.sort(key=lambda j: (-j.priority, j.deadline or float("inf")))
        order = [job.id for job in queued]
        while order and len(in_flight) < self.settings.script_concurrency:
            claimed = jobs.claim_first(order, self.worker_id, self.settings.session.lease_s)
            if claimed is None:
                return
            order.remove(claimed.id)
            in_flight.add(pool.submit(self._write_script, claimed))

    def _write_script(self, job: JobRecord) -> None:
        assert self.scripter is not None
        jobs = self.open_jobs()
        try:
            with Heartbeat(self.open_jobs, job.id, self.worker_id, self.settings.session):
                try:
                    staged = self.scripter.write(job)
                except Exception as exc:  # a failed script is retried by policy, never fatal
                    jobs.fail_attempt(
                        job.id,
                        self.worker_id,
                        f"{type(exc).__name__}: {exc}",
                        max_attempts=self.settings.session.max_attempts,
                    )
                    self._script_failures += 1
                    return
            key = calibration_key(job.render_tier.value, self.renderer.device)
            scripted = job.model_copy(update={"word_count": staged.word_count})
            samples = jobs.sessions.calibration(key)
            audio_s, compute_s = estimate_job(scripted, Calibration.from_samples(samples))
            try:
                jobs.finish_script(
                    job.id,
                    self.worker_id,
                    episode_dir=staged.episode_dir,
                    word_count=staged.word_count,
                    estimate_audio_s=audio_s,
                    estimate_compute_s=compute_s,
                    title=staged.title,
                    script_sha=staged.script_sha,
                )
            except JobError:
                return  # cancelled, or recovered by another worker, while the script was being written
            self._scripted += 1
        finally:
            jobs.close()

    def _session_justified(self, jobs: JobQueue, sessions: SessionLog, scripting: bool) -> bool:
        staged = staged_queue(jobs.select([JobState.SCRIPTED]), sessions, self.renderer.device)
        pending = scripting or bool(jobs.select([JobState.QUEUED, JobState.SCRIPTING]))
        reason = self.settings.trigger.justify(
            [item for item, _ in staged], self.clock(), draining=not pending
        )
        return reason is not None

    def _render_session(self) -> None:
        jobs = self.open_jobs()
        try:
            session = RenderSession(
                jobs=jobs,
                sessions=jobs.sessions,
                renderer=self.renderer,
                worker=self.worker_id,
                open_jobs=self.open_jobs,
                settings=self.settings.session,
                clock=self.clock,
                stop=self._stop,
            )
            self._sessions.append(session.run().id)
        except Exception as exc:  # surfaced by run() in the main thread
            self._render_error = exc
            self._stop.set()
        finally:
            jobs.close()
