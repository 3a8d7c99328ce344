"""Dead workers: their sessions are closed and billed at the last heartbeat, and a worker restarted
with the same identity takes its own job back at once (an injected clock; no waiting on leases)."""

from __future__ import annotations

from pathlib import Path

from podwright.core import EpisodeRequest
from podwright.core.jobs import AttemptOutcome, JobState
from podwright.scheduler.session import SessionSettings
from podwright.scheduler.trigger import SessionTrigger
from podwright.scheduler.worker import Worker, WorkerSettings
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore
from tests.scheduler.fakes import FakeRenderer, StagingScripter
from tests.support.clock import HandClock

LEASE = SessionSettings(keep_alive_s=0.0, lease_s=60.0, heartbeat_s=0.05, poll_s=0.01)


def _queue(db: Path, clock: HandClock, *ids: str) -> JobStore:
    store = JobStore(connect(db), clock=clock)
    for job_id in ids:
        request = EpisodeRequest(episode_id=job_id, topic="tides", target_minutes=1.0)
        store.add(request, "show.toml", review=False, estimate_audio_s=60, rtf=0.05)
    return store


def test_a_silent_session_is_closed_and_billed_at_its_last_heartbeat(tmp_path: Path) -> None:
    clock = HandClock()
    sessions = SessionStore(connect(tmp_path / "q.db"), clock=clock)
    dead = sessions.open("host-a-1", "cpu")
    clock.now += 40
    sessions.beat(dead)  # the last sign of life, 40 s in; then SIGKILL
    alive = sessions.open("host-b-1", "cpu")
    clock.now += 59
    assert sessions.close_lost(silent_for_s=60) == []  # not silent for a whole lease yet
    clock.now += 2
    sessions.beat(alive)
    assert sessions.close_lost(silent_for_s=60) == [dead]
    record = sessions.get(dead)
    assert record.stopped_at == 1_040.0 and record.billed_s == 40.0
    assert record.stop_reason is not None and "last heartbeat" in record.stop_reason
    assert sessions.get(alive).stopped_at is None


def test_a_restarted_worker_takes_its_own_dead_job_back_at_once(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    clock = HandClock()
    store = _queue(db, clock, "ep1")
    assert store.claim("ep1", "host-a", LEASE.lease_s) is not None  # the old process scripting it
    sessions = SessionStore(store.conn, clock=clock)
    old_session = sessions.open("host-a", "cpu")
    clock.now += 5  # restarted 5 s later: the 60 s lease is far from expired
    assert store.recover_expired() == []
    worker = Worker(
        db,
        renderer=FakeRenderer(),
        scripter=StagingScripter(tmp_path / "out"),
        settings=WorkerSettings(session=LEASE, trigger=SessionTrigger(min_episodes=1), poll_s=0.01),
        worker_id="host-a",
        clock=clock,
    )
    summary = worker.run(burst=True)
    assert summary.scripted == 1
    job = store.get("ep1")
    assert job.state is JobState.DONE
    outcomes = [a.outcome for a in store.attempts("ep1")]
    assert outcomes[0] is AttemptOutcome.LOST and outcomes.count(AttemptOutcome.OK) == 2
    closed = sessions.get(old_session)
    assert closed.stopped_at == 1_000.0 and "last heartbeat" in (closed.stop_reason or "")
    assert clock.now == 1_005.0  # nothing waited for the lease: the clock never moved


def test_another_worker_leaves_a_live_lease_alone(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    clock = HandClock()
    store = _queue(db, clock, "ep1")
    store.claim("ep1", "host-a", LEASE.lease_s)
    assert store.reclaim_own("host-b") == []
    assert store.get("ep1").lease_owner == "host-a"
    assert store.reclaim_own("host-a") == ["ep1"]
    assert store.get("ep1").state is JobState.QUEUED
