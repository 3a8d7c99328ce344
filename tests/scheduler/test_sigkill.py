"""SIGKILL a real worker process mid-episode; a second worker recovers the job after lease expiry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from podwright.core import EpisodeRequest
from podwright.core.jobs import AttemptOutcome, JobState
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore
from tests.scheduler.fakes import CHUNK_WORDS

REPO = Path(__file__).resolve().parents[2]
CHUNKS = 12


def start_worker(db: Path, worker_id: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")])}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "podwright",
            "worker",
            "--db",
            str(db),
            "--burst",
            "--renderer",
            "tests.scheduler.fakes:make_checkpoint_renderer",
            "--worker-id",
            worker_id,
            "--lease",
            "2.0",
            "--heartbeat",
            "0.2",
            "--keep-alive",
            "0.2",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_sigkill_mid_episode_loses_at_most_the_chunk_in_flight(tmp_path: Path) -> None:
    db = tmp_path / "queue.db"
    episode = tmp_path / "ep1"
    episode.mkdir()
    store = JobStore(connect(db))
    store.add(
        EpisodeRequest(episode_id="ep1", topic="tides"),
        "show.toml",
        review=False,
        estimate_audio_s=60,
        rtf=0.1,
    )
    store.claim("ep1", "stager", 30)
    store.finish_script(
        "ep1",
        "stager",
        episode_dir=str(episode),
        word_count=CHUNKS * CHUNK_WORDS,
        estimate_audio_s=400,
        estimate_compute_s=4,
    )
    chunks = episode / "chunks"

    first = start_worker(db, "doomed")
    wait_for(lambda: chunks.exists() and len(list(chunks.glob("*.done"))) >= 3)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    done_at_kill = {p.name for p in chunks.glob("*.done")}
    assert store.get("ep1").state is JobState.RENDERING  # nobody cleaned up: the process just died

    second = start_worker(db, "rescuer")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output.decode()

    job = store.get("ep1")
    assert job.state is JobState.DONE
    outcomes = [(a.worker, a.outcome) for a in store.attempts("ep1") if a.phase.value == "render"]
    assert outcomes == [("doomed", AttemptOutcome.LOST), ("rescuer", AttemptOutcome.OK)]
    synthesized = Counter(int(line) for line in (episode / "synth.log").read_text().split())
    assert sorted(synthesized) == list(range(CHUNKS))
    assert set(synthesized.values()) == {1}  # no finished chunk was synthesized twice
    assert done_at_kill < {p.name for p in chunks.glob("*.done")}
    rescued = SessionStore(store.conn).episodes(2)
    assert [(e.job_id, e.chunks_cached) for e in rescued] == [("ep1", len(done_at_kill))]
