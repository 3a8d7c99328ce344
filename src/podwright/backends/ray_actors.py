"""Render actors on a Ray cluster: one long-lived actor per GPU, engines warm, work from the store.

Each actor loads its engines once when it starts, then runs render sessions (the local worker's own
:class:`~podwright.scheduler.session.RenderSession`) against the shared store: claims, leases,
heartbeats, shortest-first order with aging and lease recovery all stay in the database, so an actor
that dies loses only the episode in flight, which another actor takes back after its lease expires.

Ray is imported only inside :func:`connect_ray` and :func:`start_actors` (the ``podwright[ray]``
extra). The address is checked with a short TCP connect first: ``ray.init`` would otherwise wait
for a minute or more on an address nobody answers.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from podwright.backends.stores import JobsOpener, close, session_store
from podwright.core import ConfigError
from podwright.core.jobs import JobState
from podwright.scheduler.session import RenderSession, SessionSettings
from podwright.scheduler.work import EpisodeRenderer, RenderOutcome

__all__ = [
    "ActorSummary",
    "RenderActor",
    "WarmRenderer",
    "check_reachable",
    "connect_ray",
    "serve_actors",
    "start_actors",
]

RendererFactory = Callable[[], EpisodeRenderer]
"""Builds an actor's renderer where the actor runs (it crosses to the actor pickled)."""


@dataclass(frozen=True, slots=True)
class ActorSummary:
    """What one actor did: its worker name, engine-load seconds and the sessions it ran."""

    worker: str
    load_s: float
    sessions: tuple[int, ...]


class WarmRenderer:
    """A renderer whose engines were loaded before any session opened (the actor's start).

    The first session's :meth:`load` reports those seconds, so the cold start is billed to the first
    session that used it; later sessions find the engines warm.
    """

    def __init__(self, renderer: EpisodeRenderer) -> None:
        self.renderer = renderer
        self.device = renderer.device
        self._pending_s = renderer.load()
        self.load_s = self._pending_s

    def load(self) -> float:
        """The start-up load the first time, then whatever the renderer still has to load (usually 0)."""
        seconds, self._pending_s = self._pending_s, 0.0
        return seconds + self.renderer.load()

    def render(self, job: Any) -> RenderOutcome:
        """Render with the warm engines."""
        return self.renderer.render(job)


class RenderActor:
    """The body of one Ray actor: warm engines and a loop of render sessions on the shared store.

    Plain Python (Ray wraps it in :func:`start_actors`), so tests and the Modal-free path can drive
    it directly too.
    """

    def __init__(
        self,
        open_jobs: JobsOpener,
        renderer_factory: RendererFactory,
        *,
        worker: str,
        settings: SessionSettings,
        poll_s: float = 0.2,
    ) -> None:
        self.open_jobs = open_jobs
        self.worker = worker
        self.settings = settings
        self.poll_s = poll_s
        self.renderer = WarmRenderer(renderer_factory())
        self._stop = threading.Event()

    def ready(self) -> float:
        """Seconds the engines took to load (the call returns once the actor is up)."""
        return self.renderer.load_s

    def stop(self) -> None:
        """End after the episode in hand (the actor is threaded, so this arrives during :meth:`serve`)."""
        self._stop.set()

    def serve(self, *, burst: bool) -> ActorSummary:
        """Render staged work until stopped, or (``burst``) until no job in the store is open."""
        jobs = self.open_jobs()
        sessions: list[int] = []
        try:
            # Restarted under the same name: whatever that name held died with the old actor.
            jobs.reclaim_own(self.worker, max_attempts=self.settings.max_attempts)
            while not self._stop.is_set():
                jobs.recover_expired(max_attempts=self.settings.max_attempts)
                if jobs.select([JobState.SCRIPTED]):
                    session = RenderSession(
                        jobs=jobs,
                        sessions=session_store(jobs),
                        renderer=self.renderer,
                        worker=self.worker,
                        open_jobs=self.open_jobs,
                        settings=self.settings,
                        stop=self._stop,
                    )
                    sessions.append(session.run().id)
                    continue
                if burst and not jobs.has_open_work():
                    break
                self._stop.wait(self.poll_s)
        finally:
            close(jobs)
        return ActorSummary(self.worker, self.renderer.load_s, tuple(sessions))


