"""Which scheduled episode slots were claimed, with which topic and which job (``schedule_runs``).

A slot (show, due time) and a topic are each claimed once: the table's keys make a second claim an
:class:`~podwright.store.database.IntegrityError`, which :meth:`ScheduleRuns.claim` turns into ``False``.
"""

from __future__ import annotations

from podwright.core import StoreError
from podwright.store.database import Database, DatabaseError, IntegrityError
from podwright.store.db import transaction

__all__ = ["ScheduleRuns"]


class ScheduleRuns:
    """The ``schedule_runs`` table on one store connection."""

    def __init__(self, conn: Database) -> None:
        self.conn = conn

    def slot(self, slug: str, due_at: str) -> tuple[str, str | None] | None:
        """``(topic, job id)`` of the claimed slot, or ``None`` when it is free."""
        row = self.conn.execute(
            "SELECT topic, job_id FROM schedule_runs WHERE show_slug = ? AND due_at = ?", (slug, due_at)
        ).fetchone()
        return None if row is None else (str(row[0]), None if row[1] is None else str(row[1]))

    def topics(self, slug: str) -> set[str]:
        """Topics already used by ``slug``'s runs, case-folded."""
        rows = self.conn.execute("SELECT topic FROM schedule_runs WHERE show_slug = ?", (slug,))
        return {str(row[0]).casefold() for row in rows}

    def claim(self, slug: str, due_at: str, topic: str, key: str, at: float) -> bool:
        """Record the slot and topic as taken; ``False`` when another run took either first."""
        try:
            with transaction(self.conn):
                self.conn.execute(
                    "INSERT INTO schedule_runs (show_slug, due_at, topic, job_key, claimed_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (slug, due_at, topic, key, at),
                )
        except IntegrityError:
            return False
        except DatabaseError as exc:
            raise StoreError(
                f"cannot record the schedule run ({exc})", hint="check the store is writable"
            ) from exc
        return True

    def release(self, slug: str, due_at: str) -> None:
        """Give back a slot whose job was never enqueued (the topic with it)."""
        self.conn.execute(
            "DELETE FROM schedule_runs WHERE show_slug = ? AND due_at = ? AND job_id IS NULL", (slug, due_at)
        )

    def set_job(self, slug: str, due_at: str, job_id: str) -> None:
        """The slot's job was enqueued as ``job_id``."""
        self.conn.execute(
            "UPDATE schedule_runs SET job_id = ? WHERE show_slug = ? AND due_at = ?", (job_id, slug, due_at)
        )
