"""The jobs table: transitions in one transaction each, leases, recovery and append-only attempts.

Every test runs on both back ends (``store_url``: a SQLite file, a fresh PostgreSQL database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from podwright.core import EpisodeRequest, JobError, Tier
from podwright.core.jobs import AttemptOutcome, JobState
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from tests.support.clock import HandClock


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
def store(store_url: str, clock: HandClock) -> JobStore:
    return JobStore(connect(store_url), clock=clock)


def add(store: JobStore, job_id: str, *, review: bool = False, **fields: object) -> None:
    request = EpisodeRequest(episode_id=job_id, topic="tides", **fields)  # type: ignore[arg-type]
    store.add(request, "show.toml", review=review, estimate_audio_s=600, rtf=0.1)


def stage(store: JobStore, job_id: str, worker: str = "w1") -> None:
    assert store.claim(job_id, worker, 30) is not None
    store.finish_script(
        job_id,
        worker,
        episode_dir=f"/tmp/{job_id}",
        word_count=300,
        estimate_audio_s=120,
        estimate_compute_s=12,
    )


def test_add_keeps_request_and_estimate(store: JobStore) -> None:
    deadline = datetime(2030, 1, 1, tzinfo=UTC)
    add(store, "ep1", target_minutes=12, priority=3, deadline=deadline)
    job = store.get("ep1")
    assert job.state is JobState.QUEUED
    assert (job.priority, job.deadline, job.estimate_compute_s) == (3, deadline.timestamp(), 60.0)
    assert EpisodeRequest.model_validate_json(job.request_json).target_minutes == 12


def test_duplicate_and_unknown_jobs_are_job_errors(store: JobStore) -> None:
    add(store, "ep1")
    with pytest.raises(JobError, match="already in the queue"):
        add(store, "ep1")
    with pytest.raises(JobError, match="no job 'nope'"):
        store.get("nope")


def test_happy_path_records_one_ok_attempt_per_phase(store: JobStore) -> None:
    add(store, "ep1")
    stage(store, "ep1")
    assert store.get("ep1").state is JobState.SCRIPTED
    assert store.claim("ep1", "w1", 30) is not None
    assert store.finish_render("ep1", "w1").state is JobState.DONE
    attempts = store.attempts("ep1")
    assert [(a.phase.value, a.outcome) for a in attempts] == [
        ("script", AttemptOutcome.OK),
        ("render", AttemptOutcome.OK),
    ]


def test_only_one_worker_can_claim(store_url: str, clock: HandClock) -> None:
    first = JobStore(connect(store_url), clock=clock)
    second = JobStore(connect(store_url), clock=clock)
    add(first, "ep1")
    assert first.claim("ep1", "w1", 30) is not None
    assert second.claim("ep1", "w2", 30) is None
    assert second.get("ep1").lease_owner == "w1"


def test_expired_lease_is_recovered_and_the_old_worker_is_locked_out(
    store: JobStore, clock: HandClock
) -> None:
    add(store, "ep1")
    stage(store, "ep1")
    store.claim("ep1", "w1", 10)
    clock.now += 5
    assert store.heartbeat("ep1", "w1", 10)
    clock.now += 9
    assert store.recover_expired() == []  # the heartbeat pushed expiry out
    clock.now += 2
    assert store.recover_expired() == ["ep1"]
    job = store.get("ep1")
    assert (job.state, job.attempts, job.lease_owner) == (JobState.SCRIPTED, 1, None)
    assert store.attempts("ep1")[-1].outcome is AttemptOutcome.LOST
    assert not store.heartbeat("ep1", "w1", 10)
    with pytest.raises(JobError, match="no longer holds"):
        store.finish_render("ep1", "w1")
    assert store.claim("ep1", "w2", 10) is not None
    assert store.finish_render("ep1", "w2").state is JobState.DONE


def test_failed_attempts_retry_then_fail(store: JobStore) -> None:
    add(store, "ep1")
    stage(store, "ep1")
    for expected in (JobState.SCRIPTED, JobState.SCRIPTED, JobState.FAILED):
        store.claim("ep1", "w1", 10)
        assert store.fail_attempt("ep1", "w1", "boom", max_attempts=3).state is expected
    job = store.get("ep1")
    assert (job.attempts, job.error) == (3, "boom")
    assert [a.outcome for a in store.attempts("ep1")][1:] == [AttemptOutcome.ERROR] * 3


def test_script_failure_goes_back_to_queued(store: JobStore) -> None:
    add(store, "ep1")
    store.claim("ep1", "w1", 10)
    assert store.fail_attempt("ep1", "w1", "llm down", max_attempts=2).state is JobState.QUEUED


def test_review_gate(store: JobStore) -> None:
    add(store, "ep1", tier=Tier.FINAL, review=True)
    assert store.get("ep1").render_tier is Tier.DRAFT
    stage(store, "ep1")
    with pytest.raises(JobError, match="not waiting for review"):
        store.approve("ep1")
    store.claim("ep1", "w1", 10)
    assert store.finish_render("ep1", "w1").state is JobState.REVIEW
    approved = store.approve("ep1")
    assert (approved.state, approved.render_tier) == (JobState.SCRIPTED, Tier.FINAL)
    store.claim("ep1", "w1", 10)
    assert store.finish_render("ep1", "w1").state is JobState.DONE


def test_final_without_review_renders_final_once(store: JobStore) -> None:
    add(store, "ep1", tier=Tier.FINAL)
    assert store.get("ep1").render_tier is Tier.FINAL


def test_cancel(store: JobStore) -> None:
    add(store, "ep1")
    add(store, "ep2")
    stage(store, "ep2")
    store.claim("ep2", "w1", 10)
    assert store.cancel("ep1").state is JobState.CANCELLED
    assert store.cancel("ep2").state is JobState.CANCELLED
    assert store.attempts("ep2")[-1].outcome is AttemptOutcome.CANCELLED
    assert not store.heartbeat("ep2", "w1", 10)
    assert store.claim("ep1", "w1", 10) is None
    with pytest.raises(JobError, match="already cancelled"):
        store.cancel("ep1")


def test_has_open_work_ignores_review_and_terminal(store: JobStore) -> None:
    add(store, "ep1", tier=Tier.FINAL, review=True)
    stage(store, "ep1")
    store.claim("ep1", "w1", 10)
    store.finish_render("ep1", "w1")
    assert not store.has_open_work()
