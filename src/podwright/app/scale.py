"""Render beyond this process through the Python API: a Ray worker and Modal dispatches.

``podwright worker --backend ray`` lands in :func:`run_ray_worker`: this process stages scripts (the
local worker with render sessions turned off) while one actor per GPU renders from the shared store.
Everything an actor needs crosses to it pickled: the store opener and a renderer factory built from
module-level callables, never a live connection.
"""

from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from podwright.app.qa import take_review
from podwright.app.wiring import engine_options

if TYPE_CHECKING:
    from podwright.app.queue_desk import WorkerOptions
    from podwright.app.studio import Studio
    from podwright.backends.ray_actors import ActorSummary
    from podwright.backends.stores import JobsOpener
    from podwright.scheduler.session import SessionSettings
    from podwright.scheduler.work import EpisodeRenderer

__all__ = ["RayRun", "open_jobs", "renderer_factory", "run_ray_worker", "session_settings"]


@dataclass(frozen=True, slots=True)
class RayRun:
    """What a Ray worker did: the scripts this process staged and each actor's sessions."""

    scripted: int
    actors: tuple[ActorSummary, ...]


def open_jobs(studio: Studio) -> JobsOpener:
    """The one opener every backend gets for this studio's store (actors and dispatchers alike)."""
    from podwright.backends.stores import SQLiteJobs

    return SQLiteJobs(studio.settings.db_path)


def session_settings(options: WorkerOptions) -> SessionSettings:
    """Lease, heartbeat and keep-alive of the sessions a worker's options ask for."""
    from podwright.scheduler.session import SessionSettings

    lease = options.lease_s
    return SessionSettings(
        keep_alive_s=options.keep_alive_s,
        lease_s=lease,
        heartbeat_s=options.heartbeat_s or max(lease / 4, 0.1),
    )


def renderer_factory(studio: Studio, options: WorkerOptions) -> Callable[[], EpisodeRenderer]:
    """A picklable factory of the renderer a remote actor builds: the plug-in, or the real pipeline.

    The real pipeline reads each episode's show snapshot from its folder (the show file may not
    exist where the actor runs) and resolves engine keys from the actor's own environment.
    """
    from podwright.scheduler.work import PipelineRenderer, load_object

    if options.renderer:
        factory: Callable[..., EpisodeRenderer] = load_object(options.renderer)
        return functools.partial(factory, **dict(options.renderer_options))
    settings = studio.settings
    return functools.partial(
        PipelineRenderer,
        None,
        settings.chunk_cache_dir,
        device=options.device,
        engine_options=functools.partial(engine_options, keys=settings.keys),
        overlap_packaging=not options.package_inline,
        take_review=functools.partial(take_review, settings),
    )


def run_ray_worker(
    studio: Studio, options: WorkerOptions, *, on_status: Callable[[str], None] | None = None
) -> RayRun:
    """Join the cluster, start the render actors, stage scripts here until the actors are done.

    An address nobody answers fails in seconds with one line, before any job is claimed.
    """
    from podwright.backends.ray_actors import connect_ray, serve_actors, start_actors

    connect_ray(options.address or "auto")
    prefix = options.worker_id or f"ray-{socket.gethostname()}"
    handles = start_actors(
        open_jobs(studio),
        renderer_factory(studio, options),
        actors=options.actors,
        settings=session_settings(options),
        worker_prefix=prefix,
    )
    if on_status is not None:
        on_status(f"{len(handles)} render actors warm on the Ray cluster")
    # This process only stages scripts: its trigger never opens a session, the actors render.
    stager = studio.queue.worker(replace(options, worker_id=f"{prefix}-stager"), on_status=on_status)
    stager.settings = replace(stager.settings, trigger=replace(stager.settings.trigger, renders=False))
    failure: list[BaseException] = []
    staged: list[int] = []

    def stage() -> None:
        try:
            staged.append(stager.run().scripted)
        except BaseException as exc:  # surfaced below, in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=stage, name="ray-stager", daemon=True)
    thread.start()
    try:
        summaries = serve_actors(handles, burst=options.burst)
    finally:
        stager.stop()
        thread.join()
    if failure:
        raise failure[0]
    return RayRun(scripted=sum(staged), actors=tuple(summaries))
