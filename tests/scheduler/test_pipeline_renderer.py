"""One warm session through the real render pipeline, with the tone engine at the engine seam."""

from __future__ import annotations

from pathlib import Path

import pytest

from podwright.core import EpisodeRequest, Host, Script, Segment, SegmentSpec, Show, Tier, Turn, VoiceRef
from podwright.core.jobs import JobState
from podwright.scheduler.session import RenderSession, SessionSettings
from podwright.scheduler.work import PipelineRenderer
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore

tone_engine = pytest.importorskip("tests.support.tone_engine")


def show() -> Show:
    voice = VoiceRef(engine="tone", voice="high")
    return Show(
        name="Signal",
        slug="signal",
        hosts=(Host(id="ava", name="Ava", voices={Tier.DRAFT: voice, Tier.FINAL: voice}),),
        template=(SegmentSpec(kind="deep_dive", intent="explain", share=1.0),),
    )


def stage_episode(store: JobStore, root: Path, job_id: str) -> None:
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
        EpisodeRequest(episode_id=job_id, topic="t"), "show.toml", review=False, estimate_audio_s=5, rtf=0.1
    )
    store.claim(job_id, "stager", 30)
    store.finish_script(
        job_id,
        "stager",
        episode_dir=str(folder),
        word_count=script.word_count,
        estimate_audio_s=1,
        estimate_compute_s=0.1,
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
        assert any((tmp_path / "out" / job_id).glob("*.mp3"))
