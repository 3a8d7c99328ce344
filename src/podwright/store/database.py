"""One connection to the store, SQLite or PostgreSQL, speaking one SQL dialect to the code above it.

The stores (jobs, sessions, episodes, ledger, response cache) write their SQL once, in the dialect
both engines share: ``?`` parameters, ``BEGIN IMMEDIATE`` for a write transaction, and
``FOR UPDATE`` / ``FOR UPDATE SKIP LOCKED`` where a row lock is meant. Each back end translates the
few words that differ:

* SQLite drops the lock clauses (``BEGIN IMMEDIATE`` already holds the one write lock);
* PostgreSQL turns ``?`` into ``%s``, ``BEGIN IMMEDIATE`` into ``BEGIN``, and ``NOTIFY`` wakes idle
  workers, which :meth:`Database.wait` blocks on (``LISTEN``).

Driver errors are translated at this boundary: :class:`IntegrityError` (a unique key taken) and
:class:`DatabaseError` (anything else) are what the stores catch, whichever engine raised them.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "WAKE_CHANNEL",
    "Database",
    "DatabaseError",
    "IntegrityError",
    "PostgresDatabase",
    "ResultRow",
    "SQLiteDatabase",
]

#: The channel a store NOTIFYs when a job becomes claimable (PostgreSQL only).
WAKE_CHANNEL = "podwright_jobs"


class DatabaseError(Exception):
    """A statement failed in the database engine (either back end)."""


class IntegrityError(DatabaseError):
    """A unique or foreign key was violated (a job id taken, a schedule slot already claimed)."""


class ResultRow(Protocol):
    """A result row: by column name or position, and ``dict(row)`` (what :class:`sqlite3.Row` offers)."""

    def __getitem__(self, key: int | str, /) -> Any:
        """The value of the column named or numbered ``key``."""

    def keys(self) -> list[str]:
        """The column names, in order."""


class Result(Protocol):
    """What :meth:`Database.execute` returns: the rows, read at once, and the count of rows changed."""

    @property
    def rowcount(self) -> int:
        """Rows an UPDATE/DELETE/INSERT changed."""

    def fetchone(self) -> Any:
        """The next row, or ``None``."""

    def fetchall(self) -> list[Any]:
        """The remaining rows."""

    def __iter__(self) -> Iterator[Any]:
        """The remaining rows, one by one."""


class Database:
    """A connection to the store. Subclasses hold the driver; the stores only see this class."""

    kind: Literal["sqlite", "postgres"]
    where: str
    """Where the store lives, for messages (a path, or the URL without its password)."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> Result:
        """Run one statement in the shared dialect."""
        raise NotImplementedError

    def notify(self) -> None:
        """Wake idle workers once the current transaction commits (a no-op where nobody listens)."""

    def wait(self, timeout_s: float) -> bool:
        """Block until a job may be claimable or ``timeout_s`` passes; ``False`` when this back end
        cannot wait (SQLite), so the caller polls instead."""
        return False

    def close(self) -> None:
        """Close the connection."""
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction: committed on success, rolled back on any error."""
        self.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")


_LOCKS = re.compile(r"\s+FOR UPDATE(\s+SKIP LOCKED)?", re.IGNORECASE)


@lru_cache(maxsize=512)
def _sqlite_sql(sql: str) -> str:
    return _LOCKS.sub("", sql)


class SQLiteDatabase(Database):
    """The embedded store: one SQLite file in WAL mode."""

    kind: Literal["sqlite", "postgres"] = "sqlite"

    def __init__(self, conn: sqlite3.Connection, where: str) -> None:
        self.conn = conn
        """The driver connection (only ``store/`` and tests should need it)."""
        self.where = where

    def execute(self, sql: str, params: Sequence[object] = ()) -> Result:
        """Run one statement (lock clauses dropped: SQLite's write lock covers the transaction)."""
        try:
            return self.conn.execute(_sqlite_sql(sql), params)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise DatabaseError(str(exc)) from exc

    def close(self) -> None:
        """Close the file."""
        self.conn.close()


@lru_cache(maxsize=512)
def _postgres_sql(sql: str) -> str:
    if sql.strip().upper() == "BEGIN IMMEDIATE":
        return "BEGIN"
    # No statement of ours has a '?' or '%' inside a string literal except LIKE's '%' wildcard.
    return sql.replace("%", "%%").replace("?", "%s")


class _PostgresRow:
    """A row by name or position, like :class:`sqlite3.Row`."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: dict[str, int], values: Sequence[Any]) -> None:
        self._names = names
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._names[key] if isinstance(key, str) else key]

    def keys(self) -> list[str]:
        return list(self._names)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class _Rows:
    """A finished statement's rows (read at once, so the cursor is free for the next statement)."""

    def __init__(self, rows: list[_PostgresRow], rowcount: int) -> None:
        self._rows = iter(rows)
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return next(self._rows, None)

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return self._rows


class PostgresDatabase(Database):
    """The shared store: one psycopg 3 connection in autocommit mode (transactions are explicit)."""

    kind: Literal["sqlite", "postgres"] = "postgres"

    def __init__(self, conn: psycopg.Connection[Any], where: str) -> None:
        self.conn = conn
        """The driver connection (only ``store/`` and tests should need it)."""
        self.where = where
        self._listening = False
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Sequence[object] = ()) -> Result:
        """Run one statement, translated to psycopg's ``%s`` parameters."""
        import psycopg

        try:
            with self._lock:
                cursor = self.conn.execute(_postgres_sql(sql), params)
                rows: list[_PostgresRow] = []
                if cursor.description is not None:
                    names = {column.name: index for index, column in enumerate(cursor.description)}
                    rows = [_PostgresRow(names, values) for values in cursor.fetchall()]
                return _Rows(rows, cursor.rowcount)
        except psycopg.errors.IntegrityError as exc:
            raise IntegrityError(str(exc).strip()) from exc
        except psycopg.Error as exc:
            raise DatabaseError(str(exc).strip()) from exc

    def notify(self) -> None:
        """``NOTIFY`` the wake channel; delivered when the transaction commits, once per transaction."""
        self.execute(f"NOTIFY {WAKE_CHANNEL}")

    def wait(self, timeout_s: float) -> bool:
        """``LISTEN`` (once) and block until a notification or ``timeout_s``; notifications that came
        while this connection ran other statements are kept by psycopg and end the wait at once."""
        import psycopg

        try:
            if not self._listening:
                # From now on notifications queue up on this connection; whatever was sent before
                # the LISTEN is not, so the caller looks at the queue again before a real wait.
                self.execute(f"LISTEN {WAKE_CHANNEL}")
                self._listening = True
                return True
            with self._lock:
                for _ in self.conn.notifies(timeout=max(timeout_s, 0.0), stop_after=1):
                    break
        except psycopg.Error as exc:
            raise DatabaseError(str(exc).strip()) from exc
        return True

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
