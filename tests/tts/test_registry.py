from __future__ import annotations

import pytest

from podwright.core.errors import VoiceError
from podwright.tts.hibari import HibariEngine
from podwright.tts.registry import create_engine, describe_voice, engine_names
from tests.support.tone_engine import ToneEngine


def test_builtin_engines_are_registered() -> None:
    assert {"hibari", "piper", "openai_speech", "chatterbox"} <= set(engine_names())


def test_create_engine_passes_options_without_loading() -> None:
    engine = create_engine("hibari", threads=1)
    assert isinstance(engine, HibariEngine)
    assert engine.sample_rate == 24000


def test_unknown_engine_lists_known_ones() -> None:
    with pytest.raises(VoiceError) as info:
        create_engine("nope")
    assert "nope" in info.value.message
    assert "hibari" in info.value.hint


def test_describe_voice_falls_back_to_listed_voices() -> None:
    engine = ToneEngine(unusable=("high",))
    assert describe_voice(engine, "low").usable
    assert not describe_voice(engine, "high").usable
    missing = describe_voice(engine, "alto")
    assert not missing.usable and "low" in missing.reason
