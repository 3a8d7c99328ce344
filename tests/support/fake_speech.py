"""A loopback OpenAI-compatible speech server: real HTTP on 127.0.0.1, ``POST /v1/audio/speech``.

Answers with a WAV of a sine tone whose duration is proportional to the input text (``seconds_per_char``);
latency and faults are programmable::

    with FakeSpeechServer() as server:
        server.fail_next(429, times=2, retry_after=0)   # then succeed
        engine = OpenAISpeechEngine(base_url=server.base_url, api_key="test")
        ...
        server.requests                                  # JSON bodies received, in order

"""

from __future__ import annotations

import io
import json

import numpy as np
import soundfile as sf

from tests.support.loopback import LoopbackServer

__all__ = ["FakeSpeechServer", "tone_wav"]


def tone_wav(seconds: float, sample_rate: int = 24_000, pitch: float = 220.0) -> bytes:
    """A 16-bit mono WAV of a sine tone."""
    t = np.arange(max(1, round(seconds * sample_rate))) / sample_rate
    buffer = io.BytesIO()
    sf.write(
        buffer,
        (0.3 * np.sin(2 * np.pi * pitch * t)).astype(np.float32),
        sample_rate,
        format="WAV",
        subtype="PCM_16",
    )
    return buffer.getvalue()


class FakeSpeechServer(LoopbackServer):
    """A threaded HTTP server on a free loopback port; use as a context manager."""

    paths = ("/v1/audio/speech",)

    def __init__(
        self,
        *,
        sample_rate: int = 24_000,
        seconds_per_char: float = 0.05,
        latency_s: float = 0.0,
        api_key: str | None = None,
    ) -> None:
        super().__init__(latency_s=latency_s, api_key=api_key)
        self.sample_rate = sample_rate
        self.seconds_per_char = seconds_per_char

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """A WAV tone as long as the input text asks for."""
        refused = self.unauthorized(headers)
        if refused is not None:
            return refused
        payload = json.loads(body)
        with self.serving(payload) as fault:
            if fault is not None:
                return fault
            wav = tone_wav(len(payload["input"]) * self.seconds_per_char, self.sample_rate)
            return 200, {"content-type": "audio/wav"}, wav
