"""The whole production path through the CLI: queue add → worker --burst → a finished episode.

Scripts come from the loopback OpenAI-compatible server, voices from the real offline engines.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podwright.cli.main import app
from podwright.config import open_studio, resolve_settings
from podwright.core import EpisodeState, Tier
from podwright.core.jobs import JobState
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from tests.stages.shows import starter_show
from tests.support.fake_openai import FakeChatServer
from tests.support.script_responder import script_responder

runner = CliRunner()


@pytest.mark.slow
def test_a_queued_episode_is_scripted_rendered_and_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starter = (Path(__file__).parents[2] / "src/podwright/data/starter_show.toml").read_text()
    with FakeChatServer(script_responder(starter_show())) as server:
        show_file = tmp_path / "show.toml"
        show_file.write_text(
            starter.replace('provider = "local"', 'provider = "openai_compat"').replace(
                'base_url = "https://openrouter.ai/api/v1"', f'base_url = "{server.base_url}"'
            )
        )
        monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
        added = runner.invoke(
            app,
            [
                "queue",
                "add",
                "--show",
                str(show_file),
                "--topic",
                "Tides",
                "--minutes",
                "0.5",
                "--episode-id",
                "tides",
            ],
        )
        assert added.exit_code == 0, added.output
        worked = runner.invoke(
            app,
            ["worker", "--burst", "--out", str(tmp_path / "out"), "--min-episodes", "1", "--keep-alive", "0"],
        )
        assert worked.exit_code == 0, worked.output

    job = JobStore(connect(resolve_settings().db_path)).get("tides")
    assert job.state is JobState.DONE
    folder = tmp_path / "out" / "curious-minutes" / "tides"
    assert (folder / "draft" / "episode.mp3").stat().st_size > 10_000
    # The queue's episode is a record like any other, moved along by the worker.
    [record] = open_studio().episodes()
    assert (record.key, record.state, record.job_id) == (
        "curious-minutes/tides",
        EpisodeState.DRAFT_RENDERED,
        "tides",
    )
    assert set(record.renders) == {Tier.DRAFT}
    assert "0 queued" in worked.output  # the worker says what it is doing as it goes
    run = json.loads((folder / "run.json").read_text())
    assert run["script"]["calls"] >= 9
    listing = runner.invoke(app, ["queue", "list"])
    assert "done" in listing.output
