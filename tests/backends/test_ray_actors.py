"""Render actors on a real local Ray cluster: exactly-once across two actors, recovery after a kill."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from podwright.backends.ray_actors import serve_actors, start_actors
from podwright.backends.stores import SharedJobs
from podwright.core import ConfigError
from podwright.core.jobs import AttemptOutcome, JobState
from podwright.scheduler.session import SessionSettings
from podwright.scheduler.work import load_object
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore
from tests.backends import episodes
from tests.backends.conftest import REPO

pytestmark = pytest.mark.slow


def test_two_actors_render_every_staged_episode_exactly_once_through_the_worker_command(
    ray_cluster: str, tmp_path: Path, podwright_home: Path
) -> None:
    db = tmp_path / "shared.db"
    ids = [f"ep-{n}" for n in range(4)]
    folders = episodes.stage(db, tmp_path / "out", ids)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}
    command = [sys.executable, "-m", "podwright", "worker", "--backend", "ray", "--address", ray_cluster]
    command += ["--db", str(db), "--burst", "--keep-alive", "0.5", "--package-inline"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 actors" in done.stdout

    jobs = JobStore(connect(db))
    try:
        assert {job.id: job.state for job in jobs.select()} == dict.fromkeys(ids, JobState.DONE)
        for job_id in ids:
            renders = [a for a in jobs.attempts(job_id) if a.phase.value == "render"]
            assert [a.outcome for a in renders] == [AttemptOutcome.OK], job_id
        sessions = SessionStore(jobs.conn).select()
        rendered = [e.job_id for s in sessions for e in SessionStore(jobs.conn).episodes(s.id)]
        assert sorted(rendered) == ids
        assert {s.worker.rsplit("-", 1)[0] for s in sessions} <= {f"ray-{os.uname().nodename}"}
        assert all(s.stopped_at is not None and s.active_s > 0 for s in sessions)
    finally:
        jobs.conn.close()
    for folder in folders:
        assert (folder / "draft" / "episode.mp3").stat().st_size > 1000


def _wait(condition, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting on the store"
        time.sleep(0.05)


def test_a_killed_actor_loses_only_its_episode_in_flight_which_another_actor_finishes(
    ray_cluster: str, tmp_path: Path
) -> None:
    ray = pytest.importorskip("ray")
    db = tmp_path / "shared.db"
    (folder,) = episodes.stage(db, tmp_path / "out", ["long"])
    jobs = JobStore(connect(db))
    jobs.conn.execute("UPDATE jobs SET word_count = 1000")  # ten slow checkpointed chunks
    settings = SessionSettings(keep_alive_s=0.2, lease_s=1.0, heartbeat_s=0.2, poll_s=0.05)
    factory = load_object("tests.scheduler.fakes:make_counting_renderer")
    opener = SharedJobs(db)
    try:
        (doomed,) = start_actors(
            opener, lambda: factory("0.3"), actors=1, settings=settings, worker_prefix="a"
        )
        doomed.serve.remote(burst=True)
        log = folder / "synth.log"
        _wait(lambda: log.exists() and len(log.read_text().split()) >= 2)
        ray.kill(doomed)
        (rescuer,) = start_actors(
            opener, lambda: factory("0.3"), actors=1, settings=settings, worker_prefix="b"
        )
        lost: list[str] = []
        (summary,) = serve_actors([doomed, rescuer], burst=True, on_lost=lost.append)
        assert len(lost) == 1 and "returns after its lease" in lost[0]

        job = jobs.get("long")
        assert job.state is JobState.DONE
        renders = [a for a in jobs.attempts("long") if a.phase.value == "render"]
        assert [(a.worker, a.outcome) for a in renders] == [
            ("a-0", AttemptOutcome.LOST),
            ("b-0", AttemptOutcome.OK),
        ]
        synthesized = log.read_text().split()
        assert len(synthesized) == len(set(synthesized)), "a checkpointed chunk was synthesized twice"
        assert len(list((folder / "chunks").glob("*.done"))) == 10
        sessions = {s.worker: s for s in SessionStore(jobs.conn).select()}
        assert sessions["a-0"].stop_reason == "worker lost: closed at its last heartbeat"
        assert summary.worker == "b-0" and len(summary.sessions) == 1
    finally:
        jobs.conn.close()


def test_more_actors_than_gpus_are_refused_before_any_starts(ray_cluster: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="has 2 GPUs for 3 render actors"):
        start_actors(
            SharedJobs(tmp_path / "q.db"), dict, actors=3, settings=SessionSettings(), worker_prefix="x"
        )
