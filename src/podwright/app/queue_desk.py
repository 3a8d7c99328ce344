"""The production queue through the Python API: add, list, show, cancel, workers, reports, plans.

``queue add`` runs the same checks as ``produce`` before a job is accepted (the show, its provider
key, the voices of every tier the job will render), so nothing is paid for a job that cannot finish.
Every id a producer types may be a unique prefix.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from podwright.app.episodes import unique_prefix
from podwright.app.qa import take_review
from podwright.app.wiring import engine_options, resolve_key, script_client
from podwright.core import EpisodeError, JobError, Show, Tier
from podwright.core.jobs import Attempt, JobRecord, JobState

if TYPE_CHECKING:
    from podwright.app.studio import Studio
    from podwright.core.jobs import SessionEpisode, SessionRecord
    from podwright.scheduler.intake import QueuedEpisode
    from podwright.scheduler.planner import PlanCost, PriceTable
    from podwright.scheduler.recurring import ScheduleDecision
    from podwright.scheduler.report import PeriodReport
    from podwright.scheduler.simulate import SimJob, SimResult
    from podwright.scheduler.worker import Worker
    from podwright.store.jobs import JobStore
    from podwright.store.sessions import SessionStore

__all__ = ["JobView", "PlanResult", "QueueDesk", "WorkerOptions"]


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as the queue commands show it: the record, its topic and render position."""

    job: JobRecord
    topic: str
    position: int | None
    """Render position (1 = next) among jobs still waiting to render; ``None`` otherwise."""
    estimate_s: float


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How ``podwright worker`` runs: the one set of defaults every worker entry point shares."""

    burst: bool = False
    offline: bool = False
    device: str = "cpu"
    keep_alive_s: float = 5.0
    min_episodes: int = 3
    max_wait_s: float = 900.0
    lease_s: float = 60.0
    heartbeat_s: float | None = None
    """Seconds between lease renewals; a quarter of the lease when unset."""
    script_concurrency: int = 2
    package_inline: bool = False
    worker_id: str | None = None
    renderer: str | None = None
    """``module:factory`` of a plug-in renderer (tests, other backends); the real pipeline when unset."""
    renderer_options: tuple[tuple[str, str], ...] = ()
    backend: str = "local"
    """Where render sessions run: ``local`` (this process) or ``ray`` (one actor per GPU of a cluster)."""
    address: str | None = None
    """The Ray cluster's address (``host:port``, ``auto`` or ``local``) with ``backend="ray"``."""
    actors: int | None = None
    """Ray render actors to start; one per GPU in the cluster when unset."""


@dataclass(frozen=True, slots=True)
class PlanResult:
    """A plan of a backlog: its costs on both kinds of machine, and simulated orders."""

    backlog: list[SimJob]
    cost: PlanCost
    prices: PriceTable
    runs: list[SimResult]


