"""Opening the SQLite store: WAL mode, foreign keys, and ordered, named migrations.

Schema changes happen only by appending a migration to :data:`podwright.store.migrations.MIGRATIONS`;
each runs once, in order, in its own transaction, and is recorded in ``_migrations``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from podwright.core import StoreError
from podwright.store.migrations import MIGRATIONS

__all__ = ["connect", "migrate", "transaction"]


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the store at ``path``, migrated to the latest schema.

    The connection is in autocommit mode (``isolation_level=None``): callers open explicit
    transactions (``BEGIN IMMEDIATE``) so every state change is one transaction.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        migrate(conn)
    except sqlite3.Error as exc:
        raise StoreError(
            f"cannot open the store at {path} ({exc})",
            hint="check the data dir is writable, or point PODWRIGHT_HOME elsewhere",
        ) from exc
    return conn


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet applied, in order; returns the names applied now."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    applied: list[str] = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-check under the write lock: another process may have migrated meanwhile.
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")
                continue
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                (name,),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def _statements(sql: str) -> list[str]:
    # Migrations hold plain DDL without semicolons inside literals, so a split is safe here.
    return [part.strip() for part in sql.split(";") if part.strip()]


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE``): committed on success, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
