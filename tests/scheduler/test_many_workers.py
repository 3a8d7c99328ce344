"""Four worker processes share one PostgreSQL queue of 40 staged episodes; one is SIGKILLed mid-episode.

What must hold, on outcomes (the leases are short options, not waited-for thresholds):

* every episode is rendered exactly once (one OK render attempt; the killed one's episode has one
  LOST attempt by the killed worker before it) and every session records it once;
* no checkpointed chunk is synthesized twice (the renderer appends one line per synthesis to the
  episode's ``synth.log``, O_APPEND, so concurrent writers never interleave a line);
* shortest-first holds across workers: taking the first claims in time order, each claimed episode
  has fewer than 4 (the number of workers) shorter episodes still unclaimed at that moment, since
  only the other workers' simultaneous claims (rows locked, skipped) can pass over a shorter one.
  All episodes are staged at one instant, so aging is equal and the order is by estimate alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from podwright.core import EpisodeRequest
from podwright.core.jobs import AttemptOutcome, JobState
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from tests.scheduler.fakes import CHUNK_WORDS
from tests.support.postgres import PostgresServer

REPO = Path(__file__).resolve().parents[2]
EPISODES = 40
WORKERS = 4

pytestmark = pytest.mark.slow


def _worker(url: str, worker_id: str, chunk_s: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")])}
    command = [sys.executable, "-m", "podwright", "worker", "--db", url, "--burst", "--worker-id", worker_id]
    command += ["--renderer", "tests.scheduler.fakes:make_counting_renderer"]
    command += ["--renderer-option", f"chunk_s={chunk_s}", "--lease", "1.5", "--heartbeat", "0.1"]
    command += ["--keep-alive", "0.5", "--min-episodes", "1"]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _stage(jobs: JobStore, out: Path) -> dict[str, int]:
    words: dict[str, int] = {}
    for index in range(EPISODES):
        job_id = f"ep{index:02d}"
        # 1–4 chunks, distinct word counts in a shuffled order (not the order they were added).
        words[job_id] = CHUNK_WORDS * (1 + index % 4) + (index * 7) % 40
        folder = out / job_id
        folder.mkdir(parents=True)
        jobs.add(
            EpisodeRequest(episode_id=job_id, topic="tides"),
            "s.toml",
            review=False,
            estimate_audio_s=60,
            rtf=0.1,
        )
        jobs.claim(job_id, "stager", 60)
        jobs.finish_script(
            job_id,
            "stager",
            episode_dir=str(folder),
            word_count=words[job_id],
            estimate_audio_s=words[job_id] / 2.5,
            estimate_compute_s=words[job_id] / 2.5 * 0.05,
        )
    return words


def _wait_for(predicate, proc: subprocess.Popen[bytes], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert proc.poll() is None, proc.communicate()[0].decode()
        assert time.monotonic() < deadline, "timed out waiting for the worker"
        time.sleep(0.02)


def test_four_workers_share_one_queue_and_survive_a_sigkill(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.fresh_database()
    frozen = 1_000_000.0
    words = _stage(JobStore(connect(url), clock=lambda: frozen), tmp_path / "out")
    jobs = JobStore(connect(url))

    # The doomed worker voices slowly, so it is surely mid-episode (chunks checkpointed, more to go)
    # when it is killed; the others are quick.
    doomed = _worker(url, "doomed", chunk_s=0.4)

    def doomed_mid_episode() -> bool:
        for job in jobs.select([JobState.RENDERING]):
            if job.lease_owner == "doomed" and (job.word_count or 0) >= 2 * CHUNK_WORDS:
                # A logged chunk is checkpointed and past its log line: killed now, the worker is
                # mid-way through the next chunk (0.4 s), never between checkpoint and log line.
                log = Path(job.episode_dir or "") / "synth.log"
                return log.is_file() and bool(log.read_text().split())
        return False

    _wait_for(lambda: any(j.lease_owner == "doomed" for j in jobs.select([JobState.RENDERING])), doomed)
    others = [_worker(url, f"w{n}", chunk_s=0.02) for n in range(1, WORKERS)]
    _wait_for(doomed_mid_episode, doomed)
    [victim] = [j for j in jobs.select([JobState.RENDERING]) if j.lease_owner == "doomed"]
    checkpointed_at_kill = {p.name for p in (Path(victim.episode_dir or "") / "chunks").glob("*.done")}
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    for proc in others:
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, output.decode()

    # Every episode rendered exactly once; the killed worker's episode lost once, then finished.
    assert {job.id: job.state for job in jobs.select()} == {job_id: JobState.DONE for job_id in words}
    renders = {job_id: [a for a in jobs.attempts(job_id) if a.phase.value == "render"] for job_id in words}
    for job_id, attempts in renders.items():
        outcomes = [(a.worker == "doomed", a.outcome) for a in attempts]
        if job_id == victim.id:
            assert outcomes == [(True, AttemptOutcome.LOST), (False, AttemptOutcome.OK)]
        else:
            assert [o for _, o in outcomes] == [AttemptOutcome.OK], (job_id, attempts)
    recorded = Counter(
        e.job_id
        for s in jobs.sessions.select()
        for e in jobs.sessions.episodes(s.id)
        if e.outcome is AttemptOutcome.OK
    )
    assert recorded == Counter(list(words))
    assert {a.worker for attempts in renders.values() for a in attempts} >= {"w1", "w2", "w3"}

    # No checkpointed chunk synthesized twice: one log line per chunk of every episode.
    for job_id, count in words.items():
        synthesized = Counter(
            int(line) for line in (tmp_path / "out" / job_id / "synth.log").read_text().split()
        )
        assert synthesized == Counter(range(count // CHUNK_WORDS)), job_id
    assert checkpointed_at_kill  # the rescue really resumed from checkpoints
    rescued = [
        e for s in jobs.sessions.select() for e in jobs.sessions.episodes(s.id) if e.job_id == victim.id
    ]
    assert [e.chunks_cached for e in rescued] == [len(checkpointed_at_kill)]

    # Shortest-first across workers: the first claim of each episode, in time order.
    first_claims = sorted((attempts[0].started_at, job_id) for job_id, attempts in renders.items())
    unclaimed = set(words)
    for _, job_id in first_claims:
        shorter = [other for other in unclaimed if words[other] < words[job_id]]
        assert len(shorter) < WORKERS, (job_id, sorted(shorter))
        unclaimed.remove(job_id)
