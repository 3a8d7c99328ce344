"""``podwright init`` and ``podwright script`` end to end, against the loopback OpenAI-compatible server."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from podwright.cli.main import app
from podwright.config import load_show
from podwright.core import Script
from podwright.pipeline.episode import load_episode
from tests.support.fake_openai import FakeChatServer
from tests.support.loopback_show import answer_any_stage, loopback_show_file

STAGES = {
    "research",
    "outline",
    "segment-1",
    "segment-2",
    "segment-3",
    "summary",
    "intro",
    "conclusion",
    "metadata",
    "image-prompts",
}


@pytest.fixture
def server() -> Iterator[FakeChatServer]:
    with FakeChatServer(answer_any_stage, min_cache_tokens=200) as chat:
        yield chat


def _show_file(tmp_path: Path, base_url: str) -> Path:
    return loopback_show_file(tmp_path, base_url)


def _script(tmp_path: Path, show: Path, *extra: str) -> Any:
    args = ["script", "--show", str(show), "--out", str(tmp_path / "out"), "--episode-id", "ep1", *extra]
    return CliRunner().invoke(app, args)


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-test")


@pytest.mark.usefixtures("keyed")
def test_script_end_to_end_writes_typed_readable_accounted_files(
    tmp_path: Path, server: FakeChatServer, podwright_home: Path
) -> None:
    show = _show_file(tmp_path, server.base_url)
    result = _script(tmp_path, show, "--topic", "Why the sky is dark", "--minutes", "5")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "curious-minutes" / "ep1"
    assert str(folder) in result.output
    # The structure checks are summed up under the totals (the fake's answers are short: length fails).
    assert "quality: 5 of 5 segments pass every check (0 asked again)" in result.output
    assert "✗ length: " in result.output and "too short" in result.output
    script = Script.model_validate_json((folder / "script.json").read_text())
    assert [s.kind for s in script.segments] == ["intro", "setup", "deep_dive", "takeaways", "conclusion"]
    # The folder is a complete episode folder: `podwright render` finds the script and the cast in it.
    assert load_episode(folder) == (script, load_show(tmp_path / "show.toml"))
    markdown = (folder / "script.md").read_text()
    assert markdown.startswith("# Why Is the Night Sky Dark?") and "**Joe:**" in markdown
    run = json.loads((folder / "run.json").read_text())["script"]
    stages = {stage["stage"]: stage for stage in run["stages"]}
    assert set(stages) == STAGES
    for stage in stages.values():
        assert stage["input_tokens"] > 0 and stage["output_tokens"] > 0
        assert stage["cost_usd"] is not None and stage["cost_usd"] > 0
    assert stages["metadata"]["models_served"] == ["google/gemini-2.5-flash-lite"]
    assert stages["segment-1"]["models_served"] == ["anthropic/claude-sonnet-4.5"]
    # The first segment call wrote the static prefix to the cache; the others read it.
    assert stages["segment-1"]["cached_tokens"] == 0
    assert stages["segment-2"]["cached_tokens"] > 0 and stages["segment-3"]["cached_tokens"] > 0
    assert run["cost_usd"] == pytest.approx(sum(stage["cost_usd"] for stage in stages.values()))
    for stage in ("summary", "intro", "conclusion"):
        assert stage in result.output
    with sqlite3.connect(podwright_home / "podwright.db") as conn:
        assert conn.execute("SELECT count(*) FROM llm_calls WHERE episode_id = 'ep1'").fetchone()[0] == 10


@pytest.mark.usefixtures("keyed")
def test_bookends_read_the_summary_not_the_dialogue_on_the_wire(
    tmp_path: Path, server: FakeChatServer
) -> None:
    assert _script(tmp_path, _show_file(tmp_path, server.base_url), "--topic", "Dark").exit_code == 0
    bookend_bodies = [
        json.dumps(r.body) for r in server.requests if "Write the intro" in json.dumps(r.body["messages"][-1])
    ]
    bookend_bodies += [
        json.dumps(r.body)
        for r in server.requests
        if "Write the conclusion" in json.dumps(r.body["messages"][-1])
    ]
    assert len(bookend_bodies) == 2
    for body in bookend_bodies:
        assert "SUMMARY-TEXT" in body and "DIALOGUE-body" not in body


@pytest.mark.usefixtures("keyed")
def test_rate_limit_and_server_error_are_retried(tmp_path: Path, server: FakeChatServer) -> None:
    server.fail_next(429, times=1, retry_after=0)
    server.fail_next(500, times=1)
    result = _script(tmp_path, _show_file(tmp_path, server.base_url), "--topic", "Dark")
    assert result.exit_code == 0, result.output
    assert [r.status for r in server.requests[:3]] == [429, 500, 200]


@pytest.mark.usefixtures("keyed")
def test_malformed_json_is_repaired(tmp_path: Path, server: FakeChatServer) -> None:
    server.malformed_next(1, kind="content")
    result = _script(tmp_path, _show_file(tmp_path, server.base_url), "--topic", "Dark")
    assert result.exit_code == 0, result.output
    run = json.loads((tmp_path / "out" / "curious-minutes" / "ep1" / "run.json").read_text())
    assert {s["stage"]: s for s in run["script"]["stages"]}["research"]["calls"] == 2


@pytest.mark.usefixtures("keyed")
def test_garbage_twice_fails_with_one_clear_line(tmp_path: Path, server: FakeChatServer) -> None:
    def garbage_outline(body: dict[str, Any]) -> dict[str, Any] | str:
        if body["response_format"]["json_schema"]["name"] == "outline":
            return "I am not JSON at all"
        return answer_any_stage(body)

    server.responder = garbage_outline
    result = _script(tmp_path, _show_file(tmp_path, server.base_url), "--topic", "Dark")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: outline: the model's answer is not a valid OutlineDraft")
    assert "fix: route this task" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_key_is_one_line(tmp_path: Path, server: FakeChatServer) -> None:
    result = _script(tmp_path, _show_file(tmp_path, server.base_url), "--topic", "Dark")
    assert result.exit_code == 1
    assert "set OPENROUTER_API_KEY, use --offline" in result.output
    assert not server.requests


def test_missing_show_file_is_one_line(tmp_path: Path) -> None:
    result = _script(tmp_path, tmp_path / "nope.toml", "--topic", "Dark")
    assert result.exit_code == 1
    assert "nope.toml not found" in result.output and "Traceback" not in result.output


@pytest.mark.usefixtures("keyed")
def test_bad_source_is_one_line(tmp_path: Path, server: FakeChatServer) -> None:
    result = _script(
        tmp_path, _show_file(tmp_path, server.base_url), "--source", str(tmp_path / "missing.pdf")
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and "missing.pdf" in result.stderr
    assert not server.requests


@pytest.mark.usefixtures("keyed")
def test_source_only_episode_and_default_episode_id(tmp_path: Path, server: FakeChatServer) -> None:
    doc = tmp_path / "sky.md"
    doc.write_text(
        "# Olbers' paradox\n\nIf the universe were infinite and static, every line of sight ends on a star.\n"
    )
    args = ["script", "--show", str(_show_file(tmp_path, server.base_url)), "--source", str(doc)]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out"), "--minutes", "2"])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "out" / "curious-minutes").iterdir()
    assert folder.name.endswith("-olbers-paradox") and folder.name[:4].isdigit()
    research = next(
        r for r in server.requests if r.body["response_format"]["json_schema"]["name"] == "research_brief"
    )
    assert "every line of sight ends on a star" in json.dumps(research.body)


def test_nothing_to_write_about(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["script", "--show", str(_show_file(tmp_path, "http://x/v1"))])
    assert result.exit_code == 1 and "--topic" in result.output


def test_init_writes_a_show_that_loads_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "my-show.toml"
    assert CliRunner().invoke(app, ["init", str(path)]).exit_code == 0
    show = load_show(path)
    assert show.slug == "curious-minutes" and show.host_ids == ("maya", "joe")
    path.write_text("# edited\n")
    refused = CliRunner().invoke(app, ["init", str(path)])
    assert refused.exit_code == 1 and "already exists" in refused.output and "--force" in refused.output
    assert path.read_text() == "# edited\n"
    assert CliRunner().invoke(app, ["init", str(path), "--force"]).exit_code == 0
    assert load_show(path) == show


@pytest.mark.usefixtures("keyed")
def test_call_graph_on_the_wire(tmp_path: Path, server: FakeChatServer) -> None:
    server.ttft_s = 0.05

    def last_text(body: dict[str, Any]) -> str:
        return json.dumps(body["messages"][-1])

    assert _script(tmp_path, _show_file(tmp_path, server.base_url), "--topic", "Dark").exit_code == 0
    calls = {}
    for request in server.requests:
        for marker in (
            "Write segment 1 ",
            "Write segment 2 ",
            "Write segment 3 ",
            "Write the intro",
            "Write the conclusion",
        ):
            if marker in last_text(request.body):
                calls[marker.strip()] = request
    one, two, three = calls["Write segment 1"], calls["Write segment 2"], calls["Write segment 3"]
    assert one.finished is not None and two.finished is not None and three.finished is not None
    assert one.finished <= min(two.arrived, three.arrived)
    assert max(two.arrived, three.arrived) < min(two.finished, three.finished)
    intro, conclusion = calls["Write the intro"], calls["Write the conclusion"]
    assert intro.finished is not None and conclusion.finished is not None
    assert max(intro.arrived, conclusion.arrived) < min(intro.finished, conclusion.finished)
    assert server.max_concurrency() >= 4  # intro, conclusion, metadata and image prompts at once


def test_a_server_that_takes_no_key_needs_none(tmp_path: Path, server: FakeChatServer) -> None:
    show = _show_file(tmp_path, server.base_url)
    show.write_text(show.read_text().replace('api_key_env = "OPENROUTER_API_KEY"', 'api_key_env = ""'))
    result = _script(tmp_path, show, "--topic", "Tides")
    assert result.exit_code == 0, result.output
    assert all("authorization" not in {k.lower() for k in r.headers} for r in server.requests)


@pytest.mark.usefixtures("keyed")
def test_show_prices_price_models_the_builtin_table_lacks(tmp_path: Path, server: FakeChatServer) -> None:
    from podwright.config import resolve_settings

    show = _show_file(tmp_path, server.base_url)
    text = show.read_text().replace("anthropic/claude-sonnet-4.5", "acme/house-model")
    show.write_text(text)
    assert _script(tmp_path, show, "--topic", "Tides", "--episode-id", "unpriced").exit_code == 0
    text = text.replace(
        "max_concurrency = 4", 'max_concurrency = 4\nprices."acme/house-model" = [1.0, 0.1, 2.0]'
    )
    show.write_text(text)
    assert _script(tmp_path, show, "--topic", "Tides", "--episode-id", "priced").exit_code == 0

    with sqlite3.connect(resolve_settings().db_path) as conn:
        rows = dict(
            conn.execute(
                "SELECT episode_id, SUM(cost_usd IS NULL) FROM llm_calls"
                " WHERE model_asked = ? GROUP BY episode_id",
                ("acme/house-model",),
            ).fetchall()
        )
    assert rows["unpriced"] > 0  # unknown is unknown, not zero
    assert rows["priced"] == 0
