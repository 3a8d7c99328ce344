"""The container side of a serverless render, without Modal: a staged batch in, files and timings out.

A Modal container cannot see the dispatcher's disk, so an episode travels as its staged files (the
script and the show snapshot) and comes back as the files its render wrote. :class:`BatchRenderer`
is what the Modal class runs after ``@modal.enter`` has loaded the engines; tests run it (and the
Modal class through ``.local()``) with the CPU voices.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from podwright.core import Tier
from podwright.core.files import atomic_write_bytes
from podwright.core.jobs import JobRecord
from podwright.scheduler.work import EpisodeRenderer

__all__ = ["BatchRenderer", "BatchResult", "EpisodeResult", "StagedEpisode", "staged_files"]

#: Folders of an episode that a render writes, never sent to a container (a final render of an
#: approved draft does not need the draft's audio).
_RENDER_FOLDERS = frozenset(tier.value for tier in Tier) | {"chunks"}


@dataclass(frozen=True, slots=True)
class StagedEpisode:
    """One staged job as it travels to a container: the job record and its folder's staged files."""

    job_json: str
    files: dict[str, bytes]
    """Path inside the episode folder → content (``script.json``, ``show.json``, ``images/…``)."""

    @property
    def job(self) -> JobRecord:
        """The job record."""
        return JobRecord.model_validate_json(self.job_json)


@dataclass(frozen=True, slots=True)
class EpisodeResult:
    """What rendering one episode of a batch produced, in the container's own clock."""

    job_id: str
    started_at: float
    ended_at: float
    audio_s: float = 0.0
    compute_s: float = 0.0
    chunks_synthesized: int = 0
    chunks_cached: int = 0
    load_s: float = 0.0
    files: dict[str, bytes] = field(default_factory=dict)
    """Files the render wrote, by path inside the episode folder (``draft/episode.mp3``…)."""
    render_json: str | None = None
    """The render record, its ``folder`` relative to the episode folder."""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One container call: which container, when it started and loaded, and each episode's result."""

    container: str
    device: str
    entered_at: float
    """When the container's ``@modal.enter`` began (its first moment we can see)."""
    load_s: float
    """Engine-loading seconds at enter (the cold start past the container's own boot)."""
    call_started_at: float
    call_ended_at: float
    episodes: tuple[EpisodeResult, ...]
    first_call: bool
    """Whether this call was the container's first (its cold start belongs to this call's session)."""


def staged_files(episode_dir: Path) -> dict[str, bytes]:
    """Every staged file of an episode folder, render outputs excluded."""
    files: dict[str, bytes] = {}
    for path in sorted(episode_dir.rglob("*")):
        rel = path.relative_to(episode_dir)
        if path.is_file() and rel.parts[0] not in _RENDER_FOLDERS and not rel.name.startswith("."):
            files[rel.as_posix()] = path.read_bytes()
    return files


class BatchRenderer:
    """Renders batches back to back with one renderer whose engines load once per container."""

    def __init__(
        self,
        renderer: EpisodeRenderer,
        workdir: Path,
        *,
        container: str,
        checkpoint: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.renderer = renderer
        self.workdir = workdir
        self.container = container
        self.checkpoint = checkpoint
        """Persists the chunk cache (a Volume commit) after each episode: a lost container costs one."""
        self.clock = clock
        self.entered_at = clock()
        self.load_s = 0.0
        self._calls = 0

    def load(self) -> float:
        """Load the engines (the container's cold start); returns the seconds."""
        self.load_s = self.renderer.load()
        return self.load_s

    def render(self, batch: list[StagedEpisode]) -> BatchResult:
        """Render every episode of ``batch`` in order; one failing episode does not stop the rest."""
        started = self.clock()
        self._calls += 1
        results = tuple(self._render_one(staged) for staged in batch)
        return BatchResult(
            container=self.container,
            device=self.renderer.device,
            entered_at=self.entered_at,
            load_s=self.load_s,
            call_started_at=started,
            call_ended_at=self.clock(),
            episodes=results,
            first_call=self._calls == 1,
        )

    def _render_one(self, staged: StagedEpisode) -> EpisodeResult:
        job = staged.job
        folder = self.workdir / job.id
        for name, data in staged.files.items():
            atomic_write_bytes(folder / name, data)
        started = self.clock()
        try:
            outcome = self.renderer.render(job.model_copy(update={"episode_dir": str(folder)}))
            render = outcome.finish() if outcome.finish is not None else outcome.render
        except Exception as exc:  # one bad episode must not take the batch down
            return EpisodeResult(job.id, started, self.clock(), error=f"{type(exc).__name__}: {exc}")
        finally:
            self.checkpoint()
        written = {
            rel: (folder / rel).read_bytes()
            for rel in (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
            if not rel.split("/")[-1].startswith(".")
        }
        # Only what the render wrote or changed travels back (the staged script stays as it was).
        written = {rel: data for rel, data in written.items() if staged.files.get(rel) != data}
        if render is not None:
            render = render.model_copy(update={"folder": os.path.relpath(render.folder, folder)})
        return EpisodeResult(
            job.id,
            started,
            self.clock(),
            audio_s=outcome.audio_s,
            compute_s=outcome.compute_s,
            chunks_synthesized=outcome.chunks_synthesized,
            chunks_cached=outcome.chunks_cached,
            load_s=outcome.load_s,
            files=written,
            render_json=render.model_dump_json() if render is not None else None,
        )
