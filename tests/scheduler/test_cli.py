"""The queue commands through Typer's runner, against a real SQLite file in the test's data dir."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from podwright.cli.main import app as main_app
from podwright.config import resolve_settings
from podwright.core.jobs import AttemptOutcome, JobState, SessionEpisode
from podwright.core.show import Tier
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    return main_app


@pytest.fixture(autouse=True)
def show_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real show files: ``queue add`` validates the show before it queues anything."""
    starter = (Path(__file__).parents[2] / "src/podwright/data/starter_show.toml").read_text()
    for name in ("show.toml", "s.toml"):
        (tmp_path / name).write_text(starter, encoding="utf-8")
    monkeypatch.chdir(tmp_path)


def test_a_missing_or_invalid_show_is_refused_before_queueing(app: typer.Typer, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["queue", "add", "--show", "nope.toml", "--topic", "Tides"])
    assert missing.exit_code == 1 and "nope.toml not found" in missing.output
    (tmp_path / "bad.toml").write_text('[show]\nname = "X"\n', encoding="utf-8")
    invalid = runner.invoke(app, ["queue", "add", "--show", "bad.toml", "--topic", "Tides"])
    assert invalid.exit_code == 1 and "bad.toml" in invalid.output
    assert store().select() == []


def store() -> JobStore:
    return JobStore(connect(resolve_settings().db_path))


