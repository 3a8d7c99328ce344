from __future__ import annotations

import pytest

from podwright.core.errors import ConfigError, VoiceError
from podwright.tts.hibari import HibariEngine
from podwright.tts.registry import (
    check_options,
    construct_engine,
    create_engine,
    describe_voice,
    engine_names,
)
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


def test_unknown_option_names_engine_option_and_accepted_ones() -> None:
    with pytest.raises(ConfigError) as info:
        create_engine("hibari", speeed=2)
    assert "'hibari'" in info.value.message and "'speeed'" in info.value.message
    assert "[engines.hibari]" in info.value.hint
    assert "threads, max_chars, peak" in info.value.hint


@pytest.mark.parametrize(
    ("options", "wanted"),
    [({"threads": "two"}, "must be int, not str 'two'"), ({"threads": True}, "must be int, not bool True")],
)
def test_wrongly_typed_option_is_a_config_error(options: dict[str, object], wanted: str) -> None:
    with pytest.raises(ConfigError) as info:
        create_engine("hibari", **options)
    assert wanted in info.value.message and "'threads'" in info.value.message


def test_an_int_is_accepted_where_a_float_is_asked_and_none_is_not_named() -> None:
    engine = create_engine("hibari", peak=1)
    assert isinstance(engine, HibariEngine) and engine.peak == 1
    with pytest.raises(ConfigError) as info:
        create_engine("piper", parallel=1.5)
    assert "must be int, not float 1.5" in info.value.message


def test_api_key_from_api_key_env_is_named_as_the_show_file_wrote_it() -> None:
    with pytest.raises(ConfigError) as info:
        create_engine("hibari", api_key="secret")
    assert "api_key_env" in info.value.message
    assert "secret" not in str(info.value)


def test_callable_seams_are_not_offered_to_show_files() -> None:
    with pytest.raises(ConfigError) as info:
        create_engine("chatterbox", voice_dir="x")
    assert "weights_dir, device, max_chars, batch_size" in info.value.hint
    assert "model_factory" not in info.value.hint


class _Picky:
    """An engine whose constructor refuses a value its signature allows."""

    def __init__(self, rate: int = 16_000) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self.inner = ToneEngine(sample_rate=rate)


def test_a_constructor_refusing_a_value_becomes_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        construct_engine("picky", _Picky, {"rate": -1})
    assert "rate must be positive" in info.value.message
    assert "[engines.picky]" in info.value.hint and "rate" in info.value.hint
    assert isinstance(info.value.__cause__, ValueError)


def test_factories_taking_any_keyword_are_not_checked() -> None:
    def factory(**options: object) -> ToneEngine:
        return ToneEngine(name=str(options.get("name", "tone")))

    assert construct_engine("tone", factory, {"name": "free", "whatever": 1}).name == "free"
    check_options("tone", ToneEngine, {"seconds_per_char": 0.1, "voices": ("a",)})  # rich types unchecked


def test_a_factory_building_no_engine_is_a_voice_error() -> None:
    with pytest.raises(VoiceError):
        construct_engine("odd", _Picky, {})
