"""Long work started from a page (write and render an episode, render a tier, rewrite a segment), run
on the server's event loop while the page follows it over server-sent events.

A run appends events (a stage started or finished, chunks voiced, done, failed); a page that
subscribes late gets every event from the first, so a reload never loses progress. Model
inference and synthesis run in the Python API's worker threads; their callbacks hand events to the
loop with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from podwright.core import PodwrightError

__all__ = ["Run", "RunBoard"]


@dataclass
class Run:
    """One piece of long work and what it has reported so far."""

    id: str
    what: str
    episode_key: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    state: str = "running"
    """``running``, ``done``, ``failed`` or ``cancelled``."""
    error: str | None = None
    task: asyncio.Task[None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    """Set by a cancel: work in a worker thread checks it between steps and stops there."""
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    started_at: float = field(default_factory=time.time)

    def add(self, kind: str, **data: Any) -> None:
        """Record an event and wake the pages following this run (call on the loop's thread)."""
        self.events.append({"kind": kind, "at": round(time.time() - self.started_at, 2), **data})
        self.changed.set()


Work = Callable[[Run, Callable[..., None]], Awaitable[None]]
"""A run's body: it gets the run and a thread-safe ``report(kind, **data)``."""


class RunBoard:
    """Every run of this studio process (runs are not stored: a restart forgets them, not their work)."""

    def __init__(self) -> None:
        self.runs: dict[str, Run] = {}
        self._ids = itertools.count(1)

    def start(self, what: str, work: Work, *, episode_key: str | None = None) -> Run:
        """Start ``work`` on the running loop; returns its run at once."""
        loop = asyncio.get_running_loop()
        run = Run(id=f"r{next(self._ids)}", what=what, episode_key=episode_key)

        loop_thread = threading.get_ident()

        def report(kind: str, **data: Any) -> None:
            if threading.get_ident() == loop_thread:
                run.add(kind, **data)  # in order with the run's own events
            else:
                loop.call_soon_threadsafe(lambda: run.add(kind, **data))

        async def body() -> None:
            try:
                await work(run, report)
            except asyncio.CancelledError:
                run.state = "cancelled"
                run.add("cancelled")
                raise
            except PodwrightError as exc:
                run.state, run.error = "failed", exc.message
                run.add("failed", message=exc.message, hint=exc.hint)
            except Exception as exc:  # a bug must still end the run visibly, never hang the page
                run.state, run.error = "failed", f"{exc.__class__.__name__}: {exc}"
                run.add("failed", message=run.error, hint="see the studio's log")
            else:
                run.state = "done"
                run.add("done", episode=run.episode_key)

        self.runs[run.id] = run
        run.task = loop.create_task(body())
        return run

    def get(self, run_id: str) -> Run | None:
        """The run ``run_id``, if this process started it."""
        return self.runs.get(run_id)

    def active_for(self, episode_key: str) -> Run | None:
        """The running run of an episode, if any."""
        for run in reversed(self.runs.values()):
            if run.episode_key == episode_key and run.state == "running":
                return run
        return None

    def cancel(self, run_id: str) -> Run | None:
        """Cancel a running run: its task now, and its synthesis in a worker thread after the batch in
        hand (the run's ``stop``), so nothing is rendered or recorded after a cancel."""
        run = self.runs.get(run_id)
        if run is not None and run.task is not None and not run.task.done():
            run.stop.set()
            run.task.cancel()
        return run

    async def stream(self, run: Run) -> AsyncIterator[str]:
        """Server-sent events of ``run``: every event so far, then each new one, until it ends."""
        sent = 0
        while True:
            while sent < len(run.events):
                event = run.events[sent]
                sent += 1
                yield f"event: {event['kind']}\ndata: {json.dumps(event)}\n\n"
            if run.state != "running" and sent >= len(run.events):
                return
            run.changed.clear()
            try:
                await asyncio.wait_for(run.changed.wait(), timeout=15.0)
            except TimeoutError:
                yield ": keep-alive\n\n"
