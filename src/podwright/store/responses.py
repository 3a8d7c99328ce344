"""The LLM response cache in the store (SQLite or PostgreSQL): one row per answered request, keyed by
its content hash."""

from __future__ import annotations

import threading
import time

from podwright.core import StoreError
from podwright.store.database import Database, DatabaseError

__all__ = ["SQLiteAnswers"]


class SQLiteAnswers:
    """A :class:`~podwright.core.llm.CachedAnswers` over the ``llm_responses`` table.

    Each answer is its own autocommit statement, so a run killed between calls keeps every answer it
    received. Safe to share between threads (statements are serialized by a lock).
    """

    def __init__(self, conn: Database) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def answer(self, key: str) -> str | None:
        """The stored response JSON for ``key``, or ``None``."""
        try:
            with self._lock:
                row = self._conn.execute(
                    "SELECT response_json FROM llm_responses WHERE key = ?", (key,)
                ).fetchone()
        except DatabaseError as exc:
            raise StoreError(f"cannot read the LLM response cache ({exc})", hint=_HINT) from exc
        return None if row is None else str(row[0])

    def keep(self, key: str, model: str, response_json: str) -> None:
        """Store (or replace) the answer of the request ``key``."""
        try:
            with self._lock:
                self._conn.execute(
                    "INSERT INTO llm_responses (key, model, response_json, stored_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET model = excluded.model,"
                    " response_json = excluded.response_json, stored_at = excluded.stored_at",
                    (key, model, response_json, time.time()),
                )
        except DatabaseError as exc:
            raise StoreError(f"cannot store an LLM answer in the response cache ({exc})", hint=_HINT) from exc

    def count(self) -> int:
        """How many answers are stored."""
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM llm_responses").fetchone()[0])


_HINT = "check the data dir has free space and is writable"
