"""Episode folders made before episodes were records are picked up, nothing lost."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from podwright import Studio
from podwright.cli.main import app
from podwright.core import EpisodeState, Tier
from podwright.pipeline.renders import RENDER_FILES
from tests.studio.episodes import write_episode_folder

runner = CliRunner()


def _legacy(show_dir: Path, episode_id: str, tier: str) -> Path:
    """A 0.1 folder: the render's files at the folder's root, its tier only in run.json."""
    folder = write_episode_folder(show_dir, episode_id, tiers=(Tier.DRAFT,))
    for name in os.listdir(folder / "draft"):
        if name in RENDER_FILES:
            os.replace(folder / "draft" / name, folder / name)
    (folder / "draft" / "render.json").unlink()
    (folder / "draft").rmdir()
    (folder / "run.json").write_text(json.dumps({"render": {"tier": tier}}), encoding="utf-8")
    return folder


def test_import_moves_root_renders_into_their_tier_and_records_them(tmp_path: Path, studio: Studio) -> None:
    show_dir = tmp_path / "out" / "curious-minutes"
    old_draft = _legacy(show_dir, "ep-1", "draft")
    mp3 = (old_draft / "episode.mp3").read_bytes()
    old_final = _legacy(show_dir, "ep-2", "final")
    write_episode_folder(show_dir, "ep-3", tiers=())  # only a script
    broken = write_episode_folder(show_dir, "ep-0-broken", tiers=())
    (broken / "script.json").write_text("{}", encoding="utf-8")

    result = runner.invoke(app, ["episodes", "import", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "3 episode(s) recorded, 1 skipped" in result.output
    assert "ep-0-broken" in result.output and "not a valid script" in result.output

    assert (old_draft / "draft" / "episode.mp3").read_bytes() == mp3
    assert not (old_draft / "episode.mp3").exists()
    assert studio.episode("ep-1").state is EpisodeState.DRAFT_RENDERED
    assert set(studio.episode("ep-2").renders) == {Tier.FINAL}
    assert (old_final / "final" / "chapters.json").is_file()
    assert studio.episode("ep-2").state is EpisodeState.FINAL_RENDERED
    assert studio.episode("ep-3").state is EpisodeState.SCRIPTED
    # Importing again changes nothing.
    again = runner.invoke(app, ["episodes", "import", str(tmp_path / "out")])
    assert again.exit_code == 0 and [e.key for e in studio.episodes()] == [e.key for e in studio.episodes()]
    assert len(studio.episodes()) == 3
