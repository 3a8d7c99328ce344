"""``podwright costs`` against a real SQLite store filled through the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import typer
from typer.testing import CliRunner

from podwright.cli.costs import register
from podwright.config import resolve_settings
from podwright.core import CallRecord, Task, Usage
from podwright.store.db import connect
from podwright.store.ledger import SQLiteLedger

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop", hidden=True)
    def _noop() -> None:
        """Keeps Typer in multi-command mode, as the real app is."""

    return app


def _record(episode: str | None, stage: str, task: Task, cost: float | None, minutes: int) -> CallRecord:
    return CallRecord(
        episode_id=episode,
        stage=stage,
        task=task,
        provider="openrouter",
        model_asked="m/primary",
        model_served="m/primary",
        usage=Usage(input_tokens=1200, cached_tokens=1000, output_tokens=300, cost_usd=cost),
        latency_s=2.5,
        started_at=T0 + timedelta(minutes=minutes),
    )


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _fill() -> None:
    conn = connect(resolve_settings().db_path)
    ledger = SQLiteLedger(conn)
    ledger.record_call(_record("tides-01", "research", Task.RESEARCH, 0.0125, 0))
    ledger.record_call(_record("tides-01", "segment-1", Task.SEGMENT, 0.02, 1))
    ledger.record_call(_record("tides-01", "segment-1", Task.SEGMENT, 0.03, 2))
    ledger.record_call(_record("tides-01", "metadata", Task.METADATA, None, 3))
    ledger.record_call(_record("reefs-02", "research", Task.RESEARCH, None, 10))
    ledger.record_call(_record(None, "research", Task.RESEARCH, 0.001, -5))
    conn.close()


def test_no_calls_yet(runner: CliRunner) -> None:
    result = runner.invoke(_app(), ["costs"])
    assert result.exit_code == 0, result.output
    assert "No LLM calls recorded yet" in result.output
    result = runner.invoke(_app(), ["costs", "tides-01"])
    assert result.exit_code == 0, result.output
    assert "No LLM calls recorded for episode 'tides-01' yet" in result.output


def test_stage_table_for_one_episode(runner: CliRunner) -> None:
    _fill()
    result = runner.invoke(_app(), ["costs", "tides-01"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    research = next(line for line in lines if "research" in line)
    assert "$0.0125" in research and "1,200" in research
    segment = next(line for line in lines if "segment-1" in line)
    assert "$0.0500" in segment and "2,400" in segment and "5.0s" in segment
    metadata = next(line for line in lines if "metadata" in line)
    assert "unknown" in metadata
    total_row = next(line for line in lines if line.strip().startswith("Total "))
    assert "≥ $0.0625" in total_row, "a partly unknown total is a lower bound"
    assert "Served by m/primary: research, segment-1, metadata" in result.output
    assert "Total: 4 call(s), at least $0.0625 (1 call(s) of unknown cost)" in result.output


def test_episode_table_lists_recent_first(runner: CliRunner) -> None:
    _fill()
    result = runner.invoke(_app(), ["costs"])
    assert result.exit_code == 0, result.output
    assert result.output.index("reefs-02") < result.output.index("tides-01")
    reefs = next(line for line in result.output.splitlines() if "reefs-02" in line)
    assert "unknown" in reefs
    assert "(no episode)" in result.output
    assert "Total: 6 call(s), at least $0.0635 (2 call(s) of unknown cost)" in result.output
    assert "Served by m/primary: reefs-02, tides-01, (no episode)" in result.output
    limited = runner.invoke(_app(), ["costs", "--limit", "1"])
    assert "reefs-02" in limited.output and "tides-01" not in limited.output
    assert "pass --limit N to see more" in limited.output


def test_names_are_shown_verbatim_not_as_markup(runner: CliRunner) -> None:
    conn = connect(resolve_settings().db_path)
    SQLiteLedger(conn).record_call(_record("ep-[bold]x[/bold]", "segment-[1]", Task.SEGMENT, 0.01, 0))
    conn.close()
    result = runner.invoke(_app(), ["costs", "ep-[bold]x[/bold]"])
    assert result.exit_code == 0, result.output
    assert "ep-[bold]x[/bold]" in result.output and "segment-[1]" in result.output


def test_unusable_store_is_one_clear_line(runner: CliRunner) -> None:
    resolve_settings().db_path.write_bytes(b"this is not a database, just bytes " * 100)
    result = runner.invoke(_app(), ["costs"])
    assert result.exit_code == 1
    assert "error: cannot open the store" in result.output
    assert "Traceback" not in result.output
