"""Each built-in format's outline follows its template, written through the loopback server; and a
format picked in ``init`` and on ``script --format``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podwright.cli.main import app
from podwright.config import load_show
from podwright.core import Script
from podwright.core.formats import apply_format, default_minutes, format_named, format_names
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.pipeline.script import ScriptPipeline, ScriptResult
from tests.stages.shows import episode, starter_show
from tests.support.fake_openai import FakeChatServer, RecordedRequest
from tests.support.loopback_show import loopback_show_file
from tests.support.script_responder import script_responder


def _schema(request: RecordedRequest) -> str:
    return str(request.body.get("response_format", {}).get("json_schema", {}).get("name", ""))


def _speakers(request: RecordedRequest) -> set[str]:
    schema = request.body["response_format"]["json_schema"]["schema"]
    return set(schema["$defs"]["DialogueTurn"]["properties"]["speaker"]["enum"])


async def _write(name: str) -> tuple[ScriptResult, list[RecordedRequest]]:
    show = apply_format(starter_show(), name)
    with FakeChatServer(script_responder(show)) as server:
        client = OpenAICompatClient(server.base_url, "sk", default_model="test/model")
        try:
            result = await ScriptPipeline(client, show).write(episode(minutes=default_minutes(show)))
        finally:
            await client.aclose()
        return result, server.requests


@pytest.mark.parametrize("name", format_names())
async def test_the_outline_follows_the_formats_template(name: str) -> None:
    fmt = format_named(name)
    result, requests = await _write(name)
    [outline] = [r for r in requests if _schema(r) == "outline"]
    asked = outline.body["messages"][-1]["content"]
    assert f"Plan exactly {len(fmt.segments)} segments" in asked
    assert [segment.kind for segment in result.outline.segments] == [spec.kind for spec in fmt.segments]
    # Titles are the model's (the loopback's "Part n: ..."); kinds and order are the template's.
    assert [s.title.split(":")[0] for s in result.outline.segments] == [
        f"Part {n}" for n in range(1, len(fmt.segments) + 1)
    ]
    assert [s.kind for s in result.script.segments[1:-1]] == [spec.kind for spec in fmt.segments]
    seated = {"maya"} if fmt.hosts == 1 else {"maya", "joe"}
    assert set(result.script.hosts) == seated
    assert {turn.host for turn in result.script.turns} == seated
    for request in requests:
        if _schema(request) == "dialogue":
            assert _speakers(request) == seated


async def test_a_debate_prompt_carries_the_sides_and_a_brief_one_host() -> None:
    _, requests = await _write("debate")
    [outline] = [r for r in requests if _schema(r) == "outline"]
    asked = outline.body["messages"][-1]["content"]
    assert "case_for (~" in asked and "Maya makes the case for, point by point" in asked
    assert "Joe makes the case against" in asked
    segment = next(r for r in requests if _schema(r) == "dialogue")
    system = segment.body["messages"][0]["content"]
    maya = next(line for line in system.splitlines() if line.startswith("- id `maya`"))
    joe = next(line for line in system.splitlines() if line.startswith("- id `joe`"))
    assert "Role in this episode: Argues FOR" in maya and "Role in this episode: Argues AGAINST" in joe

    brief, requests = await _write("brief")
    system = next(r for r in requests if _schema(r) == "dialogue").body["messages"][0]["content"]
    assert "`joe`" not in system and "Role in this episode: Presents the brief alone" in system
    # About two minutes: the script is sized for the format's length.
    assert brief.run.quality is not None
    words = brief.script.word_count
    assert 0.5 * 2 * 155 < words < 1.5 * 2 * 155


def test_init_format_and_script_format_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["init", str(tmp_path / "debate.toml"), "--format", "debate"])
    assert made.exit_code == 0, made.output
    assert load_show(tmp_path / "debate.toml").format == "debate"
    unknown = runner.invoke(app, ["init", str(tmp_path / "x.toml"), "--format", "panel"])
    assert unknown.exit_code == 1 and "unknown format 'panel'" in unknown.output
    assert (
        "brief, critique, debate, deep-dive, interview" in unknown.output
        and "Traceback" not in unknown.output
    )
    assert not (tmp_path / "x.toml").exists()

    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-test")
    with FakeChatServer(script_responder(apply_format(starter_show(), "interview"))) as server:
        show = loopback_show_file(tmp_path, server.base_url)
        args = ["script", "--show", str(show), "--out", str(tmp_path / "out"), "--topic", "Tides"]
        wrong = runner.invoke(app, [*args, "--format", "panel"])
        assert wrong.exit_code == 1 and "unknown format 'panel'" in wrong.output and not server.requests
        done = runner.invoke(app, [*args, "--format", "interview", "--episode-id", "tides", "--minutes", "2"])
    assert done.exit_code == 0, done.output
    folder = tmp_path / "out" / "curious-minutes" / "tides"
    script = Script.model_validate_json((folder / "script.json").read_text())
    assert [s.kind for s in script.segments][1] == "meet_the_guest"
    snapshot = json.loads((folder / "show.json").read_text())
    assert snapshot["format"] == "interview" and "guest" in snapshot["roles"]["joe"]
