"""The shared queue: claims per second and exactly-once across 1, 4 and 8 workers, PostgreSQL vs SQLite.

Each worker is its own process with its own connection, as on separate machines. It loops the way a
render session does: read the staged jobs, order them shortest-first (``scheduler.order.rank``),
claim the first it can (``claim_first``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on
SQLite) and finish it at once, so the figure is the queue's own cost per episode, with no render.
Exactly-once is checked from the store afterwards: every job done, one OK render attempt each, and
as many claims counted by the workers as there are jobs. The PostgreSQL server is a throwaway one on
this machine (``tests/support/postgres.py``, fsync off as in the tests), so the ratio compares the
engines' locking, not disks; both back ends run side by side in one run.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

from tests.support.postgres import start_server

from bench.report import Section, fmt
from podwright.core import EpisodeRequest
from podwright.core.jobs import AttemptOutcome, JobState
from podwright.scheduler.order import OrderPolicy, QueueItem, rank
from podwright.store.db import connect
from podwright.store.jobs import JobStore

JOBS = 200
WORKER_COUNTS = (1, 4, 8)
LEASE_S = 60.0


def _stage(target: str) -> None:
    jobs = JobStore(connect(target))
    try:
        for index in range(JOBS):
            job_id = f"ep{index:04d}"
            words = 200 + (index * 37) % 1000
            jobs.add(
                EpisodeRequest(episode_id=job_id, topic="t"),
                "s.toml",
                review=False,
                estimate_audio_s=60,
                rtf=0.1,
            )
            jobs.claim(job_id, "stager", LEASE_S)
            jobs.finish_script(
                job_id,
                "stager",
                episode_dir="/tmp",
                word_count=words,
                estimate_audio_s=words / 2.5,
                estimate_compute_s=words / 2.5 * 0.05,
            )
    finally:
        jobs.close()


def _claim_loop(target: str, worker: str, start: Barrier, claims: multiprocessing.Queue[int]) -> None:
    """One worker process: claim and finish until nothing is left; reports how many it claimed."""
    jobs = JobStore(connect(target))
    policy = OrderPolicy()
    count = 0
    start.wait()
    try:
        while True:
            now = time.time()
            staged = jobs.select([JobState.SCRIPTED])
            items = [QueueItem(j.id, j.estimate_compute_s, j.staged_at or j.created_at) for j in staged]
            ordered = [item.job_id for item in rank(items, now, policy)]
            claimed = jobs.claim_first(ordered, worker, LEASE_S) if ordered else None
            if claimed is None:
                if not ordered:
                    break
                continue  # everything listed was taken meanwhile: look again
            jobs.finish_render(claimed.id, worker)
            count += 1
    finally:
        jobs.close()
        claims.put(count)


def _run(target: str, workers: int) -> tuple[float, int, bool]:
    """``(claims per second, claims counted, exactly once)`` of one back end with ``workers``."""
    _stage(target)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(workers + 1)
    claims: multiprocessing.Queue[int] = context.Queue()
    procs = [
        context.Process(target=_claim_loop, args=(target, f"w{n}", start, claims)) for n in range(workers)
    ]
    for proc in procs:
        proc.start()
    start.wait()
    began = time.perf_counter()
    counted = sum(claims.get(timeout=300) for _ in procs)
    wall = time.perf_counter() - began
    for proc in procs:
        proc.join()
    jobs = JobStore(connect(target))
    try:
        done = jobs.select([JobState.DONE])
        once = len(done) == JOBS and counted == JOBS
        for job in done:
            renders = [a for a in jobs.attempts(job.id) if a.phase.value == "render"]
            once = once and [a.outcome for a in renders] == [AttemptOutcome.OK]
    finally:
        jobs.close()
    return JOBS / wall, counted, once


def run() -> Section:
    """Both back ends, 1/4/8 workers each, one fresh store per run."""
    server = start_server()
    rows: list[list[str]] = []
    figures: dict[tuple[str, int], float] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="podwright-bench-store-") as tmp:
            for workers in WORKER_COUNTS:
                row = [str(workers)]
                for backend in ("postgres", "sqlite"):
                    target = (
                        server.fresh_database()
                        if backend == "postgres"
                        else str(Path(tmp) / f"q{workers}.db")
                    )
                    rate, counted, once = _run(target, workers)
                    figures[(backend, workers)] = rate
                    row += [fmt(rate, 0), f"{'yes' if once else 'NO'} ({counted}/{JOBS})"]
                row.append(fmt(figures[("postgres", workers)] / figures[("sqlite", workers)], 2) + "×")
                rows.append(row)
    finally:
        server.stop()
    return Section(
        name="store",
        title="Shared queue: claims per second, PostgreSQL vs SQLite",
        summary=(
            f"{JOBS} staged episodes claimed (ordered shortest-first, then `claim_first`) and finished"
            " at once by 1, 4 and 8 worker processes, each with its own connection; exactly-once is read"
            " back from the store (every job done with one OK render attempt, claims counted = jobs)."
        ),
        header=[
            "workers",
            "PostgreSQL claims/s",
            "PostgreSQL exactly once",
            "SQLite claims/s",
            "SQLite exactly once",
            "PostgreSQL ÷ SQLite",
        ],
        rows=rows,
        notes=[
            "Each claim re-reads the staged list and ranks it, as a render session does, so a claim costs"
            " one read of the backlog plus two short write transactions (claim, finish).",
            "SQLite serializes every write transaction on one file lock; PostgreSQL locks rows and"
            " SKIP LOCKED lets concurrent claimers take the next job instead of waiting. Only PostgreSQL"
            " is reachable from several machines; SQLite needs all workers on one host.",
            "The PostgreSQL server runs on this machine with fsync off (as in the tests); on a real"
            " server each commit also waits for its WAL flush. Worker processes share this machine's cores.",
        ],
    )
