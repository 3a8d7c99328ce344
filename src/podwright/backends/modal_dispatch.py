"""Dispatching staged episodes to serverless GPU containers, one batch per warm container.

The dispatcher claims staged jobs from the store in the queue's own order (shortest first with
aging), splits them into batches longest-first across containers (shortest-first within each), holds
each job's lease with a heartbeat while its container renders, writes the returned files into the
episode folders (each file atomically, the job finished only after all of them), and records every
container as a render session: billed from the container's first moment to the end of its keep-alive,
cold start, active and idle seconds, so ``podwright report`` and ``podwright plan`` cover it.

Modal itself is not imported here: the call to a container is the injected ``submit`` (the app layer
passes Modal's ``.remote``; tests pass the render class's ``.local``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from podwright.backends.modal_batch import BatchResult, EpisodeResult, StagedEpisode, staged_files
from podwright.backends.stores import JobsOpener, close, session_store
from podwright.core import JobError
from podwright.core.files import atomic_write_bytes
from podwright.core.jobs import AttemptOutcome, JobRecord, JobState, SessionEpisode
from podwright.core.lifecycle import RenderRecord
from podwright.scheduler.estimate import calibration_key
from podwright.scheduler.order import rank
from podwright.scheduler.planner import (
    DEFAULT_SERVERLESS_GPU,
    GpuPrice,
    PriceTable,
    render_cost,
    serverless_batch_size,
    serverless_keep_alive,
)
from podwright.scheduler.session import Heartbeat, SessionSettings, staged_queue
from podwright.scheduler.simulate import SimJob, assign_longest_first
from podwright.store.jobs import JobStore

__all__ = ["DispatchPlan", "DispatchSummary", "Submit", "dispatch", "plan_dispatch", "record_container"]


@dataclass(frozen=True, slots=True)
class DispatchPlan:
    """GPU kind, episodes per container and keep-alive of one dispatch."""

    price: GpuPrice
    batch_size: int | None
    """Episodes per container; ``None``: sized by the planner from the claimed jobs' estimates."""
    keep_alive_s: float

    @property
    def gpu(self) -> str:
        """The GPU kind's price-table name."""
        return self.price.name

    def containers(self, estimates_s: Sequence[float]) -> int:
        """How many containers (batches) the claimed jobs need."""
        size = self.batch_size or serverless_batch_size(
            estimates_s, self.price, keep_alive_s=self.keep_alive_s
        )
        return math.ceil(len(estimates_s) / size)


Submit = Callable[[list[StagedEpisode], DispatchPlan], BatchResult]
"""Renders one batch in a container and returns its result (blocking; called from a thread each)."""


@dataclass(frozen=True, slots=True)
class DispatchSummary:
    """What one dispatch did."""

    plan: DispatchPlan
    batches: int
    rendered: tuple[str, ...]
    failed: tuple[str, ...]
    """Jobs whose attempt failed (retried by policy, or failed for good)."""
    sessions: tuple[int, ...]
    """One render session per container used."""


def plan_dispatch(
    prices: PriceTable,
    *,
    gpu: str | None = None,
    batch_size: int | None = None,
    keep_alive_s: float | None = None,
) -> DispatchPlan:
    """Fill what the show or the command left unset from the planner (GPU, keep-alive; batch size later)."""
    price = prices.gpu(gpu or DEFAULT_SERVERLESS_GPU)
    keep = serverless_keep_alive(price) if keep_alive_s is None else keep_alive_s
    return DispatchPlan(price=price, batch_size=batch_size, keep_alive_s=keep)


def dispatch(
    open_jobs: JobsOpener,
    submit: Submit,
    *,
    plan: DispatchPlan,
    worker: str,
    settings: SessionSettings,
    clock: Callable[[], float] = time.time,
) -> DispatchSummary:
    """Claim every staged job, render the batches in parallel containers, record what they billed."""
    jobs = open_jobs()
    try:
        claimed = _claim_staged(jobs, worker, settings, clock(), plan.gpu)
        if not claimed:
            return DispatchSummary(plan, 0, (), (), ())
        lanes = _batches(claimed, plan.containers([estimate for _, estimate in claimed]))
        with ThreadPoolExecutor(len(lanes), thread_name_prefix="container") as pool:
            futures = [
                pool.submit(_run_batch, open_jobs, submit, lane, plan, worker, settings) for lane in lanes
            ]
            results = [future.result() for future in futures]
        by_container: dict[str, list[BatchResult]] = {}
        for result in results:
            if result is not None:
                by_container.setdefault(result.container, []).append(result)
        known = {job.id: (job, estimate) for job, estimate in claimed}
        sessions = tuple(
            record_container(jobs, calls, known, plan, worker) for calls in by_container.values()
        )
        rendered = tuple(job_id for job_id in known if jobs.get(job_id).state in _RENDERED)
    finally:
        close(jobs)
    failed = tuple(job_id for job_id in known if job_id not in rendered)
    return DispatchSummary(plan, len(lanes), rendered, failed, sessions)


_RENDERED = frozenset({JobState.DONE, JobState.REVIEW})


def _claim_staged(
    jobs: JobStore, worker: str, settings: SessionSettings, now: float, device: str
) -> list[tuple[JobRecord, float]]:
    staged = staged_queue(jobs.select([JobState.SCRIPTED]), session_store(jobs), device)
    estimates = {item.job_id: item.estimate_s for item, _ in staged}
    claimed: list[tuple[JobRecord, float]] = []
    for item in rank([item for item, _ in staged], now, settings.policy):
        job = jobs.claim(item.job_id, worker, settings.lease_s)
        if job is not None:
            claimed.append((job, estimates[item.job_id]))
    return claimed


