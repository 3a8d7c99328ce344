from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from podwright.cli.voices import register


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command keeps typer in multi-command mode, as in the real app
        pass

    return app


def test_lists_engines_and_voices_with_reasons() -> None:
    result = CliRunner().invoke(_app(), ["voices"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for expected in ("hibari", "heart", "piper", "en_US-joe-medium", "chatterbox", "openai_speech"):
        assert expected in result.output
    assert "podwright[chatterbox]" in result.output  # the fix, not swallowed as markup


def test_show_cast_check_fails_with_host_named(tmp_path: Path) -> None:
    show = tmp_path / "show.toml"
    show.write_text(
        """
name = "Signal"
slug = "signal"

[[hosts]]
id = "ava"
name = "Ava"
voices.draft = { engine = "hibari", voice = "heart" }
voices.final = { engine = "chatterbox", voice = "ava.wav" }

[[template]]
kind = "deep_dive"
intent = "explain"
share = 1.0
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        _app(),
        ["voices", "--engine", "hibari", "--engine", "chatterbox", "--show", str(show)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 1
    assert "Ava (ava)" in result.output
