"""How a backend opens the shared store: one picklable opener, handed to every actor and dispatcher.

Backends never connect on their own; they receive an opener (``Callable[[], JobStore]``) and derive
the session store from the job store it returns, here and nowhere else, so pointing every backend at
another store changes this module alone. The opener takes the store's target: a SQLite file (shared by
the processes and actors of one host) or a ``postgresql://`` URL (shared by every machine).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from podwright.store.jobs import JobStore, open_job_store
from podwright.store.sessions import SessionStore

__all__ = ["JobsOpener", "SharedJobs", "close", "session_store"]

JobsOpener = Callable[[], JobStore]
"""Opens a job store on a fresh connection (one per thread, one per actor); must survive pickling."""


@dataclass(frozen=True, slots=True)
class SharedJobs:
    """Opens the store at ``target``: a SQLite file path or a ``postgresql://`` URL."""

    target: Path | str

    def __call__(self) -> JobStore:
        """A job store on a fresh connection."""
        return open_job_store(self.target, clock=time.time)


def session_store(jobs: JobStore, *, clock: Callable[[], float] | None = None) -> SessionStore:
    """The session store beside ``jobs`` (same connection), on ``clock`` (default: the job store's)."""
    return SessionStore(jobs.conn, clock=clock or jobs.clock)


def close(jobs: JobStore) -> None:
    """Close what :data:`JobsOpener` opened."""
    jobs.close()
