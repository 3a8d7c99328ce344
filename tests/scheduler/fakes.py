"""Fakes at the scheduler's seams: a scripter that stages word files, renderers that burn tiny time."""

from __future__ import annotations

import os
import time
from pathlib import Path

from podwright.core import SynthesisError
from podwright.core.jobs import JobRecord
from podwright.scheduler.work import RenderOutcome, ScriptOutcome
from podwright.store.db import connect
from podwright.store.jobs import JobStore

WORDS_PER_MINUTE = 150


class StagingScripter:
    """Stages a script of ``target_minutes × 150`` words; fails the ids in ``fail`` every time."""

    def __init__(self, out_root: Path, *, fail: frozenset[str] = frozenset()) -> None:
        self.out_root = out_root
        self.fail = fail
        self.written: list[str] = []

    def write(self, job: JobRecord) -> ScriptOutcome:
        if job.id in self.fail:
            raise RuntimeError(f"the LLM refused {job.id}")
        folder = self.out_root / job.id
        folder.mkdir(parents=True, exist_ok=True)
        words = int(job.target_minutes * WORDS_PER_MINUTE)
        (folder / "script.txt").write_text("word " * words, encoding="utf-8")
        self.written.append(job.id)
        return ScriptOutcome(episode_dir=str(folder), word_count=words)


class FakeRenderer:
    """Speaks at 3 words/s with a fixed real-time factor: it sleeps the compute seconds it reports.

    ``fail`` maps a job id to how many of its renders raise before one succeeds (-1: always).
    ``on_render`` runs inside render (e.g. to cancel the job from another connection).
    """

    device = "cpu"

    def __init__(
        self,
        *,
        rtf: float = 0.001,
        fail: dict[str, int] | None = None,
        on_render=None,
        tail_fail: dict[str, int] | None = None,
        with_tail: bool = False,
        tail_s: float = 0.005,
    ) -> None:
        self.rtf = rtf
        self.tail_s = tail_s
        self.with_tail = with_tail or tail_fail is not None
        self.tail_fail = dict(tail_fail or {})
        self.packaged: list[str] = []
        self.fail = dict(fail or {})
        self.on_render = on_render
        self.loads = 0
        self.rendered: list[tuple[str, str]] = []

    def load(self) -> float:
        started = time.perf_counter()
        time.sleep(0.005)
        self.loads += 1
        return time.perf_counter() - started

    def render(self, job: JobRecord) -> RenderOutcome:
        if self.on_render is not None:
            self.on_render(job)
        left = self.fail.get(job.id, 0)
        if left != 0:
            self.fail[job.id] = left - 1
            raise SynthesisError(f"engine crashed on {job.id}", hint="retry")
        audio_s = (job.word_count or 0) / 3.0
        time.sleep(audio_s * self.rtf)  # sleeping at least this long keeps active <= billed
        self.rendered.append((job.id, job.render_tier.value))
        finish = None
        if self.with_tail:

            def finish() -> None:  # the engine-free tail: "mixing and encoding"
                left = self.tail_fail.get(job.id, 0)
                if left != 0:
                    self.tail_fail[job.id] = left - 1
                    raise OSError(f"disk full while encoding {job.id}")
                time.sleep(self.tail_s)
                self.packaged.append(job.id)

        return RenderOutcome(
            audio_s=audio_s, compute_s=audio_s * self.rtf, chunks_synthesized=1, finish=finish
        )


CHUNK_WORDS = 100
CHUNK_S = 0.3


class CheckpointRenderer:
    """A real-process renderer that writes one checkpoint file per chunk, slowly, and logs each synthesis.

    A chunk whose checkpoint exists is reused (a cache hit), as the real chunk cache does.
    """

    device = "cpu"
    chunk_s = CHUNK_S

    def load(self) -> float:
        return 0.0

    def render(self, job: JobRecord) -> RenderOutcome:
        assert job.episode_dir is not None
        chunks = Path(job.episode_dir) / "chunks"
        chunks.mkdir(exist_ok=True)
        made = cached = 0
        compute = 0.0
        for index in range((job.word_count or 0) // CHUNK_WORDS):
            done = chunks / f"{index:03d}.done"
            if done.exists():
                cached += 1
                continue
            started = time.perf_counter()
            time.sleep(self.chunk_s)
            tmp = done.with_suffix(".tmp")
            tmp.write_text(str(index), encoding="utf-8")
            os.replace(tmp, done)
            with (Path(job.episode_dir) / "synth.log").open("a", encoding="utf-8") as log:
                log.write(f"{index}\n")
            compute += time.perf_counter() - started
            made += 1
        return RenderOutcome(
            audio_s=(job.word_count or 0) / 3.0,
            compute_s=compute,
            chunks_synthesized=made,
            chunks_cached=cached,
        )


def make_checkpoint_renderer() -> CheckpointRenderer:
    """Factory named on the worker's command line."""
    return CheckpointRenderer()


def open_store(db: Path, clock=time.time) -> JobStore:
    return JobStore(connect(db), clock=clock)


def cancel_from_outside(db: Path):
    """An on_render hook that cancels the job over a second connection, as `podwright queue cancel` would."""

    def hook(job: JobRecord) -> None:
        conn = connect(db)
        try:
            JobStore(conn).cancel(job.id)
        finally:
            conn.close()

    return hook


def make_counting_renderer(chunk_s: str = "0.01") -> CheckpointRenderer:
    """A fast checkpoint renderer, for the warm-vs-cold pieces (options arrive as strings)."""
    renderer = CheckpointRenderer()
    renderer.chunk_s = float(chunk_s)
    return renderer
