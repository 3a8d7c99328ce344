"""The LLM call ledger on a real SQLite file: migrations, round trip, unknown costs, threads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from podwright.core import CallRecord, Ledger, StoreError, Task, Usage
from podwright.store.database import Database
from podwright.store.db import connect
from podwright.store.ledger import SQLiteLedger, combine_totals, episode_totals, stage_totals
from podwright.store.migrations import MIGRATIONS

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _call(
    *,
    episode: str | None = "ep-1",
    stage: str = "research",
    task: Task = Task.RESEARCH,
    cost: float | None = 0.01,
    served: str | None = "anthropic/claude-sonnet-4",
    error: str | None = None,
    at: datetime = T0,
    tokens: tuple[int, int, int, int] = (1000, 800, 100, 200),
    latency: float = 1.5,
) -> CallRecord:
    return CallRecord(
        episode_id=episode,
        stage=stage,
        task=task,
        provider="openrouter",
        model_asked="anthropic/claude-sonnet-4",
        model_served=served,
        usage=Usage(
            input_tokens=tokens[0],
            cached_tokens=tokens[1],
            cache_write_tokens=tokens[2],
            output_tokens=tokens[3],
            cost_usd=cost,
            cost_source="provider" if cost is not None else "unknown",
        ),
        latency_s=latency,
        error_class=error,
        started_at=at,
    )


@pytest.fixture
def conn(store_url: str) -> Database:
    return connect(store_url)


def test_migrations_are_idempotent(store_url: str) -> None:
    path = store_url
    first = connect(path)
    SQLiteLedger(first).record_call(_call())
    first.close()
    second = connect(path)
    applied = [row[0] for row in second.execute("SELECT name FROM _migrations ORDER BY name")]
    assert applied == [name for name, _ in MIGRATIONS]
    assert second.execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0] == 1, "reconnecting keeps rows"


def test_ledger_satisfies_the_core_protocol(conn: Database) -> None:
    assert isinstance(SQLiteLedger(conn), Ledger)


def test_record_round_trip(conn: Database) -> None:
    SQLiteLedger(conn).record_call(
        _call(at=datetime(2026, 11, 25, 10, 30, tzinfo=timezone(timedelta(hours=1))), error="ProviderError")
    )
    row = conn.execute("SELECT * FROM llm_calls").fetchone()
    assert dict(row) == {
        "id": 1,
        "started_at": "2026-11-25T09:30:00.000000Z",
        "episode_id": "ep-1",
        "stage": "research",
        "task": "research",
        "provider": "openrouter",
        "model_asked": "anthropic/claude-sonnet-4",
        "model_served": "anthropic/claude-sonnet-4",
        "input_tokens": 1000,
        "cached_tokens": 800,
        "cache_write_tokens": 100,
        "output_tokens": 200,
        "cost_usd": 0.01,
        "cost_source": "provider",
        "latency_s": 1.5,
        "error_class": "ProviderError",
    }


def test_stage_totals_sum_in_stage_order(conn: Database) -> None:
    ledger = SQLiteLedger(conn)
    ledger.record_call(_call(stage="outline", task=Task.OUTLINE, at=T0 + timedelta(seconds=10)))
    ledger.record_call(_call(stage="research", at=T0))
    for n in (1, 2):
        ledger.record_call(
            _call(
                stage="segment-1",
                task=Task.SEGMENT,
                at=T0 + timedelta(seconds=20 + n),
                served=f"provider/model-{n}",
                cost=0.02 * n,
                latency=2.0,
            )
        )
    ledger.record_call(_call(episode="ep-2", stage="research"))
    stages = stage_totals(conn, "ep-1")
    assert [stage.stage for stage in stages] == ["research", "outline", "segment-1"]
    segment = stages[2]
    assert (segment.calls, segment.errors, segment.input_tokens, segment.output_tokens) == (2, 0, 2000, 400)
    assert (segment.cached_tokens, segment.cache_write_tokens) == (1600, 200)
    assert segment.cost_usd == pytest.approx(0.06)
    assert segment.cost_is_complete
    assert segment.latency_s == pytest.approx(4.0)
    assert segment.models == ("provider/model-1", "provider/model-2")
    assert stage_totals(conn, "no-such-episode") == []


def test_unknown_cost_is_not_zero(conn: Database) -> None:
    ledger = SQLiteLedger(conn)
    ledger.record_call(_call(stage="research", cost=0.05))
    ledger.record_call(_call(stage="research", cost=None))
    ledger.record_call(
        _call(
            stage="outline",
            at=T0 + timedelta(seconds=5),
            cost=None,
            served=None,
            error="ProviderError",
            tokens=(0, 0, 0, 0),
        )
    )
    research, outline = stage_totals(conn, "ep-1")
    assert (research.cost_usd, research.unknown_cost_calls, research.cost_is_complete) == (0.05, 1, False)
    assert (outline.cost_usd, outline.unknown_cost_calls, outline.errors) == (None, 1, 1)
    assert outline.models == (), "a call that failed before any model served it names none"
    total = combine_totals([research, outline])
    assert (total.calls, total.cost_usd, total.unknown_cost_calls, total.errors) == (3, 0.05, 2, 1)
    assert combine_totals([outline]).cost_usd is None


def test_free_calls_cost_zero_and_are_known(conn: Database) -> None:
    SQLiteLedger(conn).record_call(_call(cost=0.0, served="local/qwen2.5-coder-1.5b"))
    (stage,) = stage_totals(conn, "ep-1")
    assert (stage.cost_usd, stage.cost_is_complete) == (0.0, True)


def test_episode_totals_most_recent_first_with_limit(conn: Database) -> None:
    ledger = SQLiteLedger(conn)
    ledger.record_call(_call(episode="old", at=T0))
    ledger.record_call(_call(episode="new", at=T0 + timedelta(hours=2), cost=None))
    ledger.record_call(_call(episode="new", at=T0 + timedelta(hours=1), served="other/model"))
    ledger.record_call(_call(episode=None, at=T0 + timedelta(minutes=30)))
    episodes = episode_totals(conn)
    assert [episode.episode_id for episode in episodes] == ["new", None, "old"]
    new = episodes[0]
    assert (new.calls, new.cost_usd, new.unknown_cost_calls) == (2, 0.01, 1)
    assert new.models == ("anthropic/claude-sonnet-4", "other/model")
    assert (new.first_call_at, new.last_call_at) == (
        "2026-11-25T10:00:00.000000Z",
        "2026-11-25T11:00:00.000000Z",
    )
    assert [episode.episode_id for episode in episode_totals(conn, limit=2)] == ["new", None]
    assert episode_totals(conn, limit=0) == []


def test_concurrent_record_call_from_threads(store_url: str) -> None:
    conn = connect(store_url)
    ledger = SQLiteLedger(conn)
    threads, per_thread = 8, 50
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def writer(worker: int) -> None:
        start.wait()
        try:
            for n in range(per_thread):
                ledger.record_call(_call(stage=f"segment-{worker}", task=Task.SEGMENT, cost=0.001, latency=n))
        except BaseException as exc:  # collected and asserted below; a thread can't fail the test itself
            failures.append(exc)

    workers = [threading.Thread(target=writer, args=(worker,)) for worker in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert failures == []
    stages = stage_totals(conn, "ep-1")
    assert len(stages) == threads
    assert all(stage.calls == per_thread for stage in stages)
    assert combine_totals(stages).cost_usd == pytest.approx(threads * per_thread * 0.001)
    # A second connection (another process's view) sees every committed row.
    assert connect(store_url).execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0] == 400


def test_write_failure_is_a_store_error(store_url: str) -> None:
    conn = connect(store_url)
    conn.close()
    with pytest.raises(StoreError, match="cannot record an LLM call"):
        SQLiteLedger(conn).record_call(_call())