def test_add_list_cancel(app: typer.Typer, tmp_path: Path) -> None:
    show = tmp_path / "show.toml"
    result = runner.invoke(
        app,
        [
            "queue",
            "add",
            "--show",
            str(show),
            "--topic",
            "Tides",
            "--minutes",
            "5",
            "--episode-id",
            "tides",
            "--priority",
            "2",
            "--deadline",
            "2031-01-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "queued tides" in result.output
    job = store().get("tides")
    assert (job.priority, job.target_minutes, job.estimate_audio_s) == (2, 5.0, 300.0)
    listing = runner.invoke(app, ["queue", "list"])
    assert "tides" in listing.output and "queued" in listing.output
    assert runner.invoke(app, ["queue", "cancel", "tides"]).exit_code == 0
    assert store().get("tides").state is JobState.CANCELLED
    again = runner.invoke(app, ["queue", "cancel", "tides"])
    assert again.exit_code == 1 and "already cancelled" in again.output


def test_add_from_file(app: typer.Typer, tmp_path: Path) -> None:
    batch = tmp_path / "batch.toml"
    batch.write_text(
        '[[episode]]\nepisode_id = "a"\ntopic = "Tides"\ntarget_minutes = 3\n'
        '[[episode]]\ntopic = "Moons"\ntier = "final"\nreview = true\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["queue", "add", "--file", str(batch), "--show", str(tmp_path / "s.toml")])
    assert result.exit_code == 0, result.output
    jobs = store().select()
    assert len(jobs) == 2
    moons = next(j for j in jobs if j.id.startswith("moons-"))
    assert (moons.review, moons.render_tier) == (True, Tier.DRAFT)


def test_bad_file_entry_is_one_clear_error(app: typer.Typer, tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"topic": "Tides", "target_minutes": -3}\n', encoding="utf-8")
    result = runner.invoke(app, ["queue", "add", "--file", str(batch), "--show", "s.toml"])
    assert result.exit_code == 1
    assert "episode 1: target_minutes" in result.output


def test_approve_needs_a_job_in_review(app: typer.Typer) -> None:
    result = runner.invoke(app, ["approve", "nope"])
    assert result.exit_code == 1 and "no episode 'nope'" in result.output


def test_plan_synthetic_backlog(app: typer.Typer) -> None:
    result = runner.invoke(app, ["plan", "--synthetic", "50", "--gpu", "A100-80GB", "--machines", "2"])
    assert result.exit_code == 0, result.output
    for text in (
        "serverless",
        "dedicated",
        "break-even",
        "fifo",
        "shortest-first+aging",
        "list prices as of",
    ):
        assert text in result.output


def test_plan_unknown_gpu(app: typer.Typer) -> None:
    result = runner.invoke(app, ["plan", "--synthetic", "5", "--gpu", "Z9"])
    assert result.exit_code == 1 and "no price for GPU 'Z9'" in result.output


def test_report_and_timeline_chart(app: typer.Typer, tmp_path: Path) -> None:
    jobs = store()
    sessions = SessionStore(jobs.conn, clock=lambda: 100.0)
    sid = sessions.open("w1", "A100-80GB")
    sessions.add_cold_start(sid, 10.0)
    sessions.record_episode(
        SessionEpisode(
            session_id=sid,
            job_id="ep1",
            tier=Tier.FINAL,
            started_at=110.0,
            ended_at=170.0,
            audio_s=120.0,
            compute_s=60.0,
            estimate_compute_s=50.0,
            outcome=AttemptOutcome.OK,
        )
    )
    SessionStore(jobs.conn, clock=lambda: 200.0).close(sid, "nothing staged")
    chart = tmp_path / "timeline.html"
    result = runner.invoke(app, ["report", "--session", str(sid), "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    # billed 100 s: utilization 60%, cold 10%; machine $ = 100 s x 0.000694 over 2 audio min
    assert "60.0%" in result.output and "10.0%" in result.output and "$0.0347" in result.output
    html = chart.read_text(encoding="utf-8")
    assert "<svg" in html and "ep1 (final)" in html
    period = runner.invoke(app, ["report", "--since", "1970-01-01"])
    assert period.exit_code == 0 and "utilization 60.0%" in period.output


def test_list_positions_follow_shortest_first(app: typer.Typer, tmp_path: Path) -> None:
    from podwright.scheduler.intake import queue_positions
    from podwright.scheduler.order import OrderPolicy

    for job_id, minutes in (("long", "30"), ("short", "5")):
        args = [
            "queue",
            "add",
            "--show",
            "s.toml",
            "--topic",
            job_id,
            "--minutes",
            minutes,
            "--episode-id",
            job_id,
        ]
        assert runner.invoke(app, args).exit_code == 0
    jobs = store()
    positions = queue_positions(jobs, SessionStore(jobs.conn), 0.0, OrderPolicy())
    assert positions["short"][0] == 1 and positions["long"][0] == 2
    assert positions["long"][1] == pytest.approx(6 * positions["short"][1])
    listing = runner.invoke(app, ["queue", "list", "--state", "queued"])
    assert listing.exit_code == 0 and "short" in listing.output


def test_approve_moves_a_reviewed_draft_to_its_final_render(app: typer.Typer) -> None:
    args = ["queue", "add", "--show", "s.toml", "--topic", "Tides", "--tier", "final", "--review"]
    assert runner.invoke(app, [*args, "--episode-id", "tides"]).exit_code == 0
    jobs = store()
    jobs.claim("tides", "w", 10)
    jobs.finish_script(
        "tides", "w", episode_dir="/tmp/t", word_count=10, estimate_audio_s=4, estimate_compute_s=1
    )
    jobs.claim("tides", "w", 10)
    assert jobs.finish_render("tides", "w").state is JobState.REVIEW
    result = runner.invoke(app, ["approve", "tides"])
    assert result.exit_code == 0, result.output
    job = store().get("tides")
    assert (job.state, job.render_tier) == (JobState.SCRIPTED, Tier.FINAL)


def test_a_reviewed_final_shows_where_its_draft_leads(app: typer.Typer) -> None:
    args = ["queue", "add", "--show", "s.toml", "--topic", "Tides", "--tier", "final", "--review"]
    added = runner.invoke(app, [*args, "--episode-id", "tides"])
    assert added.exit_code == 0 and "draft→final" in added.output
    assert "draft→final" in runner.invoke(app, ["queue", "list"]).output
