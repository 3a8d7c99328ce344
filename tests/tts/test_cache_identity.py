"""Every engine setting that changes the audio is in the chunk key; hosts who would sound alike are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from podwright.cli.main import app
from podwright.core import Host, Script, Segment, SegmentSpec, Show, Tier, Turn, VoiceRef
from podwright.pipeline.voicing import ScriptVoicer, cast_for, sound_alike_hosts
from podwright.tts.cache import ChunkCache
from podwright.tts.hibari import HibariEngine
from podwright.tts.piper import PiperEngine

JOE = VoiceRef(engine="piper", voice="en_US-joe-medium", settings={"deterministic": True})
HEART = VoiceRef(engine="hibari", voice="heart")


def _show(*voices: VoiceRef) -> Show:
    hosts = tuple(
        Host(id=f"h{n}", name=f"Host {n}", voices={Tier.DRAFT: voice, Tier.FINAL: voice})
        for n, voice in enumerate(voices, start=1)
    )
    return Show(
        name="Signal",
        slug="signal",
        hosts=hosts,
        template=(SegmentSpec(kind="deep_dive", intent="explain", share=1.0),),
    )


def test_engines_state_their_cache_identity() -> None:
    assert PiperEngine(volume=0.5).cache_identity != PiperEngine(volume=0.9).cache_identity
    assert HibariEngine(peak=0.5).cache_identity != HibariEngine(peak=0.9).cache_identity
    assert PiperEngine(parallel=1).cache_identity == PiperEngine(parallel=2).cache_identity  # same audio


@pytest.mark.slow
def test_changing_pipers_volume_re_voices_every_piper_chunk(tmp_path: Path) -> None:
    show = _show(JOE, HEART)
    script = Script(
        episode_id="ep",
        show_slug="signal",
        title="T",
        hosts={"h1": "Host 1", "h2": "Host 2"},
        segments=(
            Segment(
                kind="deep_dive",
                title="S",
                turns=(
                    Turn(host="h1", text="The tide comes in twice a day."),
                    Turn(host="h2", text="Because the moon pulls the sea."),
                    Turn(host="h1", text="And the sun helps a little."),
                ),
            ),
        ),
    )
    cache = ChunkCache(tmp_path / "chunks")
    cast = cast_for(show, Tier.DRAFT)
    hibari = HibariEngine()
    first = ScriptVoicer({"piper": PiperEngine(volume=0.9), "hibari": hibari}, cache, lexicon={}).voice(
        script, cast
    )
    assert first.stats.chunks_synthesized == 3
    quieter = ScriptVoicer({"piper": PiperEngine(volume=0.5), "hibari": hibari}, cache, lexicon={}).voice(
        script, cast
    )
    assert quieter.stats.engines["piper"].chunks == 2  # both piper chunks voiced again
    assert quieter.stats.chunks_cached == 1  # hibari's chunk did not change
    louder = first.clip(0, 0).samples
    assert abs(quieter.clip(0, 0).samples).max() < abs(louder).max() * 0.7


def test_hosts_who_would_sound_alike_are_named_with_the_distinct_voices_here() -> None:
    seeded = HEART.model_copy(update={"settings": {"seed": 99}})
    show = _show(HEART, JOE, seeded)
    engines = {"hibari": HibariEngine(), "piper": PiperEngine()}
    [warning] = sound_alike_hosts(show, Tier.DRAFT, engines)
    assert "Host 1 and Host 3 would sound the same" in warning
    assert "hibari:heart" in warning and "piper:en_US-joe-medium" in warning
    assert sound_alike_hosts(_show(HEART, JOE), Tier.DRAFT, engines) == []


def test_voices_command_warns_about_clones(tmp_path: Path) -> None:
    show = tmp_path / "show.toml"
    show.write_text(
        """
name = "Signal"
slug = "signal"

[[hosts]]
id = "ava"
name = "Ava"
voices.draft = { engine = "hibari", voice = "heart", settings = { seed = 1 } }
voices.final = { engine = "hibari", voice = "heart", settings = { seed = 1 } }

[[hosts]]
id = "bo"
name = "Bo"
voices.draft = { engine = "hibari", voice = "heart", settings = { seed = 2 } }
voices.final = { engine = "piper", voice = "en_US-joe-medium" }

[[template]]
kind = "deep_dive"
intent = "explain"
share = 1.0
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["voices", "--engine", "hibari", "--engine", "piper", "--show", str(show)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Ava and Bo would sound the same in the draft tier" in result.output
    assert "final tier" not in result.output.split("warning")[-1]
