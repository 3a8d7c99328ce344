"""The rest of the store on both back ends (``store_url``: a SQLite file, a fresh PostgreSQL database):
ordered claims, episode records, render sessions, the response cache and schedule slots."""

from __future__ import annotations

import pytest

from podwright.core import EpisodeError, EpisodeRequest, Tier
from podwright.core.jobs import AttemptOutcome, JobState, SessionEpisode
from podwright.core.lifecycle import EpisodeState, RenderRecord
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.responses import SQLiteAnswers
from podwright.store.schedule_runs import ScheduleRuns
from tests.support.clock import HandClock


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
def jobs(store_url: str, clock: HandClock) -> JobStore:
    return JobStore(connect(store_url), clock=clock)


def _staged(jobs: JobStore, *ids: str) -> None:
    for job_id in ids:
        jobs.add(
            EpisodeRequest(episode_id=job_id, topic="tides"),
            "show.toml",
            review=False,
            estimate_audio_s=60,
            rtf=0.1,
        )
        assert jobs.claim(job_id, "stager", 30) is not None
        jobs.finish_script(
            job_id,
            "stager",
            episode_dir=f"/tmp/{job_id}",
            word_count=100,
            estimate_audio_s=40,
            estimate_compute_s=4,
        )


def test_claim_first_takes_the_callers_order_and_skips_what_is_taken(jobs: JobStore) -> None:
    _staged(jobs, "a", "b", "c")
    first = jobs.claim_first(["c", "a", "b"], "w1", 30)
    assert first is not None and (first.id, first.state) == ("c", JobState.RENDERING)
    second = jobs.claim_first(["c", "a", "b"], "w2", 30)
    assert second is not None and (second.id, second.lease_owner) == ("a", "w2")
    assert jobs.claim_first(["c", "a"], "w3", 30) is None
    assert jobs.claim_first([], "w3", 30) is None
    assert jobs.get("c").lease_owner == "w1"


def test_job_ids_are_found_exactly_or_by_a_literal_prefix(jobs: JobStore) -> None:
    _staged(jobs, "tides-2026_01")
    assert jobs.exists("tides-2026_01") and not jobs.exists("tides")
    assert jobs.exists("tides-2026", prefix=True)
    assert not jobs.exists("tides%01", prefix=True)  # LIKE wildcards in the reference are literal


def test_episode_lifecycle_round_trips(jobs: JobStore, clock: HandClock) -> None:
    book = jobs.episodes
    record = book.record_script(
        show_slug="tides",
        episode_id="ep1",
        title="Tides",
        topic="tides",
        sources=("a.md", "b.pdf"),
        folder="/out/tides/ep1",
        script_sha="s1",
        actor="ana",
    )
    assert (record.key, record.state, record.sources) == (
        "tides/ep1",
        EpisodeState.SCRIPTED,
        ("a.md", "b.pdf"),
    )
    draft = RenderRecord(
        tier=Tier.DRAFT,
        folder="/out/tides/ep1/draft",
        files=("episode.mp3",),
        audio_s=61.5,
        compute_s=3.25,
        cost_usd=None,
        script_sha="s1",
        rendered_at=clock.now,
    )
    book.record_render("tides/ep1", draft, actor="worker")
    again = draft.model_copy(update={"audio_s": 62.0, "cost_usd": 0.002})
    book.record_render("tides/ep1", again, actor="worker")  # replaces the tier's record (an upsert)
    with pytest.raises(EpisodeError, match="not approved"):
        book.publish("tides/ep1", Tier.DRAFT, actor="ana")
    book.approve("tides/ep1", actor="ana", script_sha="s1")
    published = book.publish("tides/ep1", Tier.DRAFT, actor="ana")
    assert published.state is EpisodeState.PUBLISHED
    assert published.renders[Tier.DRAFT].audio_s == 62.0 and published.renders[Tier.DRAFT].cost_usd == 0.002
    assert [event.to_state for event in book.events("tides/ep1")] == [
        EpisodeState.SCRIPTED,
        EpisodeState.DRAFT_RENDERED,
        EpisodeState.DRAFT_RENDERED,
        EpisodeState.APPROVED,
        EpisodeState.PUBLISHED,
    ]
    assert [r.key for r in book.find("tides")] == ["tides/ep1"] and book.keys() == ["tides/ep1"]


def test_sessions_bill_calibrate_and_close_lost(jobs: JobStore, clock: HandClock) -> None:
    sessions = jobs.sessions
    first = sessions.open("host-a", "cpu")
    second = sessions.open("host-b", "cpu")
    assert second == first + 1
    sessions.add_cold_start(first, 2.5)
    sessions.record_episode(
        SessionEpisode(
            session_id=first,
            job_id="ep1",
            tier=Tier.DRAFT,
            started_at=clock.now,
            ended_at=clock.now + 10,
            audio_s=100.0,
            compute_s=10.0,
            estimate_compute_s=12.0,
            outcome=AttemptOutcome.OK,
            chunks_synthesized=3,
        )
    )
    sessions.add_calibration("draft@cpu", words=250, audio_s=100.0, compute_s=10.0)
    assert sessions.calibration("draft@cpu") == [(250, 100.0, 10.0)]
    clock.now += 20
    sessions.beat(second)
    clock.now += 50
    assert sessions.close_lost(silent_for_s=60) == [first]
    record = sessions.get(first)
    assert (record.billed_s, record.cold_start_s, record.active_s, record.episodes) == (0.0, 2.5, 10.0, 1)
    assert [e.chunks_synthesized for e in sessions.episodes(first)] == [3]
    assert sessions.close(second, "nothing staged").stopped_at == clock.now
    assert [s.id for s in sessions.select(since=0.0)] == [first, second]


def test_response_cache_keeps_the_latest_answer(jobs: JobStore) -> None:
    answers = SQLiteAnswers(jobs.conn)
    assert answers.answer("k") is None
    answers.keep("k", "m1", '{"a": 1}')
    answers.keep("k", "m2", '{"a": 2}')
    assert (answers.answer("k"), answers.count()) == ('{"a": 2}', 1)


def test_a_schedule_slot_and_topic_are_claimed_once(jobs: JobStore) -> None:
    runs = ScheduleRuns(jobs.conn)
    assert runs.claim("tides", "2026-01-05T06:00:00+00:00", "Neap tides", "schedule:tides:1", 1.0)
    assert not runs.claim("tides", "2026-01-05T06:00:00+00:00", "Other", "schedule:tides:1", 2.0)
    assert not runs.claim("tides", "2026-01-12T06:00:00+00:00", "Neap tides", "schedule:tides:2", 3.0)
    runs.set_job("tides", "2026-01-05T06:00:00+00:00", "job-1")
    assert runs.slot("tides", "2026-01-05T06:00:00+00:00") == ("Neap tides", "job-1")
    assert runs.topics("tides") == {"neap tides"}
