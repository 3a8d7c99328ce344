"""``podwright modal dispatch``: no token fails first and touches nothing; with the render class run
through ``.local()`` a dispatch renders every staged episode and records each container's bill."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from podwright import Studio
from podwright.app.scale import ModalOptions, modal_dispatch
from podwright.config import modal_token_present
from podwright.core.jobs import AttemptOutcome, JobState
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore
from tests.backends import episodes
from tests.backends.conftest import REPO


def test_without_a_token_dispatch_fails_at_once_and_leaves_the_queue_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = tmp_path / "q.db"
    episodes.stage(db, tmp_path / "out", ["waiting"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODAL_")}
    env.update(HOME=str(home), PODWRIGHT_HOME=str(home / "data"), PYTHONPATH=f"{REPO / 'src'}:{REPO}")
    # A network attempt here would hang or fail slowly: the timeout makes that a failure, not a wait.
    done = subprocess.run(
        [sys.executable, "-m", "podwright", "modal", "dispatch", "--db", str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert lines[0].startswith("error: no Modal token"), lines
    assert "Traceback" not in done.stderr
    jobs = JobStore(connect(db))
    try:
        job = jobs.get("waiting")
        assert job.state is JobState.SCRIPTED and job.lease_owner is None
        assert [a.phase.value for a in jobs.attempts("waiting")] == ["script"]
    finally:
        jobs.conn.close()


def test_a_token_is_found_in_the_environment_or_a_modal_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("MODAL_CONFIG_PATH", raising=False)
    monkeypatch.delenv("MODAL_TOKEN_ID", raising=False)
    monkeypatch.delenv("MODAL_TOKEN_SECRET", raising=False)
    assert not modal_token_present()
    (tmp_path / ".modal.toml").write_text('[default]\ntoken_id = "ak-1"\n', encoding="utf-8")
    assert not modal_token_present()  # half a token is none
    (tmp_path / ".modal.toml").write_text('[default]\ntoken_id = "ak-1"\ntoken_secret = "as-1"\n')
    assert modal_token_present()
    monkeypatch.setenv("MODAL_CONFIG_PATH", str(tmp_path / "elsewhere.toml"))
    assert not modal_token_present()
    monkeypatch.setenv("MODAL_TOKEN_ID", "ak-2")
    monkeypatch.setenv("MODAL_TOKEN_SECRET", "as-2")
    assert modal_token_present()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:.*executing locally:UserWarning")
def test_a_dispatch_renders_each_staged_episode_once_and_bills_each_container(
    studio: Studio, tmp_path: Path
) -> None:
    from podwright.backends.modal_app import RenderContainer

    ids = ["ep-1", "ep-2", "ep-3"]
    folders = episodes.stage(studio.settings.db_path, tmp_path / "out", ids)
    calls = []

    def submit(batch, plan):
        calls.append([staged.job.id for staged in batch])
        container = RenderContainer(device=plan.gpu, preload="hibari", chunks_dir=str(tmp_path / "chunks"))
        return container.render_batch.local(batch)

    options = ModalOptions(gpu="cpu", batch_size=2, keep_alive_s=3.0)
    summary = modal_dispatch(studio, options, has_token=False, submit=submit)

    assert summary.batches == 2 and sorted(summary.rendered) == ids and summary.failed == ()
    assert sorted(job for call in calls for job in call) == ids
    jobs = JobStore(studio.conn)
    for job_id, folder in zip(ids, folders, strict=True):
        assert jobs.get(job_id).state is JobState.DONE
        renders = [a.outcome for a in jobs.attempts(job_id) if a.phase.value == "render"]
        assert renders == [AttemptOutcome.OK]
        assert (folder / "draft" / "episode.mp3").stat().st_size > 1000
    store = SessionStore(studio.conn)
    sessions = store.select()
    assert [s.id for s in sessions] == sorted(summary.sessions) and len(sessions) == 2
    for session in sessions:
        assert session.device == "cpu" and session.cold_start_s > 0
        assert session.idle_s >= 3.0  # the keep-alive Modal bills before scaling down
        assert session.billed_s >= session.active_s + session.cold_start_s + 3.0 - 0.01
    rendered = sorted(e.job_id for s in sessions for e in store.episodes(s.id))
    assert rendered == ids
    assert len(store.calibration("draft@cpu")) == 3
    report = studio.queue.report()
    assert len(report.sessions) == 2 and report.utilization is not None and 0 < report.utilization < 1


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:.*executing locally:UserWarning")
def test_queued_episodes_are_scripted_here_then_rendered_in_a_container(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from podwright.backends.modal_app import RenderContainer
    from podwright.cli.main import app
    from podwright.config import open_studio
    from podwright.core import EpisodeState, Tier
    from tests.stages.shows import starter_show
    from tests.support.fake_openai import FakeChatServer
    from tests.support.script_responder import script_responder

    starter = (REPO / "src/podwright/data/starter_show.toml").read_text()
    with FakeChatServer(script_responder(starter_show())) as server:
        show_file = tmp_path / "show.toml"
        show_file.write_text(
            starter.replace('provider = "local"', 'provider = "openai_compat"').replace(
                'base_url = "https://openrouter.ai/api/v1"', f'base_url = "{server.base_url}"'
            )
            + '\n[render]\ngpu = "cpu"\nkeep_alive_s = 2\n'
        )
        monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
        added = CliRunner().invoke(
            app,
            [
                "queue",
                "add",
                "--show",
                str(show_file),
                "--topic",
                "Tides",
                "--minutes",
                "0.3",
                "--episode-id",
                "tides",
            ],
        )
        assert added.exit_code == 0, added.output
        preloads = []

        def submit(batch, plan):
            preloads.append(plan.gpu)
            container = RenderContainer(
                device=plan.gpu, preload="hibari,piper", chunks_dir=str(tmp_path / "c")
            )
            return container.render_batch.local(batch)

        with open_studio(out_root=tmp_path / "out") as studio:
            summary = modal_dispatch(studio, ModalOptions(), has_token=False, submit=submit)
            [record] = studio.episodes()

    # GPU and keep-alive came from the show's [render] table; the batch size from the planner.
    assert preloads == ["cpu"] and summary.plan.keep_alive_s == 2.0
    assert summary.rendered == ("tides",)
    assert record.state is EpisodeState.DRAFT_RENDERED and set(record.renders) == {Tier.DRAFT}
    render = record.renders[Tier.DRAFT]
    folder = Path(record.folder)
    assert Path(render.folder) == folder / "draft" and render.cost_usd == 0.0
    assert (folder / "draft" / "episode.mp3").stat().st_size > 10_000


def test_a_failed_container_call_sends_its_batch_back_to_the_queue_and_bills_nothing(
    tmp_path: Path,
) -> None:
    from podwright.backends.modal_batch import BatchRenderer
    from podwright.backends.modal_dispatch import DispatchPlan, dispatch
    from podwright.backends.stores import SharedJobs
    from podwright.scheduler.planner import PriceTable
    from podwright.scheduler.session import SessionSettings
    from tests.scheduler.fakes import FakeRenderer

    db = tmp_path / "q.db"
    episodes.stage(db, tmp_path / "out", ["a", "b", "c", "d"])
    containers = {}

    def submit(batch, plan):
        ids = [staged.job.id for staged in batch]
        if "a" in ids:
            raise RuntimeError("container preempted")
        renderer = containers.setdefault("warm", BatchRenderer(FakeRenderer(), tmp_path / "w", container="c"))
        if renderer.load_s == 0:
            renderer.load()
        return renderer.render(batch)

    plan = DispatchPlan(price=PriceTable.default().gpu("cpu"), batch_size=2, keep_alive_s=1.0)
    summary = dispatch(SharedJobs(db), submit, plan=plan, worker="d1", settings=SessionSettings(lease_s=30))

    jobs = JobStore(connect(db))
    try:
        lost = [job for job in jobs.select() if job.state is JobState.SCRIPTED]
        assert len(lost) == 2 and {job.lease_owner for job in lost} == {None}
        assert set(summary.failed) == {job.id for job in lost} and len(summary.rendered) == 2
        for job in lost:
            (attempt,) = [a for a in jobs.attempts(job.id) if a.phase.value == "render"]
            assert attempt.outcome is AttemptOutcome.ERROR
            assert attempt.error == "container call failed: RuntimeError: container preempted"
        (session,) = SessionStore(jobs.conn).select()
        assert session.id == summary.sessions[0] and session.episodes == 2
    finally:
        jobs.conn.close()
