"""The ``openai_speech`` engine: any ``/v1/audio/speech`` server (OpenAI, Kokoro-FastAPI, Chatterbox-Server).

Requests run on a small thread pool (``concurrency``), each chunk limited to ``max_chars``; 408/409/429,
5xx, timeouts and connection failures are retried with exponential backoff that honours
``Retry-After``. Answers are WAV, decoded to float32 mono.
"""

from __future__ import annotations

import io
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import soundfile as sf

from podwright.core.errors import SynthesisError, VoiceError
from podwright.core.speech import AudioClip, EngineVoice, SpeechRequest
from podwright.tts.retrying import backoff_delay, is_retryable

__all__ = ["OpenAISpeechEngine"]

_OPENAI_VOICES = ("alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer")


class OpenAISpeechEngine:
    """Speaks through an OpenAI-compatible speech endpoint. Settings: ``speed`` (float)."""

    name = "openai_speech"
    shares_cpu = False
    """The server speaks; this machine's cores only wait (take QA's Whisper has them to itself)."""

    def __init__(
        self,
        base_url: str = "https://api.openai.com/v1",
        api_key: str | None = None,
        model: str = "tts-1",
        response_format: str = "wav",
        max_chars: int = 4096,
        concurrency: int = 4,
        timeout_s: float = 60.0,
        max_retries: int = 4,
        backoff_base_s: float = 0.5,
        sample_rate: int = 24_000,
        languages: str = "mul",
    ) -> None:
        if response_format != "wav":
            raise VoiceError(
                f"openai_speech response_format {response_format!r} is not supported",
                hint="use response_format='wav' (lossless, decoded without ffmpeg)",
            )
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.response_format = response_format
        self.max_chars = max_chars
        self.concurrency = max(1, concurrency)
        self.batch_size = self.concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.sample_rate = sample_rate
        self.languages = tuple(tag.strip() for tag in languages.split(",") if tag.strip()) or ("mul",)
        """What the server's voices speak: ``mul`` (any language: OpenAI's voices and Chatterbox's
        multilingual server read whatever text they get), or tags like ``en`` for an English-only one."""
        self.version = model
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def cache_identity(self) -> str:
        """What changes this engine's audio: the server, its model and the sample rate asked for."""
        return f"openai_speech {self.base_url}; model={self.model}; rate={self.sample_rate}"

    timbre_settings: frozenset[str] = frozenset()
    """Voice settings that change who is speaking: none (``speed`` only changes the pace)."""

    def load(self) -> float:
        """Open the HTTP connection pool (no request is made); returns the seconds it took."""
        with self._lock:
            if self._client is not None:
                return 0.0
            started = time.perf_counter()
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            self._client = httpx.Client(
                base_url=self.base_url,
                headers=headers,
                timeout=self.timeout_s,
                limits=httpx.Limits(max_connections=self.concurrency),
            )
            return time.perf_counter() - started

    def close(self) -> None:
        """Close the connection pool."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def voice_status(self, voice: str) -> EngineVoice:
        """Any voice id is accepted (servers define their own); unusable only when a key is missing."""
        if "api.openai.com" in self.base_url and not self.api_key:
            return EngineVoice(
                engine=self.name,
                voice=voice,
                usable=False,
                reason="no API key; set OPENAI_API_KEY (or point base_url at a local server)",
                languages=self.languages,
            )
        return EngineVoice(
            engine=self.name,
            voice=voice,
            description=f"{self.model} at {self.base_url}",
            languages=self.languages,
        )

    def voices(self) -> list[EngineVoice]:
        """OpenAI's standard voices; other servers accept their own voice ids as well."""
        return [self.voice_status(voice) for voice in _OPENAI_VOICES]

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[AudioClip]:
        """Speak each request, up to ``concurrency`` at a time; results are in input order."""
        for request in requests:
            if len(request.text) > self.max_chars:
                raise SynthesisError(
                    f"a chunk of {len(request.text)} characters exceeds the limit of {self.max_chars}",
                    hint="chunk text with the engine's max_chars before synthesis",
                )
        self.load()
        if len(requests) <= 1 or self.concurrency == 1:
            return [self._speak(request) for request in requests]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(requests))) as pool:
            return list(pool.map(self._speak, requests))

    def _speak(self, request: SpeechRequest) -> AudioClip:
        body = {
            "model": self.model,
            "input": request.text,
            "voice": request.voice.voice,
            "response_format": self.response_format,
            "speed": float(request.voice.settings.get("speed", 1.0)),
        }
        started = time.perf_counter()
        attempt = 0
        while True:
            attempt += 1
            status: int | None = None
            retry_after: float | None = None
            timed_out = False
            detail = ""
            try:
                assert self._client is not None
                response = self._client.post("/audio/speech", json=body)
                if response.status_code == 200:
                    return self._decode(response.content, time.perf_counter() - started)
                status = response.status_code
                retry_after = _retry_after(response.headers.get("retry-after"))
                detail = response.text[:200]
            except httpx.TimeoutException:
                timed_out = True
                detail = f"no answer within {self.timeout_s:g} s"
            except httpx.TransportError as exc:
                detail = f"connection failed: {exc}"
            if not is_retryable(status, timeout=timed_out) or attempt > self.max_retries:
                raise _error(self.base_url, status, detail, attempt)
            time.sleep(
                backoff_delay(attempt, retry_after, base_s=self.backoff_base_s, jitter=random.random())
            )

    def _decode(self, content: bytes, compute_s: float) -> AudioClip:
        try:
            samples, rate = sf.read(io.BytesIO(content), dtype="float32", always_2d=True)
        except (RuntimeError, sf.LibsndfileError) as exc:
            raise SynthesisError(
                f"the speech server at {self.base_url} returned audio that is not a readable WAV: {exc}",
                hint="check that the server supports response_format='wav'",
            ) from exc
        mono = samples.mean(axis=1).astype(np.float32)
        if int(rate) != self.sample_rate:
            raise SynthesisError(
                f"the speech server returned {rate} Hz audio, the engine expects {self.sample_rate} Hz",
                hint=f"set the engine's sample_rate to {rate}",
            )
        return AudioClip(samples=mono, sample_rate=int(rate), compute_s=compute_s)


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _error(base_url: str, status: int | None, detail: str, attempts: int) -> SynthesisError:
    if status in (401, 403):
        return SynthesisError(
            f"the speech server at {base_url} refused the API key (HTTP {status})",
            hint="set a valid API key for openai_speech (OPENAI_API_KEY) or check the server's auth",
        )
    if status == 404:
        return SynthesisError(
            f"{base_url}/audio/speech does not exist (HTTP 404)",
            hint="base_url should end in /v1 for OpenAI-compatible servers",
        )
    where = f"HTTP {status}" if status is not None else "no answer"
    return SynthesisError(
        f"speech request to {base_url} failed after {attempts} attempt(s) ({where}): {detail}",
        hint="check that the speech server is running; lower concurrency if it keeps returning 429",
    )
