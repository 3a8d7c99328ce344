"""Burst workers against a real SQLite file, with fakes only at the scripter/renderer seams."""

from __future__ import annotations

from pathlib import Path

import pytest

from podwright.core import EpisodeRequest, Tier
from podwright.core.jobs import AttemptOutcome, JobState
from podwright.scheduler.session import SessionSettings
from podwright.scheduler.trigger import SessionTrigger
from podwright.scheduler.worker import Worker, WorkerSettings
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore
from tests.scheduler.fakes import FakeRenderer, StagingScripter, cancel_from_outside

FAST = SessionSettings(keep_alive_s=0.05, lease_s=5.0, heartbeat_s=0.05, poll_s=0.01)


def settings(**session: object) -> WorkerSettings:
    from dataclasses import replace

    return WorkerSettings(
        session=replace(FAST, **session), trigger=SessionTrigger(min_episodes=2), poll_s=0.01
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "queue.db"


def queue(
    db: Path, *ids: str, minutes: float = 1.0, review: bool = False, tier: Tier = Tier.DRAFT
) -> JobStore:
    store = JobStore(connect(db))
    for job_id in ids:
        request = EpisodeRequest(episode_id=job_id, topic="the tides", target_minutes=minutes, tier=tier)
        store.add(request, "show.toml", review=review, estimate_audio_s=minutes * 60, rtf=0.05)
    return store


def test_burst_worker_scripts_and_renders_everything_in_one_session(db: Path, tmp_path: Path) -> None:
    store = queue(db, "ep1", "ep2", "ep3", "ep4")
    renderer = FakeRenderer()
    summary = Worker(
        db, renderer=renderer, scripter=StagingScripter(tmp_path / "out"), settings=settings()
    ).run(burst=True)
    assert summary.scripted == 4
    assert {job.state for job in store.select()} == {JobState.DONE}
    assert sorted(job_id for job_id, _ in renderer.rendered) == ["ep1", "ep2", "ep3", "ep4"]
    sessions = SessionStore(store.conn)
    records = [sessions.get(i) for i in summary.sessions]
    assert sum(r.episodes for r in records) == 4
    assert renderer.loads == len(records)  # the engine loads once per session, not per episode
    for record in records:
        assert record.cold_start_s > 0 and record.stopped_at is not None
        assert record.utilization is not None and 0 < record.utilization <= 1
        assert record.stop_reason == "nothing staged"


def test_estimates_calibrate_from_finished_renders(db: Path, tmp_path: Path) -> None:
    store = queue(db, *(f"ep{i}" for i in range(4)))
    worker = Worker(
        db, renderer=FakeRenderer(rtf=0.002), scripter=StagingScripter(tmp_path / "o"), settings=settings()
    )
    sid = worker.run(burst=True).sessions[0]
    episodes = SessionStore(store.conn).episodes(sid)
    errors = [abs(e.compute_s - e.estimate_compute_s) / e.compute_s for e in episodes]
    assert errors[0] > 1.0  # the default RTF (0.05) is far off the fake's 0.002
    assert errors[-1] < 0.01  # after one render, words/s and RTF are measured


def test_failing_episode_is_retried_then_failed_without_blocking_the_rest(db: Path, tmp_path: Path) -> None:
    store = queue(db, "bad", "ok1", "ok2")
    renderer = FakeRenderer(fail={"bad": -1})
    Worker(
        db,
        renderer=renderer,
        scripter=StagingScripter(tmp_path / "o"),
        settings=settings(max_consecutive_failures=10),
    ).run(burst=True)
    assert store.get("bad").state is JobState.FAILED
    assert [a.outcome for a in store.attempts("bad")][1:] == [AttemptOutcome.ERROR] * 3
    assert store.get("ok1").state is store.get("ok2").state is JobState.DONE


def test_a_transient_failure_is_retried_to_success(db: Path, tmp_path: Path) -> None:
    store = queue(db, "flaky")
    Worker(
        db,
        renderer=FakeRenderer(fail={"flaky": 1}),
        scripter=StagingScripter(tmp_path / "o"),
        settings=settings(),
    ).run(burst=True)
    assert store.get("flaky").state is JobState.DONE
    assert [a.outcome for a in store.attempts("flaky")] == [
        AttemptOutcome.OK,
        AttemptOutcome.ERROR,
        AttemptOutcome.OK,
    ]


def test_session_stops_after_consecutive_failures(db: Path, tmp_path: Path) -> None:
    store = queue(db, "a", "b", "c")
    worker = Worker(
        db,
        renderer=FakeRenderer(fail={"a": -1, "b": -1, "c": -1}),
        scripter=StagingScripter(tmp_path / "o"),
        settings=settings(max_consecutive_failures=2),
    )
    summary = worker.run(burst=True)
    sessions = SessionStore(store.conn)
    assert sessions.get(summary.sessions[0]).stop_reason == "2 consecutive failures"
    assert {job.state for job in store.select()} == {JobState.FAILED}


def test_script_failures_are_retried_then_failed(db: Path, tmp_path: Path) -> None:
    store = queue(db, "nolm", "fine")
    summary = Worker(
        db,
        renderer=FakeRenderer(),
        scripter=StagingScripter(tmp_path / "o", fail=frozenset({"nolm"})),
        settings=settings(),
    ).run(burst=True)
    assert summary.script_failures == 3
    assert store.get("nolm").state is JobState.FAILED
    assert store.get("fine").state is JobState.DONE


def test_review_gate_renders_draft_then_final_after_approval(db: Path, tmp_path: Path) -> None:
    store = queue(db, "ep1", tier=Tier.FINAL, review=True)
    renderer = FakeRenderer()
    scripter = StagingScripter(tmp_path / "o")
    Worker(db, renderer=renderer, scripter=scripter, settings=settings()).run(burst=True)
    assert store.get("ep1").state is JobState.REVIEW
    store.approve("ep1")
    Worker(db, renderer=renderer, scripter=scripter, settings=settings()).run(burst=True)
    assert store.get("ep1").state is JobState.DONE
    assert renderer.rendered == [("ep1", "draft"), ("ep1", "final")]
    assert scripter.written == ["ep1"]  # the final render reuses the approved script


def test_cancelled_jobs_are_not_rendered_and_a_running_one_is_dropped(db: Path, tmp_path: Path) -> None:
    store = queue(db, "keep", "drop", "midway")
    store.cancel("drop")

    def hook(job):  # cancel "midway" while it renders, from another connection
        if job.id == "midway":
            cancel_from_outside(db)(job)

    renderer = FakeRenderer(on_render=hook)
    summary = Worker(
        db, renderer=renderer, scripter=StagingScripter(tmp_path / "o"), settings=settings()
    ).run(burst=True)
    assert store.get("keep").state is JobState.DONE
    assert store.get("drop").state is store.get("midway").state is JobState.CANCELLED
    assert "drop" not in [job_id for job_id, _ in renderer.rendered]
    outcomes = {
        e.job_id: e.outcome for sid in summary.sessions for e in SessionStore(store.conn).episodes(sid)
    }
    assert outcomes["midway"] is AttemptOutcome.CANCELLED


class BrokenEngineRenderer(FakeRenderer):
    def load(self) -> float:
        from podwright.core import VoiceError

        raise VoiceError("voice 'heart' is not installed", hint="pip install hibari-tts")


def test_an_engine_that_cannot_load_stops_the_worker_with_its_error(db: Path, tmp_path: Path) -> None:
    from podwright.core import VoiceError

    store = queue(db, "ep1")
    worker = Worker(
        db, renderer=BrokenEngineRenderer(), scripter=StagingScripter(tmp_path / "o"), settings=settings()
    )
    with pytest.raises(VoiceError, match="not installed"):
        worker.run(burst=True)
    record = SessionStore(store.conn).get(1)
    assert record.stop_reason is not None and record.stop_reason.startswith("error: VoiceError")
    assert store.get("ep1").state is JobState.SCRIPTED  # nothing was claimed, nothing lost


def test_cancel_while_scripting_is_not_an_error(db: Path, tmp_path: Path) -> None:
    store = queue(db, "ep1")

    class CancellingScripter(StagingScripter):
        def write(self, job):  # the producer cancels while the LLM is writing
            cancel_from_outside(db)(job)
            return super().write(job)

    summary = Worker(
        db, renderer=FakeRenderer(), scripter=CancellingScripter(tmp_path / "o"), settings=settings()
    ).run(burst=True)
    assert summary.scripted == 0
    assert store.get("ep1").state is JobState.CANCELLED


def test_a_render_only_burst_worker_leaves_queued_jobs_and_stops(db: Path, tmp_path: Path) -> None:
    store = queue(db, "unscripted")
    summary = Worker(db, renderer=FakeRenderer(), scripter=None, settings=settings()).run(burst=True)
    assert summary.sessions == () and store.get("unscripted").state is JobState.QUEUED


def test_engine_free_tail_work_runs_beside_the_next_episode(db: Path, tmp_path: Path) -> None:
    store = queue(db, "ep1", "ep2", "ep3")
    renderer = FakeRenderer(with_tail=True)
    summary = Worker(
        db, renderer=renderer, scripter=StagingScripter(tmp_path / "o"), settings=settings()
    ).run(burst=True)
    assert {job.state for job in store.select()} == {JobState.DONE}
    assert sorted(renderer.packaged) == ["ep1", "ep2", "ep3"]
    episodes = [e for sid in summary.sessions for e in SessionStore(store.conn).episodes(sid)]
    assert sorted(e.job_id for e in episodes) == ["ep1", "ep2", "ep3"]
    assert all(e.outcome is AttemptOutcome.OK for e in episodes)


def test_a_failed_tail_is_retried_like_a_failed_render(db: Path, tmp_path: Path) -> None:
    store = queue(db, "ep1")
    renderer = FakeRenderer(tail_fail={"ep1": 1})
    Worker(db, renderer=renderer, scripter=StagingScripter(tmp_path / "o"), settings=settings()).run(
        burst=True
    )
    assert store.get("ep1").state is JobState.DONE
    outcomes = [a.outcome for a in store.attempts("ep1")]
    assert outcomes == [AttemptOutcome.OK, AttemptOutcome.ERROR, AttemptOutcome.OK]
    assert "disk full" in (store.attempts("ep1")[1].error or "")


def test_an_episode_waiting_for_its_tail_keeps_its_lease(db: Path, tmp_path: Path) -> None:
    """Packaging slower than a lease must not hand queued tails' jobs to a second render."""
    store = queue(db, "ep1", "ep2", "ep3")
    renderer = FakeRenderer(with_tail=True, tail_s=0.5)
    short_leases = settings(lease_s=0.3, heartbeat_s=0.05)
    Worker(db, renderer=renderer, scripter=StagingScripter(tmp_path / "o"), settings=short_leases).run(
        burst=True
    )
    assert {job.state for job in store.select()} == {JobState.DONE}
    assert sorted(job_id for job_id, _ in renderer.rendered) == ["ep1", "ep2", "ep3"]
    assert sorted(renderer.packaged) == ["ep1", "ep2", "ep3"]
