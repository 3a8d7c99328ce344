"""A real PostgreSQL server for the tests: one per test session, a fresh database per test.

The server runs from the machine's own binaries (``initdb``/``pg_ctl`` on the PATH, or a Debian
``postgresql`` package's ``/usr/lib/postgresql/*/bin``) in a temp dir, listening on a unix socket and
127.0.0.1 on a free port, with password logins over TCP (so a wrong password is a real refusal). It
refuses to run as root, so as root the tests run it as the system user ``podwright-pg`` (created if
missing). A template database holds the migrated schema; each test gets ``CREATE DATABASE … TEMPLATE``.
Missing binaries fail the tests that need them loudly: ``make test`` and ``.ci/run`` install them.
"""

from __future__ import annotations

import glob
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PostgresServer", "find_binaries", "start_server"]

SERVICE_USER = "podwright-pg"
TEMPLATE = "podwright_template"


def find_binaries() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or ``None`` when not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


@dataclass
class PostgresServer:
    """A running server; :meth:`fresh_database` is what a test connects to."""

    root: Path
    bin_dir: Path
    port: int
    password: str
    user: str | None
    """The system user the server runs as (``None``: this process's own user)."""
    _counter: itertools.count[int]

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        """A TCP URL for the superuser ``postgres`` on ``database``."""
        secret = self.password if password is None else password
        return f"postgresql://postgres:{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement as the superuser (autocommit, e.g. CREATE DATABASE)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def fresh_database(self) -> str:
        """A new database copied from the migrated template; returns its URL."""
        name = f"test_{os.getpid()}_{next(self._counter)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove its files."""
        _run(self, [str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PostgresServer:
    """Initialize and start a server in a temp dir, with the migrated template database."""
    bin_dir = find_binaries()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL server binaries not found (initdb, pg_ctl): install them"
            " (apt-get install -y postgresql, or `make postgres`) — the store tests need a real server"
        )
    user = _service_user() if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="podwright-pg-"))
    password = secrets.token_hex(12)
    (root / "pw").write_text(password + "\n")
    if user is not None:
        shutil.chown(root, user=user)
        shutil.chown(root / "pw", user=user)
    server = PostgresServer(root, bin_dir, _free_port(), password, user, itertools.count())
    _run(
        server,
        [
            str(bin_dir / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={root / 'pw'}",
            "-E",
            "UTF8",
            "--no-sync",
        ],
    )
    options = (
        f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    _run(
        server,
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(root / "data"),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
    )
    from podwright.store.db import connect

    server.admin(f"CREATE DATABASE {TEMPLATE}")
    connect(server.url(TEMPLATE)).close()  # the migrated schema every test database copies
    return server


def _service_user() -> str:
    exists = subprocess.run(["id", "-u", SERVICE_USER], capture_output=True).returncode == 0
    if not exists:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True,
            capture_output=True,
        )
    return SERVICE_USER


def _run(server: PostgresServer, command: Sequence[str]) -> None:
    full = ["runuser", "-u", server.user, "--", *command] if server.user else list(command)
    done = subprocess.run(full, capture_output=True, text=True, cwd=server.root)
    if done.returncode != 0:
        log = server.root / "log"
        tail = log.read_text()[-2000:] if log.is_file() else ""
        raise RuntimeError(f"{' '.join(command[:1])} failed: {done.stderr.strip()} {tail}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
