"""``podwright produce`` end to end: loopback LLM server, the real offline voices, a finished folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from typer.testing import CliRunner

from podwright.cli.main import app
from tests.stages.shows import starter_show
from tests.support.fake_openai import FakeChatServer
from tests.support.script_responder import script_responder

STARTER = Path(__file__).parents[2] / "src" / "podwright" / "data" / "starter_show.toml"


@pytest.mark.slow
def test_produce_writes_a_publishable_episode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
    with FakeChatServer(script_responder(starter_show())) as server:
        show = tmp_path / "show.toml"
        show.write_text(
            STARTER.read_text()
            .replace('provider = "local"', 'provider = "openai_compat"')
            .replace('base_url = "https://openrouter.ai/api/v1"', f'base_url = "{server.base_url}"')
        )
        args = ["produce", "--show", str(show), "--topic", "Tides", "--minutes", "0.5"]
        result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out"), "--episode-id", "tides"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "curious-minutes" / "tides"
    assert "episode.mp3" in result.output and "LUFS" in result.output
    tags = ID3(folder / "draft" / "episode.mp3")
    assert tags.getall("APIC") and len(tags.getall("CHAP")) == len(
        json.loads((folder / "draft" / "chapters.json").read_text())["chapters"]
    )
    run = json.loads((folder / "run.json").read_text())
    assert {"script", "render", "produce"} <= run.keys()
    assert run["render"]["voicing"]["engines"].keys() <= {"hibari", "piper"}


def test_produce_with_an_unusable_voice_fails_before_any_llm_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
    with FakeChatServer(script_responder(starter_show())) as server:
        show = tmp_path / "show.toml"
        show.write_text(
            STARTER.read_text()
            .replace('provider = "local"', 'provider = "openai_compat"')
            .replace('base_url = "https://openrouter.ai/api/v1"', f'base_url = "{server.base_url}"')
            .replace('voice = "heart"', 'voice = "nobody"')
        )
        result = CliRunner().invoke(app, ["produce", "--show", str(show), "--topic", "Tides"])
        assert not server.requests
    assert result.exit_code == 1
    assert "Maya" in result.output and "nobody" in result.output and "Traceback" not in result.output
