"""Reusable pieces of the warm-vs-cold benchmark: N episodes in one warm session vs N fresh processes.

The warm run renders every staged episode in one :class:`RenderSession` (engine loaded once). Each
cold run stages one episode in a fresh store and renders it in a fresh worker process, so it pays
interpreter start, imports and the engine load every time. Billed seconds are the wall time a
per-second machine would bill: the session for the warm run, the whole process for a cold one.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from podwright.core import EpisodeRequest, JobError
from podwright.scheduler.session import RenderSession, SessionSettings
from podwright.scheduler.work import EpisodeRenderer
from podwright.store.db import connect
from podwright.store.jobs import JobStore

__all__ = ["RunFigures", "WarmColdFigures", "cold_run", "stage_episode", "warm_run"]


@dataclass(frozen=True, slots=True)
class RunFigures:
    """Wall, billed, active and cold-start seconds of one run."""

    wall_s: float
    billed_s: float
    active_s: float
    cold_start_s: float
    episodes: int

    @property
    def utilization(self) -> float:
        """Active ÷ billed."""
        return self.active_s / self.billed_s if self.billed_s > 0 else 0.0


@dataclass(frozen=True, slots=True)
class WarmColdFigures:
    """The warm run against the cold runs of the same episodes."""

    warm: RunFigures
    cold: tuple[RunFigures, ...]

    @property
    def wall_ratio(self) -> float:
        """Σ cold wall ÷ warm wall (how many times faster the warm session is)."""
        return sum(r.wall_s for r in self.cold) / self.warm.wall_s if self.warm.wall_s > 0 else 0.0

    @property
    def cold_utilization(self) -> float:
        """Σ active ÷ Σ billed over the cold runs."""
        billed = sum(r.billed_s for r in self.cold)
        return sum(r.active_s for r in self.cold) / billed if billed > 0 else 0.0


def stage_episode(
    jobs: JobStore, episode_dir: Path, *, episode_id: str, show_path: Path, word_count: int
) -> None:
    """Queue an episode whose script already sits in ``episode_dir`` and mark it staged."""
    request = EpisodeRequest(episode_id=episode_id, topic=episode_id)
    jobs.add(request, str(show_path), review=False, estimate_audio_s=word_count / 2.5, rtf=0.05)
    jobs.claim(episode_id, "stager", 60.0)
    jobs.finish_script(
        episode_id,
        "stager",
        episode_dir=str(episode_dir),
        word_count=word_count,
        estimate_audio_s=word_count / 2.5,
        estimate_compute_s=word_count / 2.5 * 0.05,
    )


def warm_run(db_path: Path, renderer: EpisodeRenderer, *, keep_alive_s: float = 0.0) -> RunFigures:
    """Render everything staged in ``db_path`` in one session; the renderer must not be loaded yet."""
    jobs = JobStore(connect(db_path))
    try:
        started = time.perf_counter()
        record = RenderSession(
            jobs=jobs,
            sessions=jobs.sessions,
            renderer=renderer,
            worker="bench-warm",
            open_jobs=lambda: JobStore(connect(db_path)),
            settings=SessionSettings(keep_alive_s=keep_alive_s, poll_s=0.01),
        ).run()
        wall = time.perf_counter() - started
    finally:
        jobs.close()
    return RunFigures(wall, record.billed_s, record.active_s, record.cold_start_s, record.episodes)


def cold_run(
    db_path: Path,
    renderer_spec: str,
    *,
    renderer_options: Mapping[str, str] | None = None,
    python: str = sys.executable,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 600.0,
) -> RunFigures:
    """Render what is staged in ``db_path`` in a fresh worker process.

    Billed = from the process's launch to the release of its render session (engine-free packaging
    after the release is not the render machine's); cold start = launch to session start plus the
    engine load.

    ``env`` is the process environment (``None`` inherits this one); the caller sets ``PYTHONPATH``
    when the renderer factory lives outside the installed packages.
    """
    command = [python, "-m", "podwright", "worker", "--db", str(db_path), "--burst"]
    command += ["--renderer", renderer_spec, "--keep-alive", "0", "--min-episodes", "1"]
    for key, value in (renderer_options or {}).items():
        command += ["--renderer-option", f"{key}={value}"]
    started, launched_at = time.perf_counter(), time.time()
    try:
        subprocess.run(
            command,
            check=True,
            timeout=timeout_s,
            env=dict(env) if env is not None else None,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        tail = (exc.stderr or b"")[-2000:].decode(errors="replace")
        raise JobError(
            f"cold worker process failed ({exc}): {tail}",
            hint="run the same command by hand to see the whole output",
        ) from exc
    wall = time.perf_counter() - started
    store = JobStore(connect(db_path))
    try:
        sessions = store.sessions.select()
    finally:
        store.close()
    # The machine is billed from the process launch (interpreter and imports are cold start too)
    # until its last session released it; packaging after that runs off the render machine.
    released = max((s.stopped_at or s.started_at for s in sessions), default=launched_at)
    boot = min((s.started_at for s in sessions), default=launched_at) - launched_at
    return RunFigures(
        wall_s=wall,
        billed_s=max(0.0, released - launched_at) if sessions else wall,
        active_s=sum(s.active_s for s in sessions),
        cold_start_s=max(0.0, boot) + sum(s.cold_start_s for s in sessions),
        episodes=sum(s.episodes for s in sessions),
    )
