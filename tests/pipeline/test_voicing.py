from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from podwright.core.episode import Script, Segment, Turn
from podwright.core.errors import SynthesisError, VoiceError
from podwright.core.show import Host, SegmentSpec, Show, Tier, VoiceRef
from podwright.pipeline.voicing import CHUNK_PAUSE_S, ScriptVoicer, VoicingProgress, cast_for, check_cast
from podwright.tts.cache import ChunkCache
from tests.support.tone_engine import FailingAfter, ToneEngine


def _show(ava_final: VoiceRef | None = None) -> Show:
    return Show(
        name="Signal",
        slug="signal",
        hosts=(
            Host(
                id="ava",
                name="Ava",
                voices={
                    Tier.DRAFT: VoiceRef(engine="tone", voice="high"),
                    Tier.FINAL: ava_final or VoiceRef(engine="tone", voice="high", settings={"pitch": 300}),
                },
            ),
            Host(
                id="ben",
                name="Ben",
                voices={
                    Tier.DRAFT: VoiceRef(engine="beep", voice="low"),
                    Tier.FINAL: VoiceRef(engine="beep", voice="low"),
                },
            ),
        ),
        template=(SegmentSpec(kind="deep_dive", intent="explain", share=1.0),),
        lexicon={"SQLite": "sequel light"},
    )


def _script(
    first_line: str = "Welcome to Signal. Today we talk about SQLite, the little database.",
) -> Script:
    return Script(
        episode_id="ep1",
        show_slug="signal",
        title="Caching",
        hosts={"ava": "Ava", "ben": "Ben"},
        segments=(
            Segment(
                kind="intro",
                title="Intro",
                turns=(
                    Turn(host="ava", text=first_line),
                    Turn(host="ben", text="Glad to be here. It is everywhere."),
                ),
            ),
            Segment(
                kind="deep_dive",
                title="Deep dive",
                turns=(
                    Turn(host="ava", text="Why is it so fast? Mostly because there is no server."),
                    Turn(host="ben", text="And it is one file. One file!"),
                    Turn(host="ava", text="Glad to be here. It is everywhere."),
                ),
            ),
        ),
    )


@pytest.fixture
def engines() -> dict[str, ToneEngine]:
    return {
        "tone": ToneEngine(name="tone", sample_rate=16000, max_chars=40),
        "beep": ToneEngine(name="beep", sample_rate=8000, max_chars=40),
    }


def _voicer(engines: dict, tmp_path: Path, workers: int | None = None) -> ScriptVoicer:  # type: ignore[type-arg]
    return ScriptVoicer(engines, ChunkCache(tmp_path / "chunks"), lexicon=_show().lexicon, workers=workers)


def test_cast_for_tier() -> None:
    show = _show()
    assert cast_for(show, Tier.DRAFT) == {
        "ava": VoiceRef(engine="tone", voice="high"),
        "ben": VoiceRef(engine="beep", voice="low"),
    }
    assert cast_for(show, Tier.FINAL)["ava"].settings == {"pitch": 300}


def test_check_cast_names_host_and_engine_before_any_synthesis(engines: dict[str, ToneEngine]) -> None:
    show = _show(ava_final=VoiceRef(engine="chatterbox", voice="ava.wav"))
    with pytest.raises(VoiceError) as info:
        check_cast(show, Tier.FINAL, engines)
    assert "Ava (ava)" in info.value.message and "chatterbox" in info.value.message
    assert "tone" in info.value.hint
    assert all(not e.calls and not e.loads for e in engines.values())


def test_check_cast_unusable_voice_names_voice_and_reason(engines: dict[str, ToneEngine]) -> None:
    engines["beep"] = ToneEngine(name="beep", unusable=("low",))
    with pytest.raises(VoiceError) as info:
        check_cast(_show(), Tier.DRAFT, engines)
    assert "Ben (ben)" in info.value.message and "'low'" in info.value.message
    assert "switched off" in info.value.hint
    check_cast(_show(), Tier.FINAL, {"tone": ToneEngine(), "beep": ToneEngine(name="beep")})