def _batches(claimed: list[tuple[JobRecord, float]], count: int) -> list[list[JobRecord]]:
    """Longest-first across ``count`` containers, each batch in the claim (shortest-first) order."""
    order = {job.id: index for index, (job, _) in enumerate(claimed)}
    by_id = {job.id: job for job, _ in claimed}
    lanes = assign_longest_first([SimJob(job.id, 0.0, est, est) for job, est in claimed], count)
    return [[by_id[s.job_id] for s in sorted(lane, key=lambda s: order[s.job_id])] for lane in lanes if lane]


def _run_batch(
    open_jobs: JobsOpener,
    submit: Submit,
    lane: list[JobRecord],
    plan: DispatchPlan,
    worker: str,
    settings: SessionSettings,
) -> BatchResult | None:
    beats = [Heartbeat(open_jobs, job.id, worker, settings).__enter__() for job in lane]
    result: BatchResult | None = None
    error = "no result"
    try:
        payload = [
            StagedEpisode(job.model_dump_json(), staged_files(Path(str(job.episode_dir)))) for job in lane
        ]
        result = submit(payload, plan)
    except Exception as exc:  # the container (or the call) failed: every job of the batch retries
        error = f"container call failed: {type(exc).__name__}: {exc}"
    finally:
        for beat in beats:
            beat.__exit__()
    jobs = open_jobs()
    try:
        outcomes = {episode.job_id: episode for episode in result.episodes} if result else {}
        for job in lane:
            episode = outcomes.get(job.id)
            if episode is None or episode.error is not None:
                reason = episode.error if episode is not None and episode.error else error
                jobs.fail_attempt(job.id, worker, reason, max_attempts=settings.max_attempts)
                continue
            _land(jobs, job, episode, worker, plan)
    finally:
        close(jobs)
    return result


def _land(jobs: JobStore, job: JobRecord, episode: EpisodeResult, worker: str, plan: DispatchPlan) -> None:
    """Write a rendered episode's files into its folder, then finish the job (never the other way)."""
    assert job.episode_dir is not None
    if jobs.get(job.id).lease_owner != worker:
        return  # cancelled (or recovered by another worker) while the container rendered it
    folder = Path(job.episode_dir)
    for rel, data in episode.files.items():
        atomic_write_bytes(folder / rel, data)
    render = None
    if episode.render_json is not None:
        render = RenderRecord.model_validate_json(episode.render_json)
        render = render.model_copy(
            update={
                "folder": str(folder / render.folder),
                "cost_usd": render_cost(episode.compute_s, plan.gpu),
            }
        )
    try:
        jobs.finish_render(job.id, worker, render=render)
    except JobError:
        return  # lost the lease between the check and the finish: the other worker owns it now


class _At:
    """A clock that says what it is told: sessions are recorded in the container's own timeline."""

    def __init__(self, moment: float) -> None:
        self.moment = moment

    def __call__(self) -> float:
        return self.moment


def record_container(
    jobs: JobStore,
    calls: list[BatchResult],
    known: dict[str, tuple[JobRecord, float]],
    plan: DispatchPlan,
    worker: str,
) -> int:
    """Record one container's calls as one render session; returns its id.

    Billed: from the container's enter (or, warm from an earlier dispatch, this dispatch's first call)
    to its last call's end plus the keep-alive Modal bills before scaling down. Idle: the gaps between
    calls plus that keep-alive. Cold start: the engine load at enter, when this dispatch caused it.
    """
    calls = sorted(calls, key=lambda call: call.call_started_at)
    fresh = any(call.first_call for call in calls)
    started = calls[0].entered_at if fresh else calls[0].call_started_at
    at = _At(started)
    sessions = session_store(jobs, clock=at)
    session_id = sessions.open(f"{worker}:{calls[0].container}", plan.gpu)
    if fresh:
        sessions.add_cold_start(session_id, calls[0].load_s)
    idle = plan.keep_alive_s
    previous_end: float | None = None
    for call in calls:
        if previous_end is not None:
            idle += max(0.0, call.call_started_at - previous_end)
        previous_end = call.call_ended_at
        for episode in call.episodes:
            job, estimate = known[episode.job_id]
            if episode.load_s > 0:
                sessions.add_cold_start(session_id, episode.load_s)
            ok = episode.error is None
            if ok and episode.audio_s > 0:
                sessions.add_calibration(
                    calibration_key(job.render_tier.value, plan.gpu),
                    words=job.word_count or 0,
                    audio_s=episode.audio_s,
                    compute_s=episode.compute_s,
                )
            sessions.record_episode(
                SessionEpisode(
                    session_id=session_id,
                    job_id=job.id,
                    tier=job.render_tier,
                    started_at=episode.started_at,
                    ended_at=episode.ended_at,
                    audio_s=episode.audio_s,
                    compute_s=episode.compute_s,
                    estimate_compute_s=estimate,
                    outcome=AttemptOutcome.OK if ok else AttemptOutcome.ERROR,
                    error=episode.error,
                    chunks_synthesized=episode.chunks_synthesized,
                    chunks_cached=episode.chunks_cached,
                )
            )
    sessions.add_idle(session_id, idle)
    at.moment = max(call.call_ended_at for call in calls) + plan.keep_alive_s
    sessions.close(session_id, f"scaled down after a {plan.keep_alive_s:g} s keep-alive")
    return session_id
