"""Opening the store, SQLite file or PostgreSQL URL, migrated to the latest schema.

Schema changes happen only by appending a migration to :data:`podwright.store.migrations.MIGRATIONS`;
each runs once, in order, in its own transaction, and is recorded in ``_migrations``. Both back ends
run the same list: migrations are written in SQLite's DDL and :func:`postgres_ddl` translates the two
words that differ (an ``INTEGER PRIMARY KEY`` is an identity column, ``REAL`` is double precision).
A store holding a migration this code does not know was written by a newer podwright: it is refused,
not used with a schema half understood.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from podwright.core import StoreError
from podwright.store.database import Database, DatabaseError, PostgresDatabase, SQLiteDatabase
from podwright.store.migrations import MIGRATIONS

__all__ = ["connect", "is_database_url", "migrate", "postgres_ddl", "redact_url", "transaction"]

#: Key of the advisory lock under which PostgreSQL migrations run (one migrator at a time).
_MIGRATION_LOCK = 0x706F6477  # "podw"


def is_database_url(target: Path | str) -> bool:
    """Whether ``target`` names a PostgreSQL server (``postgresql://…``) rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def connect(target: Path | str, *, connect_timeout_s: float = 5.0) -> Database:
    """Open (creating if needed) the store at ``target``, migrated to the latest schema.

    ``target`` is a SQLite file path, or a ``postgresql://user:password@host:port/dbname`` URL. The
    connection is in autocommit mode: callers open explicit transactions so every state change is
    one transaction. A server that does not answer within ``connect_timeout_s`` is an error.
    """
    if is_database_url(target):
        db: Database = _connect_postgres(str(target), connect_timeout_s)
    else:
        db = _connect_sqlite(Path(target))
    try:
        migrate(db)
    except DatabaseError as exc:
        db.close()
        raise StoreError(
            f"cannot migrate the store at {db.where} ({exc})",
            hint="check the database user may create tables, or point the store elsewhere",
        ) from exc
    except BaseException:
        db.close()
        raise
    return db


def _connect_sqlite(path: Path) -> SQLiteDatabase:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"cannot open the store at {path} ({exc})",
            hint="check the data dir is writable, or point PODWRIGHT_HOME elsewhere",
        ) from exc
    return SQLiteDatabase(conn, str(path))


def _connect_postgres(url: str, timeout_s: float) -> PostgresDatabase:
    where = redact_url(url)
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError(
            f"the store {where} is PostgreSQL, and psycopg is not installed",
            hint="install the extra: pip install 'podwright[postgres]'",
        ) from exc
    try:
        conn: psycopg.Connection[Any] = psycopg.connect(
            url, autocommit=True, connect_timeout=max(1, round(timeout_s)), application_name="podwright"
        )
    except psycopg.Error as exc:
        raise _login_error(where, url, exc) from exc
    return PostgresDatabase(conn, where)


def _login_error(where: str, url: str, exc: Exception) -> StoreError:
    reason = " ".join(str(exc).split())
    lowered = reason.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        user = urlsplit(url).username or "?"
        return StoreError(
            f"PostgreSQL at {where} refused the login of user {user!r} (wrong or missing password)",
            hint="fix the password in the store URL ([store] url or PODWRIGHT_DATABASE_URL), or in ~/.pgpass",
        )
    if "does not exist" in lowered:
        return StoreError(
            f"PostgreSQL at {where}: {reason}",
            hint="create it first (createdb NAME), or fix the database name in the store URL",
        )
    return StoreError(
        f"cannot reach the PostgreSQL store at {where} ({reason})",
        hint="check the host and port in the store URL and that the server runs and accepts TCP connections",
    )


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***``: what messages and logs may show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[2]}"))


def migrate(db: Database) -> list[str]:
    """Apply every migration not yet applied, in order; returns the names applied now.

    Refuses (:class:`StoreError`) a store that holds a migration this code does not know.
    """
    done = _applied(db)
    if done is None:  # a new store
        with db.transaction():
            _lock_migrations(db)
            db.execute(
                "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        done = _applied(db) or set()
    _refuse_newer(db, done)
    applied: list[str] = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with db.transaction():
            _lock_migrations(db)
            # Re-check under the lock: another process may have migrated meanwhile.
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                continue
            for statement in _statements(postgres_ddl(sql) if db.kind == "postgres" else sql):
                db.execute(statement)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
            )
        applied.append(name)
    return applied


def _applied(db: Database) -> set[str] | None:
    """Names of the applied migrations; ``None`` when there is no ``_migrations`` table yet.

    Read without a transaction or lock, so opening an up-to-date store (every worker thread does) costs
    one query.
    """
    try:
        return {str(row[0]) for row in db.execute("SELECT name FROM _migrations")}
    except DatabaseError:
        return None


def _lock_migrations(db: Database) -> None:
    # SQLite's BEGIN IMMEDIATE already serializes migrators; PostgreSQL needs a lock of its own,
    # since two workers starting at once would both see a migration missing.
    if db.kind == "postgres":
        db.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))


def _refuse_newer(db: Database, done: set[str]) -> None:
    unknown = sorted(done - {name for name, _ in MIGRATIONS})
    if unknown:
        raise StoreError(
            f"the store at {db.where} has schema migration {unknown[-1]!r}, which this podwright does not"
            " know: a newer podwright wrote it",
            hint="upgrade podwright on this machine to the version the other workers run"
            " (pip install -U podwright), or point it at another store",
        )


_INTEGER_KEY = re.compile(r"\bINTEGER PRIMARY KEY\b")
_INTEGER = re.compile(r"\bINTEGER\b")
_REAL = re.compile(r"\bREAL\b")


def postgres_ddl(sql: str) -> str:
    """A migration's SQLite DDL in PostgreSQL's words: identity keys, 64-bit integers, double floats."""
    sql = _INTEGER_KEY.sub("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", sql)
    sql = _INTEGER.sub("BIGINT", sql)
    return _REAL.sub("DOUBLE PRECISION", sql)


def _statements(sql: str) -> list[str]:
    # Migrations hold plain DDL without semicolons inside literals, so a split is safe here.
    return [part.strip() for part in sql.split(";") if part.strip()]


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction on ``db``: committed on success, rolled back on any error."""
    with db.transaction():
        yield db
