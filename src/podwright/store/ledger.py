"""The LLM call ledger: one row per call in ``llm_calls``, and the totals ``podwright costs`` shows.

Unknown cost is not zero. A total over calls of which some have no known cost carries the sum of
the known costs in ``cost_usd`` and the number of unpriced calls in ``unknown_cost_calls``;
``cost_usd`` is ``None`` only when no call in the group has a known cost.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypedDict

from podwright.core import StoreError
from podwright.store.database import Database, DatabaseError, ResultRow

if TYPE_CHECKING:
    from podwright.core import CallRecord

__all__ = [
    "CallTotals",
    "EpisodeTotal",
    "SQLiteLedger",
    "StageTotal",
    "combine_totals",
    "episode_totals",
    "spend_by_day",
    "stage_totals",
]

_INSERT = """
INSERT INTO llm_calls (
    started_at, episode_id, stage, task, provider, model_asked, model_served,
    input_tokens, cached_tokens, cache_write_tokens, output_tokens,
    cost_usd, cost_source, latency_s, error_class
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

# Counts are SUM(CASE …), not SUM(boolean): PostgreSQL has no sum of booleans.
# SUM over REAL ignores NULLs and is NULL when every row is NULL: exactly "known sum, or unknown".
_AGGREGATES = """
    COUNT(*) AS calls,
    COALESCE(SUM(CASE WHEN error_class IS NOT NULL THEN 1 ELSE 0 END), 0) AS errors,
    COALESCE(SUM(CASE WHEN cost_source = 'cache' THEN 1 ELSE 0 END), 0) AS cache_hits,
    COALESCE(SUM(input_tokens), 0) AS input_tokens,
    COALESCE(SUM(cached_tokens), 0) AS cached_tokens,
    COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens,
    COALESCE(SUM(output_tokens), 0) AS output_tokens,
    SUM(cost_usd) AS cost_usd,
    COALESCE(SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END), 0) AS unknown_cost_calls,
    COALESCE(SUM(latency_s), 0.0) AS latency_s,
    MIN(started_at) AS first_call_at,
    MAX(started_at) AS last_call_at
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallTotals:
    """Sums over a group of ledger rows."""

    calls: int
    errors: int
    """Calls that ended in an error (``error_class`` set)."""
    cache_hits: int
    """Answers replayed from the response cache (cost 0, nothing sent to the provider)."""
    input_tokens: int
    cached_tokens: int
    """Input tokens read from the provider's prompt cache."""
    cache_write_tokens: int
    output_tokens: int
    cost_usd: float | None
    """Sum of the known costs; ``None`` when no call in the group has a known cost."""
    unknown_cost_calls: int
    """Calls whose cost is unknown (not counted in ``cost_usd``)."""
    latency_s: float
    """Summed call latency (calls that ran concurrently overlap, so this exceeds wall time)."""
    models: tuple[str, ...]
    """Models that actually served these calls, sorted (calls that failed before serving add none)."""

    @property
    def cost_is_complete(self) -> bool:
        """Whether every call's cost is known, so ``cost_usd`` is the whole cost."""
        return self.unknown_cost_calls == 0


@dataclass(frozen=True, slots=True, kw_only=True)
class StageTotal(CallTotals):
    """An episode's calls for one pipeline stage (``research``, ``segment-3``, …)."""

    stage: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeTotal(CallTotals):
    """All calls of one episode; ``episode_id`` is ``None`` for calls made outside any episode."""

    episode_id: str | None
    first_call_at: str
    """ISO-8601 UTC time of the first call."""
    last_call_at: str
    """ISO-8601 UTC time of the last call."""


class SQLiteLedger:
    """A :class:`~podwright.core.llm.Ledger` that inserts each call record into the store.

    Safe to share between threads and event loops: inserts are serialized by a lock, and each is its
    own autocommit statement, so a crash loses at most the call being recorded.
    """

    def __init__(self, conn: Database) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def record_call(self, record: CallRecord) -> None:
        """Persist one call record; raises :class:`StoreError` when the store cannot be written."""
        usage = record.usage
        row = (
            _utc_iso(record.started_at),
            record.episode_id,
            record.stage,
            str(record.task),
            record.provider,
            record.model_asked,
            record.model_served,
            usage.input_tokens,
            usage.cached_tokens,
            usage.cache_write_tokens,
            usage.output_tokens,
            usage.cost_usd,
            usage.cost_source,
            record.latency_s,
            record.error_class,
        )
        try:
            with self._lock:
                self._conn.execute(_INSERT, row)
        except DatabaseError as exc:
            raise StoreError(
                f"cannot record an LLM call in the ledger ({exc})",
                hint="check the data dir has free space and is writable",
            ) from exc


def stage_totals(conn: Database, episode_id: str) -> list[StageTotal]:
    """Totals per stage of ``episode_id``, in the order the stages first ran; empty if none."""
    rows = _query(
        conn,
        f"SELECT stage, {_AGGREGATES} FROM llm_calls WHERE episode_id = ? GROUP BY stage "
        "ORDER BY first_call_at, stage",
        (episode_id,),
    )
    models = _models(conn, "stage", "WHERE episode_id = ?", (episode_id,))
    return [
        StageTotal(stage=row["stage"], models=models.get(row["stage"], ()), **_totals(row)) for row in rows
    ]


def episode_totals(conn: Database, *, limit: int | None = None) -> list[EpisodeTotal]:
    """Totals per episode, most recently active first; at most ``limit`` episodes when given."""
    sql = f"SELECT episode_id, {_AGGREGATES} FROM llm_calls GROUP BY episode_id ORDER BY last_call_at DESC"
    params: tuple[object, ...] = ()
    if limit is not None:
        sql += " LIMIT ?"
        params = (max(limit, 0),)
    rows = _query(conn, sql, params)
    models = _models(conn, "episode_id", "", ())
    return [
        EpisodeTotal(
            episode_id=row["episode_id"],
            first_call_at=row["first_call_at"],
            last_call_at=row["last_call_at"],
            models=models.get(row["episode_id"], ()),
            **_totals(row),
        )
        for row in rows
    ]


def spend_by_day(conn: Database) -> list[tuple[str, str | None, str, float | None, int]]:
    """``(UTC day, episode id, stage, dollars, calls)`` rows, oldest day first; unknown cost stays ``None``.

    A group's dollars are ``None`` when any of its calls has an unknown cost (unknown is not zero).
    """
    rows = _query(
        conn,
        "SELECT substr(started_at, 1, 10) AS day, episode_id, stage,"
        " CASE WHEN count(cost_usd) = count(*) THEN sum(cost_usd) END AS dollars, count(*) AS calls"
        " FROM llm_calls GROUP BY day, episode_id, stage ORDER BY day, episode_id, stage",
        (),
    )
    return [(row["day"], row["episode_id"], row["stage"], row["dollars"], row["calls"]) for row in rows]


def combine_totals(groups: Sequence[CallTotals]) -> CallTotals:
    """The grand total of several groups (a table's bottom line), with the same unknown-cost rule."""
    known = [group.cost_usd for group in groups if group.cost_usd is not None]
    return CallTotals(
        calls=sum(group.calls for group in groups),
        errors=sum(group.errors for group in groups),
        cache_hits=sum(group.cache_hits for group in groups),
        input_tokens=sum(group.input_tokens for group in groups),
        cached_tokens=sum(group.cached_tokens for group in groups),
        cache_write_tokens=sum(group.cache_write_tokens for group in groups),
        output_tokens=sum(group.output_tokens for group in groups),
        cost_usd=sum(known) if known else None,
        unknown_cost_calls=sum(group.unknown_cost_calls for group in groups),
        latency_s=sum(group.latency_s for group in groups),
        models=tuple(sorted({model for group in groups for model in group.models})),
    )


class _Sums(TypedDict):
    calls: int
    errors: int
    cache_hits: int
    input_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    output_tokens: int
    cost_usd: float | None
    unknown_cost_calls: int
    latency_s: float


def _totals(row: ResultRow) -> _Sums:
    return {
        "calls": int(row["calls"]),
        "errors": int(row["errors"]),
        "cache_hits": int(row["cache_hits"]),
        "input_tokens": int(row["input_tokens"]),
        "cached_tokens": int(row["cached_tokens"]),
        "cache_write_tokens": int(row["cache_write_tokens"]),
        "output_tokens": int(row["output_tokens"]),
        "cost_usd": None if row["cost_usd"] is None else float(row["cost_usd"]),
        "unknown_cost_calls": int(row["unknown_cost_calls"]),
        "latency_s": float(row["latency_s"]),
    }


def _models(
    conn: Database, key: str, where: str, params: tuple[object, ...]
) -> dict[str | None, tuple[str, ...]]:
    # A separate query, not GROUP_CONCAT: model ids may contain any separator we could pick.
    sql = f"SELECT DISTINCT {key} AS key, model_served FROM llm_calls {where}"
    found: defaultdict[str | None, set[str]] = defaultdict(set)
    for row in _query(conn, sql, params):
        if row["model_served"]:
            found[row["key"]].add(row["model_served"])
    return {key_value: tuple(sorted(models)) for key_value, models in found.items()}


def _query(conn: Database, sql: str, params: tuple[object, ...]) -> list[ResultRow]:
    try:
        return list(conn.execute(sql, params).fetchall())
    except DatabaseError as exc:
        raise StoreError(
            f"cannot read the LLM call ledger ({exc})",
            hint="check the store is a podwright database (PODWRIGHT_HOME points at the right data dir)",
        ) from exc


def _utc_iso(moment: datetime) -> str:
    # One format for every row, so text order is time order; naive times are taken as UTC.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"
