"""One warm session through the real render pipeline, with the tone engine at the engine seam."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from podwright.core import (
    ConfigError,
    EpisodeRequest,
    Host,
    Script,
    Segment,
    SegmentSpec,
    Show,
    Tier,
    Turn,
    VoiceRef,
)
from podwright.core.jobs import JobState
from podwright.core.lifecycle import EpisodeState
from podwright.pipeline.renders import script_sha
from podwright.scheduler.session import RenderSession, SessionSettings
from podwright.scheduler.work import PipelineRenderer, pipeline_renderer
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore

tone_engine = pytest.importorskip("tests.support.tone_engine")


def show(engine: str = "tone", engines: dict[str, dict[str, str | int | float | bool]] | None = None) -> Show:
    voice = VoiceRef(engine=engine, voice="high")
    return Show(
        name="Signal",
        slug="signal",
        hosts=(Host(id="ava", name="Ava", voices={Tier.DRAFT: voice, Tier.FINAL: voice}),),
        template=(SegmentSpec(kind="deep_dive", intent="explain", share=1.0),),
        engines=engines or {},
    )


def stage_episode(store: JobStore, root: Path, job_id: str, show_path: str = "show.toml") -> None:
    folder = root / job_id
    folder.mkdir(parents=True)
    script = Script(
        episode_id=job_id,
        show_slug="signal",
        title=f"Episode {job_id}",
        hosts={"ava": "Ava"},
        segments=(
            Segment(kind="intro", title="Intro", turns=(Turn(host="ava", text=f"Welcome to {job_id}."),)),
        ),
    )
    (folder / "script.json").write_text(script.model_dump_json(), encoding="utf-8")
    store.add(
        EpisodeRequest(episode_id=job_id, topic="t"),
        show_path,
        review=False,
        estimate_audio_s=5,
        rtf=0.1,
        episode_key=f"signal/{job_id}",
    )
    store.claim(job_id, "stager", 30)
    store.finish_script(
        job_id,
        "stager",
        episode_dir=str(folder),
        word_count=script.word_count,
        estimate_audio_s=1,
        estimate_compute_s=0.1,
        title=script.title,
        script_sha=script_sha(folder),
    )


@pytest.mark.parametrize("overlap", [False, True])
def test_a_warm_session_renders_staged_episodes_with_one_engine_load(tmp_path: Path, overlap: bool) -> None:
    db = tmp_path / "q.db"
    store = JobStore(connect(db))
    for job_id in ("ep1", "ep2", "ep3"):
        stage_episode(store, tmp_path / "out", job_id)
    made: list[object] = []

    def factory(name: str) -> object:
        engine = tone_engine.ToneEngine(name=name)
        made.append(engine)
        return engine

    renderer = PipelineRenderer(
        lambda _: show(),
        tmp_path / "chunks",
        engine_factory=factory,  # type: ignore[arg-type]
        overlap_packaging=overlap,
    )
    record = RenderSession(
        jobs=store,
        sessions=SessionStore(store.conn),
        renderer=renderer,
        worker="w1",
        open_jobs=lambda: JobStore(connect(db)),
        settings=SessionSettings(keep_alive_s=0.05, poll_s=0.01),
    ).run()
    assert {job.state for job in store.select()} == {JobState.DONE}
    assert record.episodes == 3 and len(made) == 1  # one engine for the whole session
    episodes = SessionStore(store.conn).episodes(record.id)
    assert all(e.audio_s > 0 and e.chunks_synthesized >= 1 for e in episodes)
    for job_id in ("ep1", "ep2", "ep3"):
        assert (tmp_path / "out" / job_id / "run.json").is_file()
        assert (tmp_path / "out" / job_id / "draft" / "episode.mp3").is_file()
        # The job's episode record moved with it, in the same transactions.
        record = store.episodes.get(f"signal/{job_id}")
        assert record.state is EpisodeState.DRAFT_RENDERED and record.job_id == job_id
        assert record.renders[Tier.DRAFT].folder == str(tmp_path / "out" / job_id / "draft")
        render = record.renders[Tier.DRAFT]
        assert render.compute_s > 0 and render.cost_usd == 0.0  # this machine: a known $0, not unknown


def test_engines_are_warm_per_name_and_options(tmp_path: Path) -> None:
    store = JobStore(connect(tmp_path / "q.db"))
    shows = {
        "slow.toml": show(engines={"tone": {"seconds_per_char": 0.08}}),
        "fast.toml": show(engines={"tone": {"seconds_per_char": 0.04}}),
        "slow-again.toml": show(engines={"tone": {"seconds_per_char": 0.08}}),
    }
    for job_id, path in zip(("ep1", "ep2", "ep3"), shows, strict=True):
        stage_episode(store, tmp_path / "out", job_id, show_path=path)
    made: list[tuple[dict[str, Any], Any]] = []
    asked: list[str] = []

    def factory(name: str, **options: Any) -> Any:
        engine = tone_engine.ToneEngine(name=name, **options)
        made.append((options, engine))
        return engine

    def options_of(chosen: Show) -> dict[str, dict[str, object]]:
        asked.append(chosen.name)
        return {name: dict(values) for name, values in chosen.engines.items()}

    renderer = PipelineRenderer(
        lambda path: shows[path.name],
        tmp_path / "chunks",
        engine_factory=factory,
        engine_options=options_of,
    )
    outcomes = [renderer.render(job) for job in sorted(store.select(), key=lambda job: job.id)]
    assert [options for options, _ in made] == [{"seconds_per_char": 0.08}, {"seconds_per_char": 0.04}]
    slow, fast = (" ".join(engine.calls) for _, engine in made)
    assert "ep1" in slow and "ep3" in slow and "ep2" not in slow  # one warm instance for equal options
    assert "ep2" in fast
    assert asked == ["Signal"] * 3
    # The same script at 0.04 s per character is shorter than at 0.08: the options reached the engine.
    assert outcomes[1].audio_s < outcomes[0].audio_s


def test_bad_engine_options_fail_the_render_with_a_config_error(tmp_path: Path) -> None:
    store = JobStore(connect(tmp_path / "q.db"))
    stage_episode(store, tmp_path / "out", "ep1")
    renderer = PipelineRenderer(
        lambda _: show(engine="hibari", engines={"hibari": {"speeed": 2}}),
        tmp_path / "chunks",
        engine_options=lambda chosen: {name: dict(values) for name, values in chosen.engines.items()},
    )
    with pytest.raises(ConfigError) as info:
        renderer.render(store.get("ep1"))
    assert "'speeed'" in info.value.message and "[engines.hibari]" in info.value.hint


def test_string_factory_builds_engines_with_their_defaults(tmp_path: Path) -> None:
    renderer = pipeline_renderer(str(tmp_path), preload="hibari, piper", overlap="true")
    assert renderer.preload == ("hibari", "piper") and renderer.overlap_packaging
    assert renderer.engine_options is None