def test_voices_every_turn_at_its_engine_rate(engines: dict[str, ToneEngine], tmp_path: Path) -> None:
    progress: list[VoicingProgress] = []
    voiced = _voicer(engines, tmp_path).voice(
        _script(), cast_for(_show(), Tier.DRAFT), on_progress=progress.append
    )
    assert set(voiced.clips) == {(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)}
    assert voiced.clip(0, 0).sample_rate == 16000 and voiced.clip(0, 1).sample_rate == 8000
    # The lexicon was applied before synthesis; the first turn is two chunks joined by a pause.
    tone = engines["tone"]
    assert any("sequel light" in call for call in tone.calls)
    assert not any("SQLite" in call for call in tone.calls)
    assert all(len(call) <= 40 for call in tone.calls)
    assert int(voiced.clip(0, 0).meta["chunks"]) >= 2
    # Identical text by another voice is a distinct chunk; the same voice repeating a line is spoken once.
    assert tone.calls.count("Glad to be here. It is everywhere.") == 1
    assert engines["beep"].calls.count("Glad to be here. It is everywhere.") == 1
    stats = voiced.stats
    assert stats.chunks_total == stats.chunks_synthesized == len(tone.calls) + len(engines["beep"].calls)
    assert stats.chunks_cached == 0
    assert set(stats.engines) == {"tone", "beep"}
    assert stats.engines["tone"].real_time_factor is not None
    assert progress[-1].done == stats.chunks_total


def test_turn_is_chunks_joined_with_a_pause(engines: dict[str, ToneEngine], tmp_path: Path) -> None:
    script = _script("One short sentence here. And another one after it.")
    voiced = _voicer(engines, tmp_path).voice(script, cast_for(_show(), Tier.DRAFT))
    tone = engines["tone"]
    clip = voiced.clip(0, 0)
    pieces = [
        tone.tone(r) for r in _requests(tone, ["One short sentence here.", "And another one after it."])
    ]
    expected = np.concatenate([pieces[0], np.zeros(round(CHUNK_PAUSE_S * 16000), np.float32), pieces[1]])
    assert np.array_equal(clip.samples, expected)


def _requests(engine: ToneEngine, texts: list[str]) -> list:  # type: ignore[type-arg]
    from podwright.core.speech import SpeechRequest

    return [SpeechRequest(text=t, voice=VoiceRef(engine=engine.name, voice="high")) for t in texts]


def test_second_run_is_all_cache_and_loads_nothing(engines: dict[str, ToneEngine], tmp_path: Path) -> None:
    cast = cast_for(_show(), Tier.DRAFT)
    first = _voicer(engines, tmp_path).voice(_script(), cast)
    fresh = {
        "tone": ToneEngine(name="tone", max_chars=40),
        "beep": ToneEngine(name="beep", sample_rate=8000, max_chars=40),
    }
    second = _voicer(fresh, tmp_path).voice(_script(), cast)
    assert second.stats.chunks_cached == first.stats.chunks_total
    assert second.stats.chunks_synthesized == 0
    assert all(not e.calls and not e.loads for e in fresh.values())
    for position, clip in first.clips.items():
        assert np.array_equal(second.clips[position].samples, clip.samples)


def test_editing_one_turn_resynthesizes_only_its_changed_chunks(
    engines: dict[str, ToneEngine], tmp_path: Path
) -> None:
    cast = cast_for(_show(), Tier.DRAFT)
    _voicer(engines, tmp_path).voice(_script("Welcome to Signal. Today we talk about SQLite."), cast)
    fresh = {
        "tone": ToneEngine(name="tone", max_chars=40),
        "beep": ToneEngine(name="beep", sample_rate=8000, max_chars=40),
    }
    edited = _voicer(fresh, tmp_path).voice(_script("Welcome to Signal. Today we talk about caches."), cast)
    assert fresh["tone"].calls == ["Today we talk about caches."]
    assert fresh["beep"].calls == []
    assert edited.stats.chunks_synthesized == 1


