from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from podwright.core.errors import SynthesisError, VoiceError
from podwright.core.show import VoiceRef
from podwright.core.speech import SpeechRequest
from podwright.tts.openai_speech import OpenAISpeechEngine
from tests.support.fake_speech import FakeSpeechServer

VOICE = VoiceRef(engine="openai_speech", voice="nova", settings={"speed": 1.25})


@pytest.fixture
def server() -> Iterator[FakeSpeechServer]:
    with FakeSpeechServer(api_key="sk-test", seconds_per_char=0.02) as server:
        yield server


def _engine(server: FakeSpeechServer, **options: object) -> OpenAISpeechEngine:
    return OpenAISpeechEngine(base_url=server.base_url, api_key="sk-test", backoff_base_s=0.01, **options)  # type: ignore[arg-type]


def test_speaks_in_order_with_the_right_body(server: FakeSpeechServer) -> None:
    texts = ["Short.", "A much longer line of speech than the first one.", "Medium length line."]
    clips = _engine(server).synthesize([SpeechRequest(text=t, voice=VOICE) for t in texts])
    assert [c.sample_rate for c in clips] == [24000] * 3
    for text, clip in zip(texts, clips, strict=True):
        assert clip.duration_s == pytest.approx(len(text) * 0.02, abs=1e-3)
        assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert sorted(r["input"] for r in server.requests) == sorted(texts)
    assert server.requests[0] | {"input": ""} == {
        "model": "tts-1",
        "input": "",
        "voice": "nova",
        "response_format": "wav",
        "speed": 1.25,
    }


def test_concurrency_is_bounded(server: FakeSpeechServer) -> None:
    server.latency_s = 0.05
    requests = [SpeechRequest(text=f"Line number {i}.", voice=VOICE) for i in range(8)]
    _engine(server, concurrency=3).synthesize(requests)
    assert 1 < server.max_in_flight <= 3


def test_retries_429_and_500_honouring_retry_after(server: FakeSpeechServer) -> None:
    server.fail_next(429, times=1, retry_after=0)
    server.fail_next(500, times=1)
    (clip,) = _engine(server, concurrency=1).synthesize([SpeechRequest(text="Retry me.", voice=VOICE)])
    assert clip.duration_s > 0
    assert len(server.requests) == 3


def test_gives_up_after_max_retries(server: FakeSpeechServer) -> None:
    server.fail_next(503, times=5, retry_after=0)
    with pytest.raises(SynthesisError) as info:
        _engine(server, max_retries=2).synthesize([SpeechRequest(text="Nope.", voice=VOICE)])
    assert "3 attempt" in info.value.message
    assert len(server.requests) == 3


def test_bad_key_is_not_retried_and_hints_at_the_key(server: FakeSpeechServer) -> None:
    engine = OpenAISpeechEngine(base_url=server.base_url, api_key="wrong")
    with pytest.raises(SynthesisError) as info:
        engine.synthesize([SpeechRequest(text="Hi.", voice=VOICE)])
    assert "401" in info.value.message and "API key" in info.value.hint


def test_over_long_chunk_is_refused_before_any_request(server: FakeSpeechServer) -> None:
    with pytest.raises(SynthesisError):
        _engine(server, max_chars=10).synthesize([SpeechRequest(text="x" * 11, voice=VOICE)])
    assert server.requests == []


def test_unreachable_server_fails_with_hint() -> None:
    engine = OpenAISpeechEngine(base_url="http://127.0.0.1:9/v1", max_retries=1, backoff_base_s=0.01)
    with pytest.raises(SynthesisError) as info:
        engine.synthesize([SpeechRequest(text="Hi.", voice=VOICE)])
    assert "running" in info.value.hint


def test_openai_without_key_is_unusable_and_other_formats_refused() -> None:
    assert not OpenAISpeechEngine().voice_status("nova").usable
    with pytest.raises(VoiceError):
        OpenAISpeechEngine(response_format="mp3")
