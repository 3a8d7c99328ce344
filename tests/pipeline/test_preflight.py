"""Checks before spending: a bad output folder, episode id or oversized source fails before any call."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podwright.cli.main import app
from podwright.config import show_from_toml
from podwright.core import ConfigError, EpisodeRequest, SourceDoc, SourceError
from podwright.pipeline.preflight import check_before_spending, check_out_folder, digest_plan
from tests.pipeline.test_script_cli import _script, _show_file
from tests.support.fake_openai import FakeChatServer

pytestmark = pytest.mark.usefixtures("keyed")


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-test")


def _one_line_error(output: str) -> str:
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, output
    return lines[0]


def test_out_pointing_at_a_file_fails_before_any_call(tmp_path: Path, fake_openai: FakeChatServer) -> None:
    show = _show_file(tmp_path, fake_openai.base_url)
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    result = _script(tmp_path, show, "--topic", "Dark")
    assert result.exit_code == 1
    assert "is a file" in _one_line_error(result.output)
    assert fake_openai.requests == []


def test_an_episode_id_that_is_not_a_folder_name_fails_before_any_call(
    tmp_path: Path, fake_openai: FakeChatServer
) -> None:
    show = _show_file(tmp_path, fake_openai.base_url)
    args = ["script", "--show", str(show), "--out", str(tmp_path / "out"), "--topic", "Dark"]
    for bad in ("../escape", "a/b", "..", "-rf"):
        result = CliRunner().invoke(app, [*args, "--episode-id", bad])
        assert result.exit_code == 1, (bad, result.output)
        assert "episode id" in _one_line_error(result.output)
    assert fake_openai.requests == []
    assert not (tmp_path / "escape").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through any permission bits")
def test_a_folder_without_write_permission_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ConfigError, match="permission denied"):
            check_out_folder(locked / "show" / "ep")
    finally:
        locked.chmod(0o700)


def test_a_file_inside_the_path_and_a_fine_path(tmp_path: Path) -> None:
    (tmp_path / "show").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be made"):
        check_out_folder(tmp_path / "show" / "ep")
    check_out_folder(tmp_path / "new" / "show" / "ep")  # missing folders are created later: fine
    assert not (tmp_path / "new").exists()  # and nothing was made by the check


def test_a_source_needing_too_many_digests_names_the_override_and_its_cost(tmp_path: Path) -> None:
    starter = (Path(__file__).parents[2] / "examples" / "show.toml").read_text(encoding="utf-8")
    show = show_from_toml(starter.replace('provider = "local"', 'provider = "openai_compat"'))
    paragraph = "The night sky is dark because the universe has a finite age and expands. " * 40
    huge = SourceDoc(origin="big.txt", title="Big", text="\n\n".join([paragraph] * 260))  # ~780 kB
    calls, cost, model = digest_plan(show, [huge])
    assert calls > show.max_source_digests
    assert cost is not None and cost > 0
    request = EpisodeRequest(episode_id="ep1", topic="dark")
    with pytest.raises(SourceError) as caught:
        check_before_spending(show, request, tmp_path / "out", [huge])
    assert f"{calls} digest calls" in caught.value.message and f"${cost:.2f}" in caught.value.message
    assert model in caught.value.message
    assert f"max_source_digests = {calls}" in caught.value.hint
    allowed = show.model_copy(update={"max_source_digests": calls})
    check_before_spending(allowed, request, tmp_path / "out", [huge])
