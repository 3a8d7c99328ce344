"""Command-line habits: -h everywhere, values as metavars, help text with brackets kept, --json."""

from __future__ import annotations

import json
import re

import pytest
import typer
from typer.testing import CliRunner

from podwright.cli.main import app

runner = CliRunner()


def _commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    found: list[list[str]] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        found.append([name])
        found.extend([name, sub] for sub in getattr(command, "commands", {}))
    return found


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_takes_dash_h_and_reads_well(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "-h"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # Values read as values (FILE, PATH_OR_URL, MINUTES), never as Python or click types.
    assert not re.search(r"<(str|int|float|bool|path)>|BOOLEAN|INTEGER|FLOAT", result.output), result.output


def test_help_keeps_brackets() -> None:
    result = runner.invoke(app, ["schedule", "run", "-h"], env={"COLUMNS": "120"})
    assert "[schedule] table" in result.output
    assert "--source PATH_OR_URL" in runner.invoke(app, ["produce", "-h"]).output


def test_json_listings_are_json(monkeypatch: pytest.MonkeyPatch) -> None:
    for command in (["episodes", "--json"], ["queue", "list", "--json"], ["costs", "--json"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == []
    voices = json.loads(runner.invoke(app, ["voices", "--engine", "hibari", "--json"]).output)
    assert any(row["voice"] == "heart" and row["usable"] for row in voices["voices"])