class QueueDesk:
    """The queue of one :class:`~podwright.app.Studio`."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio

    def _stores(self) -> tuple[JobStore, SessionStore]:
        from podwright.store.jobs import JobStore
        from podwright.store.sessions import SessionStore

        return JobStore(self.studio.conn), SessionStore(self.studio.conn)

    # -- adding ------------------------------------------------------------------------------------

    def check(self, show: Show, *, tier: Tier, review: bool, offline: bool = False) -> list[str]:
        """What ``produce`` checks before spending: the key, and every tier the job will render.

        Returns sound-alike warnings; raises a clear error for anything that would fail later.
        """
        resolve_key(show, self.studio.settings.keys, offline=offline)
        tiers = [Tier.DRAFT, tier] if review and tier is Tier.FINAL else [tier]
        warnings: list[str] = []
        for each in dict.fromkeys(tiers):
            warnings.extend(self.studio.cast_engines(show, each)[1])
        return warnings

    def add(
        self, episodes: Sequence[QueuedEpisode], *, offline: bool = False
    ) -> list[tuple[JobRecord, list[str]]]:
        """Queue ``episodes`` after checking each one's show, key and voices (nothing is queued on error)."""
        from podwright.scheduler.intake import enqueue

        checked: list[tuple[QueuedEpisode, Show, list[str]]] = []
        for episode in episodes:
            show = self.studio.load_show(episode.show_path)
            warnings = self.check(show, tier=episode.request.tier, review=episode.review, offline=offline)
            checked.append((replace(episode, show_path=episode.show_path.resolve()), show, warnings))
        jobs, sessions = self._stores()
        return [
            (enqueue(jobs, sessions, episode, show_slug=show.slug), warnings)
            for episode, show, warnings in checked
        ]

    # -- reading -----------------------------------------------------------------------------------

    def job(self, ref: str) -> JobRecord:
        """The job ``ref`` names (its id or a unique prefix)."""
        jobs, _ = self._stores()
        ids = [job.id for job in jobs.select()]
        try:
            return jobs.get(unique_prefix(ref, ids, what="job", listing="podwright queue list"))
        except EpisodeError as exc:
            raise JobError(exc.message, hint=exc.hint) from None

    def attempts(self, ref: str) -> list[Attempt]:
        """Every attempt of the job ``ref``, with its error."""
        jobs, _ = self._stores()
        return jobs.attempts(self.job(ref).id)

    def jobs(self, states: Sequence[JobState] = ()) -> list[JobView]:
        """Jobs (in ``states``) with topic, render position and estimate, oldest first."""
        from podwright.core import EpisodeRequest
        from podwright.scheduler.intake import queue_positions
        from podwright.scheduler.order import OrderPolicy

        jobs, sessions = self._stores()
        everything = jobs.select()
        positions = queue_positions(jobs, sessions, time.time(), OrderPolicy(), among=everything)
        chosen = set(states)
        views = []
        for job in everything:
            if chosen and job.state not in chosen:
                continue
            request = EpisodeRequest.model_validate_json(job.request_json)
            topic = request.topic or ", ".join(request.sources)
            position, estimate = positions.get(job.id, (None, job.estimate_compute_s))
            views.append(JobView(job=job, topic=topic, position=position, estimate_s=estimate))
        return views

    # -- changing ----------------------------------------------------------------------------------

    def cancel(self, ref: str) -> JobRecord:
        """Cancel a job (and its episode); a worker rendering it drops it at its next heartbeat."""
        jobs, _ = self._stores()
        return jobs.cancel(self.job(ref).id, actor=self.studio.settings.actor)

    def set_priority(self, ref: str, priority: int) -> JobRecord:
        """Move a waiting job into priority class ``priority`` (0 normal … 9 first)."""
        jobs, _ = self._stores()
        return jobs.set_priority(self.job(ref).id, priority)

    def sessions(self, *, since: float | None = None) -> list[tuple[SessionRecord, list[SessionEpisode]]]:
        """Render sessions (newest last) with the episodes each one rendered."""
        _, sessions = self._stores()
        return [(record, sessions.episodes(record.id)) for record in sessions.select(since=since)]

    # -- workers -----------------------------------------------------------------------------------

    def worker(self, options: WorkerOptions, *, on_status: Callable[[str], None] | None = None) -> Worker:
        """A worker on this studio's store: it scripts queued jobs and renders staged ones."""
        from podwright.pipeline.clients import uses_local_model
        from podwright.scheduler.session import SessionSettings
        from podwright.scheduler.trigger import SessionTrigger
        from podwright.scheduler.work import PipelineRenderer, PipelineScripter, load_object
        from podwright.scheduler.worker import Worker, WorkerSettings

        settings = self.studio.settings
        keys = settings.keys
        _ = self.studio.conn  # open (and migrate) the store now: a bad URL fails before the worker starts
        if options.renderer:
            renderer = load_object(options.renderer)(**dict(options.renderer_options))
        else:
            renderer = PipelineRenderer(
                self.studio.show_loader,
                settings.chunk_cache_dir,
                device=options.device,
                engine_options=lambda show: engine_options(show, keys),
                overlap_packaging=not options.package_inline,
                take_review=lambda show, tier: take_review(settings, show, tier),
            )
        scripter = PipelineScripter(
            settings.out_root,
            show_loader=self.studio.show_loader,
            client_factory=lambda show: script_client(
                show,
                settings,
                offline=options.offline,
                key=resolve_key(show, keys, offline=options.offline),
            ),
            in_order=lambda show: uses_local_model(show, offline=options.offline),
        )
        lease = options.lease_s
        return Worker(
            settings.store,
            renderer=renderer,
            scripter=scripter,
            settings=WorkerSettings(
                session=SessionSettings(
                    keep_alive_s=options.keep_alive_s,
                    lease_s=lease,
                    heartbeat_s=options.heartbeat_s or max(lease / 4, 0.1),
                ),
                trigger=SessionTrigger(min_episodes=options.min_episodes, max_wait_s=options.max_wait_s),
                script_concurrency=options.script_concurrency,
            ),
            worker_id=options.worker_id,
            on_status=on_status,
        )

    # -- reports and plans -------------------------------------------------------------------------

    def report(
        self,
        *,
        session_id: int | None = None,
        since: float | None = None,
        until: float | None = None,
        prices: Path | None = None,
    ) -> PeriodReport:
        """Utilization, cold-start and idle shares, $ per audio minute: one session or a period."""
        from podwright.scheduler.planner import PriceTable
        from podwright.scheduler.report import PeriodReport, period_report, session_report

        table = PriceTable.load(prices)
        jobs, sessions = self._stores()
        if session_id is not None:
            return PeriodReport((session_report(sessions, jobs, session_id, table),))
        return period_report(sessions, jobs, table, since=since, until=until)

    def timeline_chart(self, session_id: int, path: Path, *, prices: Path | None = None) -> Path:
        """Write one session's timeline as an HTML page with an SVG chart; returns its path."""
        from podwright.scheduler.planner import PriceTable
        from podwright.scheduler.report import session_report
        from podwright.scheduler.timeline_chart import write_timeline

        jobs, sessions = self._stores()
        return write_timeline(session_report(sessions, jobs, session_id, PriceTable.load(prices)), path)

    def plan(
        self,
        *,
        gpu: str,
        machines: int,
        rtf: float,
        keep_alive_s: float,
        synthetic: int | None = None,
        prices: Path | None = None,
        backlog_file: Path | None = None,
    ) -> PlanResult:
        """Serverless vs dedicated cost of a backlog and simulated orders.

        The backlog is ``backlog_file`` (JSON Lines or CSV), a synthetic one of ``synthetic``
        episodes, or the live queue (calibrated estimates, real arrivals, deadlines from now).
        """
        from podwright.scheduler.backlog import read_backlog
        from podwright.scheduler.planner import PriceTable, plan_costs
        from podwright.scheduler.simulate import (
            POLICIES,
            SPLIT,
            production_scenario,
            simulate,
            simulate_split,
        )

        table = PriceTable.load(prices)
        price = table.gpu(gpu)
        if backlog_file is not None:
            backlog = read_backlog(backlog_file)
        elif synthetic:
            backlog = production_scenario(episodes=synthetic)
        else:
            backlog = self._staged_backlog(gpu, rtf)
        if not backlog:
            raise JobError("the queue is empty", hint="queue episodes first, or pass --synthetic 50")
        cost = plan_costs([j.compute_s for j in backlog], price, machines=machines, keep_alive_s=keep_alive_s)
        runs = [
            simulate(
                backlog,
                policy,
                machines=machines,
                cold_start_s=price.cold_start_s,
                keep_alive_s=keep_alive_s,
                name=name,
            )
            for name, policy in POLICIES.items()
        ]
        if machines > 1:
            runs.append(
                simulate_split(
                    backlog,
                    POLICIES["shortest-first+aging"],
                    machines=machines,
                    cold_start_s=price.cold_start_s,
                    keep_alive_s=keep_alive_s,
                    name=SPLIT,
                )
            )
        return PlanResult(backlog=backlog, cost=cost, prices=table, runs=runs)

    def _staged_backlog(self, gpu: str, rtf: float) -> list[SimJob]:
        from podwright.scheduler.backlog import live_backlog
        from podwright.scheduler.estimate import Calibration, calibration_key

        jobs, sessions = self._stores()
        waiting = jobs.select([JobState.QUEUED, JobState.SCRIPTING, JobState.SCRIPTED])
        keys = {calibration_key(job.render_tier.value, where) for job in waiting for where in (gpu, "cpu")}
        calibrations = {key: Calibration.from_samples(sessions.calibration(key)) for key in keys}
        return live_backlog(waiting, calibrations, now=time.time(), device=gpu, rtf=rtf)

    def run_schedules(self, show_paths: Sequence[Path], *, now: float) -> list[ScheduleDecision]:
        """Enqueue what recurring shows have due; running it again enqueues nothing twice."""
        from datetime import UTC, datetime

        from podwright.scheduler.recurring import ScheduledShow, queue_enqueuer, run_schedules

        shows = [ScheduledShow(path=path.resolve(), show=self.studio.load_show(path)) for path in show_paths]
        for entry in shows:  # the checks `queue add` makes, before anything is queued
            if entry.show.schedule is not None:
                self.check(entry.show, tier=Tier.DRAFT, review=False)
        jobs, sessions = self._stores()
        slugs = {entry.path: entry.show.slug for entry in shows}
        return run_schedules(
            self.studio.conn,
            shows,
            now=datetime.fromtimestamp(now, UTC),
            enqueue=queue_enqueuer(jobs, sessions, show_slugs=slugs),
        )
