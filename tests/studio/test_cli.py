from __future__ import annotations

import json
import sqlite3
from importlib.resources import files
from pathlib import Path

import feedparser
import pytest
from PIL import Image
from typer.testing import CliRunner

from podwright.cli.main import app
from podwright.core import Tier
from tests.studio.episodes import make_script, write_episode_folder
from tests.support.fake_images import FakeImageServer

runner = CliRunner()


def _show_file(tmp_path: Path, extra: str = "") -> Path:
    text = files("podwright").joinpath("data/starter_show.toml").read_text(encoding="utf-8")
    path = tmp_path / "show.toml"
    path.write_text(text + "\n" + extra, encoding="utf-8")
    return path


def _episode(tmp_path: Path) -> Path:
    folder = tmp_path / "out" / "curious-minutes" / "ep-1"
    folder.mkdir(parents=True)
    (folder / "script.json").write_text(make_script().model_dump_json(), encoding="utf-8")
    return folder


def test_images_command_makes_title_cards_offline(tmp_path: Path) -> None:
    folder = _episode(tmp_path)
    result = runner.invoke(
        app, ["images", str(folder), "--show", str(_show_file(tmp_path)), "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    with Image.open(folder / "images" / "cover.png") as cover:
        assert cover.size == (3000, 3000)
    assert sorted(p.name for p in (folder / "images").iterdir()) == [
        "cover.png",
        "segment-1.png",
        "segment-2.png",
        "segment-3.png",
        "segment-4.png",
        "thumbnail.png",
    ]


def test_images_command_uses_the_show_files_engine_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _episode(tmp_path)
    monkeypatch.setenv("STUDIO_IMAGES_KEY", "sk-studio")
    with FakeImageServer(api_key="sk-studio") as server:
        show = _show_file(
            tmp_path,
            f'[engines.openai_images]\nbase_url = "{server.base_url}"\nmodel = "img-x"\n'
            'api_key_env = "STUDIO_IMAGES_KEY"\n',
        )
        result = runner.invoke(app, ["images", str(folder), "--engine", "openai_images", "--show", str(show)])
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 6
    assert {body["model"] for body in server.requests} == {"img-x"}
    assert "fallback" not in result.output


def test_remote_engine_without_a_key_names_the_variable(tmp_path: Path) -> None:
    result = runner.invoke(app, ["images", str(_episode(tmp_path)), "--engine", "openrouter"])
    assert result.exit_code == 1
    assert "OPENROUTER_API_KEY" in result.output


def test_youtube_publish_and_feed_commands(tmp_path: Path) -> None:
    show_dir = tmp_path / "out" / "curious-minutes"
    folder = write_episode_folder(
        show_dir, "ep-1", seconds=40, starts=(0.0, 12.0, 24.0), tiers=(Tier.DRAFT, Tier.FINAL)
    )
    result = runner.invoke(app, ["youtube", str(folder)])
    assert result.exit_code == 0, result.output
    document = json.loads((folder / "final" / "youtube.json").read_text(encoding="utf-8"))
    assert document["chapters"][2]["start_s"] == 24

    refused = runner.invoke(app, ["publish", str(folder)])
    assert (
        refused.exit_code == 1 and "not approved" in refused.output and "podwright approve" in refused.output
    )
    assert runner.invoke(app, ["approve", "ep-1"]).exit_code == 0
    result = runner.invoke(app, ["publish", "ep", "--base-url", "https://example.com/cm"])
    assert result.exit_code == 0, result.output
    parsed = feedparser.parse((show_dir / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert parsed.feed.title == "Curious Minutes"
    assert len(parsed.entries) == 1
    result = runner.invoke(app, ["unpublish", "ep-1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        [
            "feed",
            "curious-minutes",
            "--base-url",
            "https://example.com/cm",
            "--show",
            str(_show_file(tmp_path)),
        ],
    )
    assert result.exit_code == 0, result.output
    assert feedparser.parse((show_dir / "feed.xml").read_bytes()).entries == []


def test_schedule_run_is_idempotent(tmp_path: Path, podwright_home: Path) -> None:
    show = _show_file(
        tmp_path, '[schedule]\ncron = "0 6 * * 1"\ntopics = ["Black holes", "Tides"]\nminutes = 6\n'
    )
    args = ["schedule", "run", "--show", str(show), "--now", "2026-01-05T07:00"]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "queued curious-minutes-20260105-0600" in first.output
    assert "already queued" in second.output
    with sqlite3.connect(podwright_home / "podwright.db") as conn:
        rows = conn.execute("SELECT id, target_minutes, episode_key FROM jobs").fetchall()
    # The job points at its episode record, as a job from `queue add` does.
    assert rows == [("curious-minutes-20260105-0600", 6.0, "curious-minutes/curious-minutes-20260105-0600")]


def test_schedule_run_needs_a_show(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schedule", "run"])
    assert result.exit_code == 1
    assert "--show" in result.output
