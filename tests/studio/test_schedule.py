from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podwright.core import ConfigError, Schedule, Show, SourceError
from podwright.scheduler.recurring import (
    RunStatus,
    ScheduledShow,
    episode_id_for_key,
    latest_due,
    queue_enqueuer,
    run_schedules,
)
from podwright.scheduler.topics import fetch_text, schedule_topics, topics_from_feed
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore
from tests.stages.shows import starter_show
from tests.support.http_files import closed_port_url, serve_files

MONDAY_0610 = datetime(2026, 1, 5, 6, 10, tzinfo=UTC)
NEXT_MONDAY_0610 = datetime(2026, 1, 12, 6, 10, tzinfo=UTC)

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Ideas</title>
<item><title>Why bridges hum</title></item>
<item><title>  How  tides work </title></item>
</channel></rss>"""


@dataclass
class RecordingQueue:
    """The job-queue seam: records each enqueue and hands out job ids."""

    calls: list[tuple[Path, str, float, str]] = field(default_factory=list)
    fail: bool = False

    def __call__(self, show_path: Path, topic: str, minutes: float, key: str) -> str:
        if self.fail:
            raise RuntimeError("queue is down")
        self.calls.append((show_path, topic, minutes, key))
        return f"job-{len(self.calls)}"


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(tmp_path / "podwright.db")
    yield connection
    connection.close()


def _scheduled(tmp_path: Path, **schedule: object) -> ScheduledShow:
    fields: dict[str, object] = {"cron": "0 6 * * 1", "topics": ("Black holes", "Tides"), "minutes": 8.0}
    fields.update(schedule)
    show: Show = starter_show().model_copy(update={"schedule": Schedule.model_validate(fields)})
    return ScheduledShow(path=tmp_path / "show.toml", show=show)


def test_running_twice_enqueues_once(conn: sqlite3.Connection, tmp_path: Path) -> None:
    queue = RecordingQueue()
    entry = _scheduled(tmp_path)
    [first] = run_schedules(conn, [entry], now=MONDAY_0610, enqueue=queue)
    [second] = run_schedules(conn, [entry], now=MONDAY_0610, enqueue=queue)
    assert first.status is RunStatus.ENQUEUED
    assert (first.topic, first.job_id, first.due_at) == (
        "Black holes",
        "job-1",
        datetime(2026, 1, 5, 6, tzinfo=UTC),
    )
    assert second.status is RunStatus.ALREADY
    assert second.job_id == "job-1"
    assert queue.calls == [
        (tmp_path / "show.toml", "Black holes", 8.0, "schedule:curious-minutes:2026-01-05T06:00Z")
    ]


def test_each_slot_uses_the_next_unused_topic_until_they_run_out(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    queue = RecordingQueue()
    entry = _scheduled(tmp_path)
    run_schedules(conn, [entry], now=MONDAY_0610, enqueue=queue)
    [week2] = run_schedules(conn, [entry], now=NEXT_MONDAY_0610, enqueue=queue)
    [week3] = run_schedules(conn, [entry], now=datetime(2026, 1, 19, 7, tzinfo=UTC), enqueue=queue)
    assert week2.topic == "Tides"
    assert week3.status is RunStatus.NO_TOPIC
    # Adding a topic later lets the still-due slot go out on the next run.
    more = _scheduled(tmp_path, topics=("Black holes", "Tides", "Comets"))
    [retry] = run_schedules(conn, [more], now=datetime(2026, 1, 19, 8, tzinfo=UTC), enqueue=queue)
    assert (retry.status, retry.topic) == (RunStatus.ENQUEUED, "Comets")
    assert [call[1] for call in queue.calls] == ["Black holes", "Tides", "Comets"]


def test_missed_slots_are_not_back_filled(conn: sqlite3.Connection, tmp_path: Path) -> None:
    queue = RecordingQueue()
    entry = _scheduled(tmp_path, cron="0 6 * * *")
    run_schedules(conn, [entry], now=MONDAY_0610, enqueue=queue)
    run_schedules(conn, [entry], now=datetime(2026, 1, 9, 12, tzinfo=UTC), enqueue=queue)
    assert [call[3] for call in queue.calls] == [
        "schedule:curious-minutes:2026-01-05T06:00Z",
        "schedule:curious-minutes:2026-01-09T06:00Z",
    ]


def test_a_failed_enqueue_gives_the_slot_back(conn: sqlite3.Connection, tmp_path: Path) -> None:
    entry = _scheduled(tmp_path)
    with pytest.raises(RuntimeError, match="queue is down"):
        run_schedules(conn, [entry], now=MONDAY_0610, enqueue=RecordingQueue(fail=True))
    queue = RecordingQueue()
    [decision] = run_schedules(conn, [entry], now=MONDAY_0610, enqueue=queue)
    assert (decision.status, decision.topic) == (RunStatus.ENQUEUED, "Black holes")


def test_a_claim_left_by_a_crash_is_finished_with_the_same_topic_and_key(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    key = "schedule:curious-minutes:2026-01-05T06:00Z"
    conn.execute(
        "INSERT INTO schedule_runs (show_slug, due_at, topic, job_key, claimed_at) VALUES (?, ?, ?, ?, 0)",
        ("curious-minutes", "2026-01-05T06:00:00+00:00", "Tides", key),
    )
    queue = RecordingQueue()
    [decision] = run_schedules(conn, [_scheduled(tmp_path)], now=MONDAY_0610, enqueue=queue)
    assert (decision.status, decision.topic, decision.key) == (RunStatus.ENQUEUED, "Tides", key)
    assert queue.calls[0][3] == key


def test_shows_without_a_schedule_are_skipped(conn: sqlite3.Connection, tmp_path: Path) -> None:
    plain = ScheduledShow(path=tmp_path / "show.toml", show=starter_show())
    [decision] = run_schedules(conn, [plain], now=MONDAY_0610, enqueue=RecordingQueue())
    assert decision.status is RunStatus.UNSCHEDULED


def test_the_real_job_queue_gets_one_job_per_slot(conn: sqlite3.Connection, tmp_path: Path) -> None:
    jobs = JobStore(conn)
    enqueue = queue_enqueuer(jobs, SessionStore(conn))
    entry = _scheduled(tmp_path)
    [decision] = run_schedules(conn, [entry], now=MONDAY_0610, enqueue=enqueue)
    run_schedules(conn, [entry], now=MONDAY_0610, enqueue=enqueue)
    assert conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 1
    job = jobs.get("curious-minutes-20260105-0600")
    assert job.id == decision.job_id
    assert job.target_minutes == 8.0
    assert "Black holes" in job.request_json
    # The same key again (a crash between enqueue and recording) finds the existing job.
    assert enqueue(entry.path, "Black holes", 8.0, decision.key or "") == job.id
    assert conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 1


def test_topics_come_from_list_file_and_feed_in_order(tmp_path: Path) -> None:
    (tmp_path / "topics.txt").write_text("# ideas\nTides\n\nVolcanoes\n", encoding="utf-8")
    (tmp_path / "feed.xml").write_text(RSS, encoding="utf-8")
    with serve_files(tmp_path) as base:
        schedule = Schedule(
            cron="0 6 * * 1",
            topics=("Black holes",),
            topics_file="topics.txt",
            topics_feed=f"{base}/feed.xml",
        )
        topics = schedule_topics(schedule, show_dir=tmp_path, fetch=fetch_text)
    assert topics == ["Black holes", "Tides", "Volcanoes", "Why bridges hum", "How tides work"]


def test_topics_from_atom_feeds_too() -> None:
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><title>Rain</title></entry></feed>'
    )
    assert topics_from_feed(atom) == ["Rain"]
    with pytest.raises(SourceError, match="not XML"):
        topics_from_feed("<rss>")


def test_unreachable_topics_feed_and_missing_file_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="topics feed") as caught:
        fetch_text(closed_port_url("/feed.xml"), timeout_s=2)
    assert "topics_feed" in caught.value.hint
    with pytest.raises(ConfigError, match="topics_file"):
        schedule_topics(Schedule(cron="0 6 * * 1", topics_file="nope.txt"), show_dir=tmp_path)


def test_latest_due_counts_a_tick_at_now_and_rejects_bad_cron() -> None:
    assert latest_due("0 6 * * 1", datetime(2026, 1, 5, 6, 0, tzinfo=UTC)) == datetime(
        2026, 1, 5, 6, tzinfo=UTC
    )
    assert latest_due("0 6 * * 1", datetime(2026, 1, 5, 5, 59)) == datetime(2025, 12, 29, 6, tzinfo=UTC)
    with pytest.raises(ConfigError, match="cron"):
        latest_due("every monday", MONDAY_0610)


def test_episode_ids_from_keys() -> None:
    assert episode_id_for_key("schedule:my-show:2026-01-05T06:00Z") == "my-show-20260105-0600"
