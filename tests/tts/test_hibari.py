from __future__ import annotations

import numpy as np
import pytest

from podwright.core.errors import VoiceError
from podwright.core.show import VoiceRef
from podwright.core.speech import SpeechRequest
from podwright.tts.hibari import HibariEngine


@pytest.fixture(scope="module")
def engine() -> HibariEngine:
    engine = HibariEngine()
    engine.load()
    return engine


def test_heart_is_usable_and_downloadable_voices_are_not(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path_factory.mktemp("hibari-empty")))
    voices = {v.voice: v for v in HibariEngine().voices()}
    assert voices["heart"].usable
    others = [v for name, v in voices.items() if name != "heart"]
    assert others and not any(v.usable for v in others)
    assert all("download" in v.reason for v in others)


def test_unavailable_voice_fails_without_download(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path_factory.mktemp("hibari-empty")))
    request = SpeechRequest(text="Hi.", voice=VoiceRef(engine="hibari", voice="emma"))
    with pytest.raises(VoiceError):
        HibariEngine().synthesize([request])


@pytest.mark.slow
def test_speaks_deterministically_at_24k_with_headroom(engine: HibariEngine) -> None:
    voice = VoiceRef(engine="hibari", voice="heart", settings={"seed": 7})
    requests = [
        SpeechRequest(text="Welcome back to the show.", voice=voice),
        SpeechRequest(text="Today: caching.", voice=voice),
    ]
    first = engine.synthesize(requests)
    second = engine.synthesize(requests)
    assert [c.sample_rate for c in first] == [24000, 24000]
    assert first[0].duration_s > first[1].duration_s > 0.3
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a.samples, b.samples)
        assert a.samples.dtype == np.float32
        assert 0.05 < float(np.max(np.abs(a.samples))) <= 0.9 + 1e-6


@pytest.mark.slow
def test_speed_setting_changes_length(engine: HibariEngine) -> None:
    slow = SpeechRequest(
        text="A sentence of some length.",
        voice=VoiceRef(engine="hibari", voice="heart", settings={"speed": 0.8}),
    )
    fast = SpeechRequest(
        text="A sentence of some length.",
        voice=VoiceRef(engine="hibari", voice="heart", settings={"speed": 1.3}),
    )
    a, b = engine.synthesize([slow, fast])
    assert a.duration_s > b.duration_s
