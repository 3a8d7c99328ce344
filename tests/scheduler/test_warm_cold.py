"""The warm-vs-cold benchmark pieces, run with a fast checkpoint renderer (outcomes only, no timings)."""

from __future__ import annotations

import os
from pathlib import Path

from podwright.scheduler.warm_cold import WarmColdFigures, cold_run, stage_episode, warm_run
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from tests.scheduler.fakes import make_counting_renderer

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")])}


def staged_store(db: Path, root: Path, ids: list[str]) -> None:
    jobs = JobStore(connect(db))
    for job_id in ids:
        (root / job_id).mkdir(parents=True)
        stage_episode(jobs, root / job_id, episode_id=job_id, show_path=root / "show.toml", word_count=300)
    jobs.conn.close()


def test_warm_session_and_cold_processes_render_the_same_episodes(tmp_path: Path) -> None:
    staged_store(tmp_path / "warm.db", tmp_path / "warm", ["a", "b"])
    warm = warm_run(tmp_path / "warm.db", make_counting_renderer())
    cold = []
    for job_id in ("a", "b"):
        db = tmp_path / f"cold-{job_id}.db"
        staged_store(db, tmp_path / f"cold-{job_id}", [job_id])
        cold.append(
            cold_run(
                db,
                "tests.scheduler.fakes:make_counting_renderer",
                renderer_options={"chunk_s": "0.01"},
                env=ENV,
            )
        )
    figures = WarmColdFigures(warm, tuple(cold))
    assert warm.episodes == 2 and [r.episodes for r in cold] == [1, 1]
    assert 0 < warm.utilization <= 1 and 0 < figures.cold_utilization <= 1
    assert figures.wall_ratio > 0
    for job_id in ("a", "b"):
        assert len(list((tmp_path / f"cold-{job_id}" / job_id / "chunks").glob("*.done"))) == 3