def test_interrupted_run_resumes_with_only_the_rest(engines: dict[str, ToneEngine], tmp_path: Path) -> None:
    cast = cast_for(_show(), Tier.DRAFT)
    crashing = {"tone": FailingAfter(engines["tone"], limit=2), "beep": engines["beep"]}
    with pytest.raises(SynthesisError):
        _voicer(crashing, tmp_path, workers=1).voice(_script(), cast)  # type: ignore[arg-type]
    spoken_before = list(engines["tone"].calls)
    assert len(spoken_before) == 2
    fresh = {
        "tone": ToneEngine(name="tone", max_chars=40),
        "beep": ToneEngine(name="beep", sample_rate=8000, max_chars=40),
    }
    resumed = _voicer(fresh, tmp_path, workers=1).voice(_script(), cast)
    assert not set(fresh["tone"].calls) & set(spoken_before)
    total_tone = len(spoken_before) + len(fresh["tone"].calls)
    assert resumed.stats.chunks_cached == 2 + len(engines["beep"].calls)
    assert resumed.stats.chunks_synthesized == len(fresh["tone"].calls) + len(fresh["beep"].calls)
    uninterrupted = ToneEngine(name="tone", max_chars=40)
    _voicer({"tone": uninterrupted, "beep": ToneEngine(name="beep")}, tmp_path / "other").voice(
        _script(), cast
    )
    assert total_tone == len(uninterrupted.calls)


def test_voice_segment_keys_by_segment_index(engines: dict[str, ToneEngine], tmp_path: Path) -> None:
    script = _script()
    voiced = _voicer(engines, tmp_path).voice_segment(script.segments[1], 1, cast_for(_show(), Tier.DRAFT))
    assert set(voiced.clips) == {(1, 0), (1, 1), (1, 2)}


def test_engines_run_concurrently_with_two_workers(tmp_path: Path) -> None:
    engines = {
        "tone": ToneEngine(name="tone", max_chars=40),
        "beep": ToneEngine(name="beep", sample_rate=8000, max_chars=40, batch_size=3),
    }
    voiced = _voicer(engines, tmp_path, workers=2).voice(_script(), cast_for(_show(), Tier.DRAFT))
    assert voiced.stats.engines["beep"].chunks == len(engines["beep"].calls)
    assert max(len(batch) for batch in engines["beep"].batches) <= 3
    assert all(len(batch) == 1 for batch in engines["tone"].batches)


def test_host_without_voice_is_a_voice_error(engines: dict[str, ToneEngine], tmp_path: Path) -> None:
    with pytest.raises(VoiceError) as info:
        _voicer(engines, tmp_path).voice(_script(), {"ava": VoiceRef(engine="tone", voice="high")})
    assert "ben" in info.value.message
    assert not engines["tone"].calls


@pytest.mark.slow
def test_real_default_cast_voices_a_script(tmp_path: Path) -> None:
    from podwright.tts.hibari import HibariEngine
    from podwright.tts.piper import PiperEngine

    cast = {
        "ava": VoiceRef(engine="hibari", voice="heart"),
        "ben": VoiceRef(engine="piper", voice="en_US-joe-medium", settings={"deterministic": True}),
    }
    engines = {"hibari": HibariEngine(), "piper": PiperEngine()}
    voiced = ScriptVoicer(engines, ChunkCache(tmp_path), lexicon={}, workers=2).voice(_script(), cast)  # type: ignore[arg-type]
    assert voiced.clip(0, 0).sample_rate == 24000 and voiced.clip(0, 1).sample_rate == 22050
    assert all(clip.duration_s > 0.5 for clip in voiced.clips.values())
    assert voiced.stats.engines["piper"].load_s > 0
    again = ScriptVoicer(engines, ChunkCache(tmp_path), lexicon={}).voice(_script(), cast)  # type: ignore[arg-type]
    assert again.stats.chunks_synthesized == 0
    assert np.array_equal(again.clip(0, 1).samples, voiced.clip(0, 1).samples)


def test_voicer_refuses_unusable_voice_before_synthesis(tmp_path: Path) -> None:
    engines = {"tone": ToneEngine(name="tone"), "beep": ToneEngine(name="beep", unusable=("low",))}
    with pytest.raises(VoiceError) as info:
        _voicer(engines, tmp_path).voice(_script(), cast_for(_show(), Tier.DRAFT))
    assert "'ben'" in info.value.message and "'low'" in info.value.message
    assert all(not e.calls and not e.loads for e in engines.values())


