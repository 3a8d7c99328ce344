"""Episode records in the store (SQLite or PostgreSQL): one row per episode, its latest render per
tier, and append-only events.

Each lifecycle method is one transaction that reads the state under a lock (SQLite's write lock, or the
row's ``FOR UPDATE`` lock in PostgreSQL),
checks the step is allowed (:data:`STEPS`), writes the new state and appends the event, so two
processes can never both publish, approve or fail the same episode from a stale view.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from podwright.core import EpisodeError, Tier
from podwright.core.lifecycle import EpisodeEvent, EpisodeRecord, EpisodeState, RenderRecord, episode_key
from podwright.store.database import Database, ResultRow
from podwright.store.db import transaction

__all__ = ["STEPS", "SQLiteEpisodeBook"]

S = EpisodeState
_OPEN = frozenset(S) - {S.PUBLISHED, S.FAILED, S.CANCELLED}

#: Which states each lifecycle step may start from.
STEPS: dict[str, frozenset[EpisodeState]] = {
    "script": frozenset(S) - {S.PUBLISHED},
    "render": frozenset(S) - {S.FAILED, S.CANCELLED},
    "approve": frozenset({S.DRAFT_RENDERED, S.IN_REVIEW, S.APPROVED, S.FINAL_RENDERED}),
    "publish": frozenset({S.DRAFT_RENDERED, S.IN_REVIEW, S.APPROVED, S.FINAL_RENDERED, S.PUBLISHED}),
    "unpublish": frozenset({S.PUBLISHED}),
    "fail": _OPEN,
    "cancel": _OPEN,
}

_HINTS = {
    "script": "unpublish it first (`podwright unpublish EPISODE`), then write a new script",
    "render": "a failed or cancelled episode needs a new script first (`podwright script`)",
    "approve": "render a draft first (`podwright render EPISODE --tier draft`), then approve it",
    "publish": "render it and approve it first (`podwright approve EPISODE`)",
    "unpublish": "only a published episode can be unpublished",
    "fail": "it is already finished",
    "cancel": "a published episode is unpublished, not cancelled (`podwright unpublish EPISODE`)",
}


class SQLiteEpisodeBook:
    """The :class:`~podwright.core.lifecycle.EpisodeBook` on a connection from ``store.db.connect``."""

    def __init__(self, conn: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.conn = conn
        self.clock = clock

    # -- reading ---------------------------------------------------------------------------------

    def get(self, key: str) -> EpisodeRecord:
        """The episode ``key``."""
        row = self.conn.execute("SELECT * FROM episodes WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise EpisodeError(f"no episode {key!r}", hint="see `podwright episodes` for episode ids")
        return self._record(row)

    def find(self, show_slug: str | None = None) -> list[EpisodeRecord]:
        """Every episode (of ``show_slug``), newest first."""
        if show_slug is None:
            rows = self.conn.execute("SELECT * FROM episodes ORDER BY created_at DESC, key").fetchall()
        else:
            rows = self.conn.execute(
                "SELECT * FROM episodes WHERE show_slug = ? ORDER BY created_at DESC, key", (show_slug,)
            ).fetchall()
        return [self._record(row) for row in rows]

    def keys(self) -> list[str]:
        """Every episode key (what a unique-prefix lookup searches)."""
        return [row[0] for row in self.conn.execute("SELECT key FROM episodes ORDER BY key")]

    def events(self, key: str) -> list[EpisodeEvent]:
        """The lifecycle events of ``key``, oldest first."""
        rows = self.conn.execute("SELECT * FROM episode_events WHERE key = ? ORDER BY id", (key,))
        return [EpisodeEvent.model_validate(dict(row)) for row in rows]

    # -- lifecycle: each public step is one transaction around its ``apply_`` form ----------------

    def record_script(
        self,
        *,
        show_slug: str,
        episode_id: str,
        title: str,
        topic: str | None,
        sources: tuple[str, ...],
        folder: str,
        script_sha: str,
        actor: str,
        job_id: str | None = None,
    ) -> EpisodeRecord:
        """A script was written: a new record, or the existing one back to ``scripted``."""
        key = episode_key(show_slug, episode_id)
        with transaction(self.conn):
            self.apply_script(
                key,
                show_slug=show_slug,
                episode_id=episode_id,
                title=title,
                topic=topic,
                sources=sources,
                folder=folder,
                script_sha=script_sha,
                actor=actor,
                job_id=job_id,
            )
        return self.get(key)

    def record_render(
        self, key: str, render: RenderRecord, *, actor: str, review: bool = False
    ) -> EpisodeRecord:
        """A tier was rendered; the new render replaces that tier's record only."""
        with transaction(self.conn):
            self.apply_render(key, render, actor=actor, review=review)
        return self.get(key)

    def approve(self, key: str, *, actor: str, script_sha: str) -> EpisodeRecord:
        """Approve the script ``script_sha``; with a final render of it already made, it stays final."""
        with transaction(self.conn):
            self.apply_approve(key, actor=actor, script_sha=script_sha)
        return self.get(key)

    def publish(self, key: str, tier: Tier, *, actor: str, require_approval: bool = True) -> EpisodeRecord:
        """Put the ``tier`` render in the feed (approved, unless ``require_approval`` is off)."""
        with transaction(self.conn):
            record = self._locked(key)
            self._check(key, record.state, "publish")
            render = record.renders.get(tier)
            if render is None:
                raise EpisodeError(
                    f"episode {key!r} has no {tier.value} render to publish",
                    hint=f"render it first: `podwright render EPISODE --tier {tier.value}`",
                )
            if require_approval and not (record.approved and render.script_sha == record.approved_script_sha):
                raise EpisodeError(
                    f"episode {key!r} is not approved"
                    + (" (its script changed since approval)" if record.approved_at else ""),
                    hint="listen to it, then `podwright approve EPISODE`",
                )
            self._set(
                key, state=S.PUBLISHED, published_by=actor, published_at=self.clock(), published_tier=tier
            )
            self._event(key, record.state, S.PUBLISHED, actor, f"published ({tier.value})")
        return self.get(key)

    def unpublish(self, key: str, *, actor: str) -> EpisodeRecord:
        """Out of the feed: back to ``final_rendered`` (or the draft state it was published from)."""
        with transaction(self.conn):
            record = self._locked(key)
            self._check(key, record.state, "unpublish")
            if Tier.FINAL in record.renders:
                state = S.FINAL_RENDERED
            else:
                state = S.APPROVED if record.approved else S.DRAFT_RENDERED
            self._set(key, state=state, published_by=None, published_at=None, published_tier=None)
            self._event(key, S.PUBLISHED, state, actor, "unpublished")
        return self.get(key)

    def fail(self, key: str, error: str, *, actor: str) -> EpisodeRecord:
        """The episode's production failed with ``error``."""
        with transaction(self.conn):
            self.apply_end(key, S.FAILED, actor=actor, error=error)
        return self.get(key)

    def cancel(self, key: str, *, actor: str) -> EpisodeRecord:
        """The producer cancelled the episode."""
        with transaction(self.conn):
            self.apply_end(key, S.CANCELLED, actor=actor, error=None)
        return self.get(key)

    # -- steps inside a caller's transaction (the job store moves jobs and episodes together) ------

    def exists(self, key: str) -> bool:
        """Whether the store has a record for ``key``."""
        return self.conn.execute("SELECT 1 FROM episodes WHERE key = ?", (key,)).fetchone() is not None

    def apply_script(
        self,
        key: str,
        *,
        show_slug: str,
        episode_id: str,
        title: str,
        topic: str | None,
        sources: tuple[str, ...],
        folder: str,
        script_sha: str,
        actor: str,
        job_id: str | None,
    ) -> None:
        """:meth:`record_script` inside the caller's open transaction."""
        now = self.clock()
        row = self.conn.execute(
            "SELECT state, job_id FROM episodes WHERE key = ? FOR UPDATE", (key,)
        ).fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO episodes (key, show_slug, episode_id, title, topic, sources_json, folder,"
                " state, script_sha, job_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    show_slug,
                    episode_id,
                    title,
                    topic,
                    json.dumps(list(sources)),
                    folder,
                    S.SCRIPTED.value,
                    script_sha,
                    job_id,
                    now,
                    now,
                ),
            )
            self._event(key, None, S.SCRIPTED, actor, "script written")
            return
        current = self._check(key, S(row["state"]), "script")
        self._set(
            key,
            state=S.SCRIPTED,
            title=title,
            topic=topic,
            sources_json=json.dumps(list(sources)),
            folder=folder,
            script_sha=script_sha,
            job_id=job_id or row["job_id"],
            error=None,
        )
        self._event(key, current, S.SCRIPTED, actor, "script written again")

    def apply_render(self, key: str, render: RenderRecord, *, actor: str, review: bool = False) -> None:
        """:meth:`record_render` inside the caller's open transaction."""
        record = self._locked(key)
        self._check(key, record.state, "render")
        if record.state is S.PUBLISHED and record.published_tier is render.tier:
            raise EpisodeError(
                f"episode {key!r} is published with its {render.tier.value} render",
                hint="unpublish it first (`podwright unpublish EPISODE`), then render it again",
            )
        self.conn.execute(
            "INSERT INTO episode_renders (key, tier, folder, files_json, audio_s, compute_s,"
            " cost_usd, script_sha, rendered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (key, tier) DO UPDATE SET folder = excluded.folder,"
            " files_json = excluded.files_json,"
            " audio_s = excluded.audio_s, compute_s = excluded.compute_s, cost_usd = excluded.cost_usd,"
            " script_sha = excluded.script_sha, rendered_at = excluded.rendered_at",
            (
                key,
                render.tier.value,
                render.folder,
                json.dumps(list(render.files)),
                render.audio_s,
                render.compute_s,
                render.cost_usd,
                render.script_sha,
                render.rendered_at,
            ),
        )
        state = _after_render(record, render, review=review)
        self._set(key, state=state, script_sha=render.script_sha, error=None)
        self._event(key, record.state, state, actor, f"{render.tier.value} rendered")

    def apply_approve(self, key: str, *, actor: str, script_sha: str) -> None:
        """:meth:`approve` inside the caller's open transaction."""
        record = self._locked(key)
        self._check(key, record.state, "approve")
        final = record.renders.get(Tier.FINAL)
        state = S.FINAL_RENDERED if final is not None and final.script_sha == script_sha else S.APPROVED
        self._set(
            key,
            state=state,
            script_sha=script_sha,
            approved_by=actor,
            approved_at=self.clock(),
            approved_script_sha=script_sha,
        )
        self._event(key, record.state, state, actor, "approved")

    def apply_end(self, key: str, state: EpisodeState, *, actor: str, error: str | None) -> None:
        """Fail or cancel inside the caller's open transaction."""
        record = self._locked(key)
        self._check(key, record.state, "fail" if state is S.FAILED else "cancel")
        self._set(key, state=state, error=error)
        self._event(key, record.state, state, actor, error or "")

    # -- internals -------------------------------------------------------------------------------

    def _locked(self, key: str) -> EpisodeRecord:
        """The record, its row locked until the transaction ends (PostgreSQL; SQLite holds the write lock)."""
        self.conn.execute("SELECT 1 FROM episodes WHERE key = ? FOR UPDATE", (key,))
        return self.get(key)

    def _check(self, key: str, state: EpisodeState, step: str) -> EpisodeState:
        if state not in STEPS[step]:
            raise EpisodeError(f"episode {key!r} is {state.value}: it cannot {step}", hint=_HINTS[step])
        return state

    def _event(
        self, key: str, before: EpisodeState | None, after: EpisodeState, actor: str, note: str
    ) -> None:
        self.conn.execute(
            "INSERT INTO episode_events (key, from_state, to_state, actor, at, note)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (key, before.value if before else None, after.value, actor, self.clock(), note),
        )

    def _set(self, key: str, **fields: object) -> None:
        values = {k: (v.value if isinstance(v, (S, Tier)) else v) for k, v in fields.items()}
        values["updated_at"] = self.clock()
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.conn.execute(f"UPDATE episodes SET {assignments} WHERE key = ?", [*values.values(), key])

    def _record(self, row: ResultRow) -> EpisodeRecord:
        data = dict(row)
        data["sources"] = tuple(json.loads(data.pop("sources_json")))
        renders = self.conn.execute("SELECT * FROM episode_renders WHERE key = ?", (data["key"],))
        data["renders"] = {
            Tier(r["tier"]): RenderRecord(
                tier=Tier(r["tier"]),
                folder=r["folder"],
                files=tuple(json.loads(r["files_json"])),
                audio_s=r["audio_s"],
                compute_s=r["compute_s"],
                cost_usd=r["cost_usd"],
                script_sha=r["script_sha"],
                rendered_at=r["rendered_at"],
            )
            for r in renders
        }
        return EpisodeRecord.model_validate(data)


def _after_render(record: EpisodeRecord, render: RenderRecord, *, review: bool) -> EpisodeState:
    """The state a render leads to: a final render is final; a draft keeps an approval of the same script."""
    if record.state is S.PUBLISHED:
        return S.PUBLISHED  # the other tier was re-rendered; what listeners hear is unchanged
    if render.tier is Tier.FINAL:
        return S.FINAL_RENDERED
    unchanged = record.approved_script_sha == render.script_sha
    if unchanged and record.state in (S.APPROVED, S.FINAL_RENDERED):
        return record.state
    return S.IN_REVIEW if review else S.DRAFT_RENDERED
