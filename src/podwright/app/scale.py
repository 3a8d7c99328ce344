"""Render beyond this process through the Python API: a Ray worker and Modal dispatches.

``podwright worker --backend ray`` lands in :func:`run_ray_worker`: this process stages scripts (the
local worker with render sessions turned off) while one actor per GPU renders from the shared store.
``podwright modal dispatch`` lands in :func:`modal_dispatch`: stage here, then one batch per container.
:func:`open_jobs` is the one place a backend's store opener is made.
Everything an actor needs crosses to it pickled: the store opener and a renderer factory built from
module-level callables, never a live connection.
"""

from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from podwright.app.qa import take_review
from podwright.app.queue_desk import WorkerOptions
from podwright.app.wiring import engine_options
from podwright.core import ConfigError

if TYPE_CHECKING:
    from podwright.app.studio import Studio
    from podwright.backends.modal_dispatch import DispatchSummary, Submit
    from podwright.backends.ray_actors import ActorSummary
    from podwright.backends.stores import JobsOpener
    from podwright.core import RenderSettings
    from podwright.scheduler.session import SessionSettings
    from podwright.scheduler.work import EpisodeRenderer
    from podwright.scheduler.worker import Worker

__all__ = [
    "ModalOptions",
    "RayRun",
    "modal_dispatch",
    "open_jobs",
    "renderer_factory",
    "run_ray_worker",
    "session_settings",
    "stage_scripts",
]


@dataclass(frozen=True, slots=True)
class RayRun:
    """What a Ray worker did: the scripts this process staged and each actor's sessions."""

    scripted: int
    actors: tuple[ActorSummary, ...]


def open_jobs(studio: Studio) -> JobsOpener:
    """The one opener every backend gets for this studio's store (actors and dispatchers alike)."""
    from podwright.backends.stores import SharedJobs

    return SharedJobs(studio.settings.store)


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
    stager = _script_only_worker(studio, replace(options, worker_id=f"{prefix}-stager"), on_status)
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
        summaries = serve_actors(handles, burst=options.burst, on_lost=on_status)
    finally:
        stager.stop()
        thread.join()
    if failure:
        raise failure[0]
    return RayRun(scripted=sum(staged), actors=tuple(summaries))


@dataclass(frozen=True, slots=True)
class ModalOptions:
    """How ``podwright modal dispatch`` runs; unset GPU, batch size and keep-alive come from the
    staged shows' ``[render]`` tables, then from the planner."""

    gpu: str | None = None
    batch_size: int | None = None
    keep_alive_s: float | None = None
    offline: bool = False
    """Stage queued scripts with the embedded local model first."""
    lease_s: float = 600.0
    """Lease of each dispatched job, renewed while its container renders."""
    prices: Path | None = None
    worker_id: str | None = None


def modal_dispatch(
    studio: Studio,
    options: ModalOptions,
    *,
    has_token: bool,
    submit: Submit | None = None,
    on_status: Callable[[str], None] | None = None,
) -> DispatchSummary:
    """Stage queued scripts here, then render every staged episode in warm Modal containers.

    Without a Modal token (``has_token`` comes from the interface layer, which reads the
    environment) this fails before anything is staged, claimed or sent; ``submit`` replaces the
    deployed class (tests pass the class's ``.local``).
    """
    from podwright.backends.modal_dispatch import dispatch, plan_dispatch
    from podwright.scheduler.planner import PriceTable
    from podwright.scheduler.session import SessionSettings

    if submit is None and not has_token:
        raise ConfigError(
            "no Modal token: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET, or run `modal token new`",
            hint="then `modal deploy -m podwright.backends.modal_app` once, and dispatch again",
        )
    worker = options.worker_id or f"modal-{socket.gethostname()}"
    scripted = stage_scripts(studio, WorkerOptions(offline=options.offline, worker_id=f"{worker}-stager"))
    if on_status is not None and scripted:
        on_status(f"staged {scripted} scripts here")
    render, engines = _staged_render_settings(studio)
    plan = plan_dispatch(
        PriceTable.load(options.prices),
        gpu=options.gpu or render.gpu,
        batch_size=options.batch_size or render.batch_size,
        keep_alive_s=options.keep_alive_s if options.keep_alive_s is not None else render.keep_alive_s,
    )
    if submit is None:
        from podwright.backends.modal_app import deployed_submit

        submit = deployed_submit(",".join(engines))
    lease = options.lease_s
    return dispatch(
        open_jobs(studio),
        submit,
        plan=plan,
        worker=worker,
        settings=SessionSettings(lease_s=lease, heartbeat_s=max(lease / 4, 0.1)),
    )


def stage_scripts(studio: Studio, options: WorkerOptions) -> int:
    """Write every queued script here (a worker that never opens a render session); returns the count."""
    from podwright.core.jobs import JobState

    waiting = (JobState.QUEUED, JobState.SCRIPTING)
    jobs = open_jobs(studio)()
    try:
        if not jobs.has_open_work(waiting):
            return 0
        stager = _script_only_worker(studio, options, None)
        done: list[int] = []
        thread = threading.Thread(target=lambda: done.append(stager.run().scripted), name="stager")
        thread.start()
        try:
            while thread.is_alive() and jobs.has_open_work(waiting):
                thread.join(stager.settings.poll_s)
        finally:
            stager.stop()
            thread.join()
        return sum(done)
    finally:
        jobs.close()


def _script_only_worker(
    studio: Studio, options: WorkerOptions, on_status: Callable[[str], None] | None
) -> Worker:
    """The local worker with its render sessions switched off: it only stages scripts here."""
    worker = studio.queue.worker(options, on_status=on_status)
    worker.settings = replace(worker.settings, trigger=replace(worker.settings.trigger, renders=False))
    return worker


def _staged_render_settings(studio: Studio) -> tuple[RenderSettings, tuple[str, ...]]:
    """The ``[render]`` table the staged episodes' shows agree on, and the engines their voices use."""
    from podwright.core import RenderSettings, Show
    from podwright.core.jobs import JobState

    jobs = open_jobs(studio)()
    try:
        staged = jobs.select([JobState.SCRIPTED])
    finally:
        jobs.close()
    tables: set[RenderSettings] = set()
    engines: dict[str, None] = {}
    for job in staged:
        snapshot = Path(str(job.episode_dir)) / "show.json"
        if not snapshot.is_file():
            continue
        show = Show.model_validate_json(snapshot.read_text(encoding="utf-8"))
        tables.add(show.render)
        engines.update(dict.fromkeys(host.voices[job.render_tier].engine for host in show.hosts))
    if len(tables) > 1:
        raise ConfigError(
            "the staged episodes' shows set different [render] tables",
            hint="pass --gpu, --batch-size and --keep-alive to choose for this dispatch",
        )
    return (tables.pop() if tables else RenderSettings()), tuple(engines)
