"""The Modal render class, offline: the app builds without a token, and its containers' logic runs
through ``.local()`` (enter hook included) with the CPU draft voice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from podwright.backends.modal_batch import BatchResult, StagedEpisode, staged_files
from podwright.core.lifecycle import RenderRecord
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from tests.backends import episodes
from tests.backends.conftest import REPO


def test_the_app_builds_offline_without_a_token(tmp_path: Path) -> None:
    code = (
        "from podwright.backends import modal_app as m\n"
        "assert m.app.name == 'podwright-render' and m.CLASS_NAME in m.app.registered_classes\n"
        "print('built')\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO / 'src'}:{REPO}"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "built"


def _batch(tmp_path: Path, ids: list[str]) -> list[StagedEpisode]:
    db = tmp_path / "q.db"
    episodes.stage(db, tmp_path / "out", ids)
    jobs = JobStore(connect(db))
    try:
        staged = []
        for job_id in ids:
            job = jobs.get(job_id)
            assert job.episode_dir is not None
            staged.append(StagedEpisode(job.model_dump_json(), staged_files(Path(job.episode_dir))))
        return staged
    finally:
        jobs.conn.close()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:.*executing locally:UserWarning")
def test_a_container_renders_its_batch_back_to_back_with_one_engine_load(tmp_path: Path) -> None:
    from podwright.backends.modal_app import RenderContainer

    batch = _batch(tmp_path, ["ep-a", "ep-b"])
    assert set(batch[0].files) == {"script.json", "show.json"}
    container = RenderContainer(device="cpu", preload="hibari", chunks_dir=str(tmp_path / "chunks"))
    result = container.render_batch.local(batch)

    assert isinstance(result, BatchResult) and result.first_call
    assert result.device == "cpu" and result.load_s > 0
    assert [e.job_id for e in result.episodes] == ["ep-a", "ep-b"]
    for episode in result.episodes:
        assert episode.error is None
        assert episode.load_s == 0  # hibari was loaded once, at enter
        assert episode.chunks_synthesized > 0 and episode.compute_s > 0
        assert episode.files["draft/episode.mp3"][:3] in (b"ID3", b"\xff\xfb")
        assert "script.json" not in episode.files  # the staged script is not sent back
        assert episode.render_json is not None
        render = RenderRecord.model_validate_json(episode.render_json)
        assert render.folder == "draft" and "episode.mp3" in render.files
    assert result.call_started_at <= result.episodes[0].started_at <= result.episodes[1].ended_at
    assert result.call_ended_at >= result.episodes[-1].ended_at

    again = container.render_batch.local(_batch(tmp_path / "again", ["ep-a"]))
    assert not again.first_call  # the same warm container: its cold start is not billed twice
    assert again.episodes[0].chunks_cached > 0 and again.episodes[0].chunks_synthesized == 0


def test_a_broken_episode_fails_alone_and_the_batch_goes_on(tmp_path: Path) -> None:
    from podwright.backends.modal_batch import BatchRenderer
    from tests.scheduler.fakes import FakeRenderer

    renderer = BatchRenderer(FakeRenderer(fail={"broken": -1}), tmp_path / "work", container="c-1")
    renderer.load()
    result = renderer.render(_batch(tmp_path, ["ok-1", "broken", "ok-2"]))
    errors = {e.job_id: e.error for e in result.episodes}
    assert errors == {
        "ok-1": None,
        "broken": "SynthesisError: engine crashed on broken — retry",
        "ok-2": None,
    }
    assert [e.audio_s > 0 for e in result.episodes] == [True, False, True]