def check_reachable(address: str, *, timeout_s: float = 3.0) -> None:
    """Fail fast, with one line, when nobody answers at ``host:port`` (``auto``/``local`` pass)."""
    if address in ("auto", "local"):
        return
    target = address.removeprefix("ray://")
    host, _, port_text = target.rpartition(":")
    if not host or not port_text.isdigit():
        raise ConfigError(
            f"Ray address {address!r} is not host:port",
            hint="pass the head node's GCS address, e.g. --address 10.0.0.5:6379 (or auto)",
        )
    try:
        with socket.create_connection((host, int(port_text)), timeout=timeout_s):
            pass
    except OSError as exc:
        raise ConfigError(
            f"no Ray cluster answers at {address} ({exc.strerror or exc})",
            hint="start one with `ray start --head` and pass the address it prints",
        ) from None


def connect_ray(address: str) -> None:
    """Join the cluster at ``address`` (once per process); unreachable addresses fail in seconds."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError("Ray is not installed", hint="pip install 'podwright[ray]'") from exc
    if ray.is_initialized():
        return
    check_reachable(address)
    try:
        ray.init(address=None if address == "local" else address, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(
            f"cannot join the Ray cluster at {address} ({exc})",
            hint="start one with `ray start --head` and pass the address it prints (same Ray, same Python)",
        ) from None


def start_actors(
    open_jobs: JobsOpener,
    renderer_factory: RendererFactory,
    *,
    actors: int | None,
    settings: SessionSettings,
    worker_prefix: str,
    ready_timeout_s: float = 600.0,
) -> list[Any]:
    """Start ``actors`` render actors (default: one per GPU in the cluster) and wait until each is warm.

    Each actor takes one GPU. Asking for more actors than the cluster has GPUs is refused at once,
    since Ray would otherwise leave the extra actors pending forever.
    """
    import ray

    gpus = int(float(ray.cluster_resources().get("GPU", 0.0)))  # type: ignore[no-untyped-call]
    count = gpus if actors is None else actors
    if count < 1 or count > gpus:
        raise ConfigError(
            f"the Ray cluster has {gpus} GPU{'s' if gpus != 1 else ''} for {count or 'any'} render actors",
            hint="add GPU nodes (`ray start --num-gpus N` advertises them), or pass fewer --actors",
        )
    # max_concurrency=2: stop() must reach an actor while serve() runs.
    remote = ray.remote(RenderActor).options(num_gpus=1, num_cpus=0, max_concurrency=2)
    handles: list[Any] = [
        remote.remote(open_jobs, renderer_factory, worker=f"{worker_prefix}-{index}", settings=settings)
        for index in range(count)
    ]
    try:
        ray.get([handle.ready.remote() for handle in handles], timeout=ready_timeout_s)
    except ray.exceptions.GetTimeoutError:
        for handle in handles:
            ray.kill(handle)
        raise ConfigError(
            f"the render actors were not warm after {ready_timeout_s:.0f} s",
            hint="the cluster's GPUs may be held by other jobs: see `ray status`",
        ) from None
    return handles


def serve_actors(
    handles: Sequence[Any], *, burst: bool, on_lost: Callable[[str], None] | None = None
) -> list[ActorSummary]:
    """Run every actor's session loop until it ends; Ctrl-C stops them after the episode in hand.

    An actor that dies (killed, out of memory, its node lost) does not stop the others: its job
    comes back through its lease, and ``on_lost`` hears of it.
    """
    import ray

    pending = [handle.serve.remote(burst=burst) for handle in handles]
    summaries: list[ActorSummary] = []
    try:
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            try:
                summaries.append(ray.get(done[0]))
            except ray.exceptions.RayActorError as exc:
                if on_lost is not None:
                    on_lost(
                        f"a render actor was lost ({type(exc).__name__}); its job returns after its lease"
                    )
    except KeyboardInterrupt:
        for handle in handles:
            with contextlib.suppress(ray.exceptions.RayActorError):
                ray.get(handle.stop.remote())
        ray.wait(pending, num_returns=len(pending))
        raise
    return summaries
