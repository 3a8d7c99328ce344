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


def _show_file(tmp_path: Path, engine: str, voice: str, engines_table: str) -> Path:
    show = tmp_path / "show.toml"
    show.write_text(
        f"""
name = "Signal"
slug = "signal"

[[hosts]]
id = "ava"
name = "Ava"
voices.draft = {{ engine = "{engine}", voice = "{voice}" }}
voices.final = {{ engine = "{engine}", voice = "{voice}" }}

[[template]]
kind = "deep_dive"
intent = "explain"
share = 1.0

{engines_table}
""",
        encoding="utf-8",
    )
    return show


def test_show_engine_options_are_used_for_the_cast_check(tmp_path: Path) -> None:
    # Without the show's base_url the engine would point at api.openai.com with no key: unusable.
    show = _show_file(
        tmp_path,
        "openai_speech",
        "af_heart",
        '[engines.openai_speech]\nbase_url = "http://127.0.0.1:8880/v1"\napi_key_env = "KOKORO_KEY"\n',
    )
    result = CliRunner().invoke(
        _app(),
        ["voices", "--engine", "openai_speech", "--show", str(show)],
        env={"COLUMNS": "200", "OPENAI_API_KEY": "", "KOKORO_KEY": "local"},
    )
    assert result.exit_code == 0, result.output
    assert "127.0.0.1:8880" in result.output
    assert "every host can speak the final tier here" in result.output


def test_bad_engine_option_is_one_clear_error(tmp_path: Path) -> None:
    show = _show_file(tmp_path, "hibari", "heart", "[engines.hibari]\nspeeed = 2\n")
    result = CliRunner().invoke(_app(), ["voices", "--show", str(show)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped exception
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "'hibari'" in errors[0] and "'speeed'" in errors[0]
    assert "[engines.hibari]" in result.stderr and "threads, max_chars, peak" in result.stderr
    assert "Voices" not in result.output  # it stopped before printing a table that hides the problem


def test_voices_show_the_languages_each_voice_speaks() -> None:
    import json

    result = CliRunner().invoke(_app(), ["voices", "--json"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = {(row["engine"], row["voice"]): row for row in json.loads(result.output)["voices"]}
    assert rows[("hibari", "heart")]["languages"] == ["en-US"]
    assert rows[("openai_speech", "alloy")]["languages"] == ["mul"]
    table = CliRunner().invoke(_app(), ["voices", "-e", "hibari"], env={"COLUMNS": "200"})
    assert "languages" in table.output and "en-GB" in table.output


def test_a_spanish_show_with_an_english_voice_is_refused(tmp_path: Path) -> None:
    show = tmp_path / "show.toml"
    show.write_text(
        """
name = "Ciencia"
slug = "ciencia"
language = "es"

[[hosts]]
id = "ana"
name = "Ana"
voices.draft = { engine = "hibari", voice = "heart" }
voices.final = { engine = "hibari", voice = "heart" }

[[template]]
kind = "deep_dive"
intent = "explain"
share = 1.0
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(_app(), ["voices", "--show", str(show)], env={"COLUMNS": "250"})
    assert result.exit_code != 0
    assert "speaks en-US, not the show's language, es" in " ".join(result.output.split())
