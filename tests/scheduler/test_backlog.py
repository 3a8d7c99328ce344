"""Backlogs the planner reads: producer files (JSON Lines, CSV) and the live queue, planned from now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from podwright.cli.queue import register
from podwright.core import ConfigError, EpisodeRequest
from podwright.scheduler.backlog import live_backlog, read_backlog
from podwright.scheduler.estimate import Calibration
from podwright.store.db import connect
from podwright.store.jobs import JobStore

runner = CliRunner()

# Two long jobs first, then a short one due soon after it arrives: FIFO renders it last and misses.
ROWS = [
    {"id": "long-a", "estimate": 1200, "arrival": 0},
    {"id": "long-b", "estimate": 1200, "actual": 1300, "arrival": 10},
    {"id": "short", "estimate": 100, "arrival": 20, "deadline": 1500, "priority": 0},
]


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """podwright (test app)."""

    register(app)
    return app


def test_jsonl_and_csv_backlogs_read_the_same(tmp_path: Path) -> None:
    jsonl = tmp_path / "backlog.jsonl"
    jsonl.write_text("\n".join(json.dumps(row) for row in ROWS) + "\n\n", encoding="utf-8")
    csv = tmp_path / "backlog.csv"
    csv.write_text(
        "id,estimate,actual,arrival,deadline,priority\n"
        "long-a,1200,,0,,\nlong-b,1200,1300,10,,\nshort,100,,20,1500,0\n",
        encoding="utf-8",
    )
    from_jsonl, from_csv = read_backlog(jsonl), read_backlog(csv)
    assert from_jsonl == from_csv
    assert [(j.job_id, j.estimate_s, j.compute_s, j.arrival_s, j.deadline_s) for j in from_csv] == [
        ("long-a", 1200.0, 1200.0, 0.0, None),
        ("long-b", 1200.0, 1300.0, 10.0, None),
        ("short", 100.0, 100.0, 20.0, 1500.0),
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"arrival": 3}', "line 1: estimate is missing"),
        ('{"estimate": "soon"}', "line 1: estimate must be a number"),
        ('{"estimate": 10}\n[1]', "line 2: not a JSON object"),
        ('{"estimate": 10, "priority": 1.5}', "priority must be a whole number"),
        ('{"estimate": 10, "id": "a"}\n{"estimate": 5, "id": "a"}', "appears twice"),
        ("", "holds no episodes"),
    ],
)
def test_backlog_errors_name_the_line_and_field(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        read_backlog(path)


def test_plan_backlog_shows_the_deadlines_each_order_misses(tmp_path: Path) -> None:
    path = tmp_path / "backlog.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in ROWS), encoding="utf-8")
    result = runner.invoke(_app(), ["plan", "--backlog", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "3 episodes" in result.output and "deadlines missed" in result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 3}
    assert "1 of 1" in lines["fifo"]
    assert "0 of 1" in lines["shortest-first"] and "0 of 1" in lines["shortest-first+aging"]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,estimate,when\nx,1,2\n", encoding="utf-8")
    failed = runner.invoke(_app(), ["plan", "--backlog", str(bad)])
    assert failed.exit_code == 1 and "unknown column(s) when" in failed.output


def test_the_live_queue_is_planned_from_now_with_calibrated_estimates(tmp_path: Path) -> None:
    clock = iter([1_000.0, 2_000.0]).__next__
    jobs = JobStore(connect(tmp_path / "q.db"), clock=lambda: clock())
    early = EpisodeRequest(episode_id="early", topic="tides", target_minutes=10.0)
    jobs.add(early, "show.toml", review=False, estimate_audio_s=600, rtf=0.05)
    due = EpisodeRequest.model_validate(
        {"episode_id": "due", "topic": "moon", "target_minutes": 5.0, "deadline": "1970-01-01T01:40:00Z"}
    )
    jobs.add(due, "show.toml", review=False, estimate_audio_s=300, rtf=0.05)
    calibrations = {"draft@A100-80GB": Calibration(words_per_s=2.5, rtf=0.5, samples=4)}
    backlog = live_backlog(jobs.select(), calibrations, now=5_000.0, device="A100-80GB", rtf=0.9)
    by_id = {job.job_id: job for job in backlog}
    # Arrivals are the jobs' own times relative to now: their wait so far counts.
    assert (by_id["early"].arrival_s, by_id["due"].arrival_s) == (-4_000.0, -3_000.0)
    # Deadlines too: 01:40 is 6,000 s after the epoch, 1,000 s from now.
    assert by_id["due"].deadline_s == 1_000.0 and by_id["early"].deadline_s is None
    # Calibrated on that GPU: 600 audio seconds x 0.5 measured, not the --rtf fallback of 0.9.
    assert by_id["early"].estimate_s == by_id["early"].compute_s == 300.0
    fallback = live_backlog(jobs.select(), {}, now=5_000.0, device="H100", rtf=0.9)
    assert {job.job_id: job.estimate_s for job in fallback}["early"] == pytest.approx(540.0)