def test_failure_in_one_of_two_concurrent_engines_then_resume(tmp_path: Path) -> None:
    cast = cast_for(_show(), Tier.DRAFT)
    tone, beep = (
        ToneEngine(name="tone", max_chars=40),
        ToneEngine(name="beep", sample_rate=8000, max_chars=40),
    )
    crashing = {"tone": FailingAfter(tone, limit=1), "beep": beep}
    with pytest.raises(SynthesisError):
        _voicer(crashing, tmp_path, workers=2).voice(_script(), cast)  # type: ignore[arg-type]
    fresh = {"tone": ToneEngine(name="tone", max_chars=40), "beep": ToneEngine(name="beep", max_chars=40)}
    resumed = _voicer(fresh, tmp_path, workers=2).voice(_script(), cast)
    assert not set(fresh["tone"].calls) & set(tone.calls)
    assert not set(fresh["beep"].calls) & set(beep.calls)
    assert resumed.stats.chunks_cached == len(tone.calls) + len(beep.calls)
    assert resumed.stats.chunks_cached + resumed.stats.chunks_synthesized == resumed.stats.chunks_total


def test_build_engines_makes_one_unloaded_engine_per_engine_in_the_cast() -> None:
    from podwright.pipeline.voicing import build_engines
    from podwright.tts.hibari import HibariEngine
    from podwright.tts.piper import PiperEngine

    cast = {
        "ava": VoiceRef(engine="hibari", voice="heart"),
        "ben": VoiceRef(engine="piper", voice="en_US-joe-medium"),
        "cy": VoiceRef(engine="hibari", voice="heart", settings={"seed": 3}),
    }
    engines = build_engines(cast, {"piper": {"parallel": 2}})
    assert set(engines) == {"hibari", "piper"}
    assert isinstance(engines["hibari"], HibariEngine)
    assert isinstance(engines["piper"], PiperEngine) and engines["piper"].parallel == 2


def test_voicing_through_a_speech_server_batches_requests_concurrently(tmp_path: Path) -> None:
    from podwright.tts.openai_speech import OpenAISpeechEngine
    from tests.support.fake_speech import FakeSpeechServer

    cast = {
        "ava": VoiceRef(engine="openai_speech", voice="nova"),
        "ben": VoiceRef(engine="openai_speech", voice="onyx"),
    }
    with FakeSpeechServer(latency_s=0.05) as server:
        engine = OpenAISpeechEngine(base_url=server.base_url, api_key="k", max_chars=40, concurrency=3)
        voiced = ScriptVoicer({"openai_speech": engine}, ChunkCache(tmp_path), lexicon={}).voice(
            _script(), cast
        )
        engine.close()
    assert server.max_in_flight > 1
    assert len(server.requests) == voiced.stats.chunks_synthesized == voiced.stats.chunks_total
    assert {clip.sample_rate for clip in voiced.clips.values()} == {24000}


def test_progress_counts_chunks_and_seconds_of_audio(engines: dict[str, ToneEngine], tmp_path: Path) -> None:
    cast = cast_for(_show(), Tier.DRAFT)
    events: list[VoicingProgress] = []
    voiced = _voicer(engines, tmp_path, workers=1).voice(_script(), cast, on_progress=events.append)
    assert [e.done for e in events] == sorted(e.done for e in events)
    assert [e.audio_s for e in events] == sorted(e.audio_s for e in events)
    assert events[-1].done == events[-1].total == voiced.stats.chunks_total
    chunk_audio = sum(engine.audio_s for engine in voiced.stats.engines.values())
    assert events[-1].audio_s == pytest.approx(chunk_audio)
    # A second run starts with everything cached, and says how much audio that is.
    again: list[VoicingProgress] = []
    _voicer(engines, tmp_path).voice(_script(), cast, on_progress=again.append)
    assert again[0].cached == again[0].total and again[0].audio_s == pytest.approx(chunk_audio)
