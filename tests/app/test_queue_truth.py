"""The queue tells the truth: checks before spending, reasons of failures, prefixes, JSON, episode states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podwright import Studio
from podwright.cli.main import app
from podwright.core import EpisodeRequest, EpisodeState, Tier
from podwright.core.jobs import JobState
from podwright.pipeline.renders import script_sha
from podwright.store.jobs import JobStore
from tests.studio.episodes import make_script
from tests.support.fake_openai import FakeChatServer
from tests.support.loopback_show import answer_any_stage, loopback_show_file

runner = CliRunner()
UNUSABLE_FINAL = {
    'voices.final = { engine = "hibari", voice = "heart", settings = { seed = 7 } }': (
        'voices.final = { engine = "chatterbox", voice = "voices/maya.wav" }'
    )
}


def test_queue_add_with_an_unusable_final_voice_fails_before_any_llm_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, studio: Studio
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-test")
    with FakeChatServer(answer_any_stage) as server:
        show = loopback_show_file(tmp_path, server.base_url, replace=UNUSABLE_FINAL)
        args = ["queue", "add", "--show", str(show), "--topic", "Tides", "--tier", "final", "--review"]
        result = runner.invoke(app, args)
        # The same refusal from `produce`, before the script is paid for.
        produced = runner.invoke(app, ["produce", "--show", str(show), "--topic", "Tides", "--tier", "final"])
        assert server.requests == []
    assert result.exit_code == 1
    assert "Maya" in result.output and "final tier" in result.output
    assert produced.exit_code == 1 and "Maya" in produced.output
    assert studio.queue.jobs() == []


def test_queue_add_without_the_provider_key_is_refused(tmp_path: Path, studio: Studio) -> None:
    show = loopback_show_file(tmp_path, "http://127.0.0.1:9/v1")
    result = runner.invoke(app, ["queue", "add", "--show", str(show), "--topic", "Tides"])
    assert result.exit_code == 1 and "OPENROUTER_API_KEY" in result.output
    assert studio.queue.jobs() == []


def _queued(studio: Studio, tmp_path: Path, episode_id: str, *, review: bool = False) -> JobStore:
    from podwright.app import QueuedEpisode

    show = loopback_show_file(
        tmp_path, "http://127.0.0.1:9/v1", replace={'api_key_env = "OPENROUTER_API_KEY"': 'api_key_env = ""'}
    )
    request = EpisodeRequest(
        episode_id=episode_id, topic=f"Topic of {episode_id}", tier=Tier.FINAL if review else Tier.DRAFT
    )
    studio.queue.add([QueuedEpisode(request=request, show_path=show, review=review)])
    return JobStore(studio.conn)


def _stage(jobs: JobStore, tmp_path: Path, episode_id: str) -> Path:
    folder = tmp_path / "out" / "curious-minutes" / episode_id
    folder.mkdir(parents=True)
    script = make_script(episode_id)
    (folder / "script.json").write_text(script.model_dump_json(), encoding="utf-8")
    jobs.claim(episode_id, "w", 30)
    jobs.finish_script(
        episode_id,
        "w",
        episode_dir=str(folder),
        word_count=script.word_count,
        estimate_audio_s=5,
        estimate_compute_s=1,
        title=script.title,
        script_sha=script_sha(folder),
    )
    return folder


def test_failed_cancelled_and_reviewed_jobs_move_their_episodes(tmp_path: Path, studio: Studio) -> None:
    from podwright.core.lifecycle import RenderRecord

    for episode_id in ("ep-fail", "ep-cancel"):
        jobs = _queued(studio, tmp_path, episode_id)
    jobs = _queued(studio, tmp_path, "ep-review", review=True)
    for episode_id in ("ep-fail", "ep-cancel", "ep-review"):
        _stage(jobs, tmp_path, episode_id)
        assert studio.episode(episode_id).state is EpisodeState.SCRIPTED
        assert studio.episode(episode_id).job_id == episode_id

    jobs.claim("ep-fail", "w", 30)
    jobs.fail_attempt("ep-fail", "w", "SynthesisError: the engine crashed", max_attempts=1)
    runner.invoke(app, ["queue", "cancel", "ep-c"])  # a unique prefix
    jobs.claim("ep-review", "w", 30)
    folder = Path(studio.episode("ep-review").folder)
    render = RenderRecord(
        tier=Tier.DRAFT,
        folder=str(folder / "draft"),
        files=(),
        audio_s=1,
        compute_s=1,
        script_sha=script_sha(folder),
        rendered_at=1.0,
    )
    jobs.finish_render("ep-review", "w", render=render)

    assert studio.episode("ep-fail").state is EpisodeState.FAILED
    assert "engine crashed" in (studio.episode("ep-fail").error or "")
    assert studio.episode("ep-cancel").state is EpisodeState.CANCELLED
    assert studio.episode("ep-review").state is EpisodeState.IN_REVIEW
    # A job in review is approved through its episode, and goes on to its final render.
    approved = runner.invoke(app, ["approve", "ep-rev"])
    assert approved.exit_code == 0, approved.output
    assert (
        jobs.get("ep-review").state is JobState.SCRIPTED and jobs.get("ep-review").render_tier is Tier.FINAL
    )
    assert studio.episode("ep-review").state is EpisodeState.APPROVED

    # queue list names the reason of the failure; queue show lists attempts with their errors.
    listed = json.loads(runner.invoke(app, ["queue", "list", "--json"]).output)
    by_id = {row["job"]["id"]: row for row in listed}
    assert by_id["ep-fail"]["job"]["state"] == "failed"
    assert "engine crashed" in by_id["ep-fail"]["job"]["error"]
    assert by_id["ep-fail"]["topic"] == "Topic of ep-fail"
    table = runner.invoke(app, ["queue", "list"], env={"COLUMNS": "200"}).output
    assert "engine crashed" in table and "ep-review" in table
    shown = runner.invoke(app, ["queue", "show", "ep-f"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "error" in shown.output and "engine crashed" in shown.output
    as_json = json.loads(runner.invoke(app, ["queue", "show", "ep-f", "--json"]).output)
    assert [a["outcome"] for a in as_json["attempts"]] == ["ok", "error"]
    # An ambiguous prefix is a clear error naming the candidates.
    ambiguous = runner.invoke(app, ["queue", "show", "ep-"])
    assert ambiguous.exit_code == 1 and "names 3 jobs" in ambiguous.output

    episodes = json.loads(runner.invoke(app, ["episodes", "--json"]).output)
    assert {row["episode_id"]: row["state"] for row in episodes} == {
        "ep-fail": "failed",
        "ep-cancel": "cancelled",
        "ep-review": "approved",
    }
    events = runner.invoke(app, ["episodes", "show", "ep-rev"], env={"COLUMNS": "200"}).output
    assert "in_review → approved" in events and "by " in events
