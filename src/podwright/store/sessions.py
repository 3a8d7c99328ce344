"""Render sessions in the store (SQLite or PostgreSQL): the session rows, each episode rendered in one,
and calibration samples.

Calibration samples (words, audio seconds, compute seconds per renderer key) are what turn a word
count into an estimate; every finished render adds one, so estimates improve with history.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from podwright.core import JobError
from podwright.core.jobs import SessionEpisode, SessionRecord
from podwright.store.database import Database
from podwright.store.db import transaction

__all__ = ["CalibrationSample", "SessionStore"]

Clock = Callable[[], float]

#: (words, audio seconds, compute seconds) of one finished render.
CalibrationSample = tuple[int, float, float]


class SessionStore:
    """The ``render_sessions``, ``session_episodes`` and ``render_calibration`` tables."""

    def __init__(self, conn: Database, *, clock: Clock = time.time) -> None:
        self.conn = conn
        self.clock = clock

    def open(self, worker: str, device: str) -> int:
        """Start a session now; returns its id."""
        now = self.clock()
        with transaction(self.conn):
            row = self.conn.execute(
                "INSERT INTO render_sessions (worker, device, started_at, last_seen_at) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                (worker, device, now, now),
            ).fetchone()
        return int(row[0])

    def beat(self, session_id: int) -> None:
        """The session's worker is alive now (called with every lease heartbeat and loop turn)."""
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE render_sessions SET last_seen_at = ? WHERE id = ? AND stopped_at IS NULL",
                (self.clock(), session_id),
            )

    def close_lost(self, *, silent_for_s: float | None = None, worker: str | None = None) -> list[int]:
        """Close sessions whose worker died, each at its last heartbeat, so its seconds are billed.

        A session is lost when it is open and silent for more than ``silent_for_s`` (a lease: its
        worker would have beaten by then), or, with ``worker``, when it is an open session of that
        worker identity (which is starting afresh, so whatever it had open died with the old process).
        """
        now = self.clock()
        where = "stopped_at IS NULL"
        params: list[object] = []
        if worker is not None:
            where += " AND worker = ?"
            params.append(worker)
        if silent_for_s is not None:
            where += " AND COALESCE(last_seen_at, started_at) < ?"
            params.append(now - silent_for_s)
        with transaction(self.conn):
            rows = self.conn.execute(
                "UPDATE render_sessions SET stopped_at = COALESCE(last_seen_at, started_at),"
                f" stop_reason = 'worker lost: closed at its last heartbeat' WHERE {where} RETURNING id",
                params,
            ).fetchall()
        return sorted(int(row[0]) for row in rows)

    def add_cold_start(self, session_id: int, seconds: float) -> None:
        """Add engine-loading seconds (the first load, and any engine loaded later in the session)."""
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE render_sessions SET cold_start_s = cold_start_s + ? WHERE id = ?",
                (seconds, session_id),
            )

    def add_idle(self, session_id: int, seconds: float) -> None:
        """Add keep-alive seconds spent waiting with nothing staged."""
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE render_sessions SET idle_s = idle_s + ? WHERE id = ?", (seconds, session_id)
            )

    def record_episode(self, episode: SessionEpisode) -> None:
        """Record one rendered (or failed) episode and add its compute to the session's active seconds."""
        ok = episode.outcome.value == "ok"
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO session_episodes (session_id, job_id, tier, started_at, ended_at, audio_s,"
                " compute_s, estimate_compute_s, outcome, error, chunks_synthesized, chunks_cached)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    episode.session_id,
                    episode.job_id,
                    episode.tier.value,
                    episode.started_at,
                    episode.ended_at,
                    episode.audio_s,
                    episode.compute_s,
                    episode.estimate_compute_s,
                    episode.outcome.value,
                    episode.error,
                    episode.chunks_synthesized,
                    episode.chunks_cached,
                ),
            )
            self.conn.execute(
                "UPDATE render_sessions SET active_s = active_s + ?, episodes = episodes + ?,"
                " failures = failures + ? WHERE id = ?",
                (episode.compute_s, int(ok), int(not ok), episode.session_id),
            )

    def close(self, session_id: int, stop_reason: str) -> SessionRecord:
        """Stop the session now; billed seconds run from its start to this moment."""
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE render_sessions SET stopped_at = ?, stop_reason = ? WHERE id = ?",
                (self.clock(), stop_reason, session_id),
            )
        return self.get(session_id)

    def get(self, session_id: int) -> SessionRecord:
        """The session ``session_id``; :class:`JobError` when there is none."""
        row = self.conn.execute("SELECT * FROM render_sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise JobError(f"no render session {session_id}", hint="see `podwright report` for session ids")
        return SessionRecord.model_validate(dict(row))

    def select(self, *, since: float | None = None, until: float | None = None) -> list[SessionRecord]:
        """Sessions that started in ``[since, until)``, oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM render_sessions WHERE started_at >= ? AND started_at < ? ORDER BY id",
            (since if since is not None else float("-inf"), until if until is not None else float("inf")),
        )
        return [SessionRecord.model_validate(dict(row)) for row in rows]

    def episodes(self, session_id: int) -> list[SessionEpisode]:
        """Episodes of one session, in render order."""
        rows = self.conn.execute(
            "SELECT session_id, job_id, tier, started_at, ended_at, audio_s, compute_s, estimate_compute_s,"
            " outcome, error, chunks_synthesized, chunks_cached FROM session_episodes"
            " WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        return [SessionEpisode.model_validate(dict(row)) for row in rows]

    def add_calibration(self, key: str, *, words: int, audio_s: float, compute_s: float) -> None:
        """Add one finished render's measurements under renderer ``key`` (e.g. ``draft@cpu``)."""
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO render_calibration (key, words, audio_s, compute_s, at) VALUES (?, ?, ?, ?, ?)",
                (key, words, audio_s, compute_s, self.clock()),
            )

    def calibration(self, key: str, *, last: int = 50) -> list[CalibrationSample]:
        """The latest ``last`` samples for ``key``, newest first."""
        rows = self.conn.execute(
            "SELECT words, audio_s, compute_s FROM render_calibration WHERE key = ? ORDER BY id DESC LIMIT ?",
            (key, last),
        )
        return [(int(r[0]), float(r[1]), float(r[2])) for r in rows]

    def llm_cost(self, episode_ids: list[str]) -> tuple[float, int]:
        """Known LLM dollars for ``episode_ids`` from the call ledger, and the count of unpriced calls."""
        if not episode_ids:
            return 0.0, 0
        marks = ",".join("?" * len(episode_ids))
        row = self.conn.execute(
            f"SELECT COALESCE(SUM(cost_usd), 0), SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END)"
            f" FROM llm_calls WHERE episode_id IN ({marks})",
            episode_ids,
        ).fetchone()
        return float(row[0]), int(row[1] or 0)
