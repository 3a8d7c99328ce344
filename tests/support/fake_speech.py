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
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import soundfile as sf

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


@dataclass
class _Fault:
    status: int
    retry_after: float | None


class FakeSpeechServer:
    """A threaded HTTP server on a free loopback port; use as a context manager."""

    def __init__(
        self,
        *,
        sample_rate: int = 24_000,
        seconds_per_char: float = 0.05,
        latency_s: float = 0.0,
        api_key: str | None = None,
    ) -> None:
        self.sample_rate = sample_rate
        self.seconds_per_char = seconds_per_char
        self.latency_s = latency_s
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._faults: deque[_Fault] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, ending in ``/v1``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def fail_next(self, status: int, *, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` requests with ``status`` (and ``Retry-After`` when given)."""
        with self._lock:
            self._faults.extend(_Fault(status, retry_after) for _ in range(times))

    def __enter__(self) -> FakeSpeechServer:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _answer(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {"content-type": "application/json"}, b'{"error": {"message": "invalid api key"}}'
        payload = json.loads(body)
        with self._lock:
            self.requests.append(payload)
            fault = self._faults.popleft() if self._faults else None
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency_s:
                time.sleep(self.latency_s)
            if fault is not None:
                extra = {} if fault.retry_after is None else {"retry-after": f"{fault.retry_after:g}"}
                return fault.status, {"content-type": "application/json", **extra}, b'{"error": "injected"}'
            wav = tone_wav(len(payload["input"]) * self.seconds_per_char, self.sample_rate)
            return 200, {"content-type": "audio/wav"}, wav
        finally:
            with self._lock:
                self.in_flight -= 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                if self.path != "/v1/audio/speech":
                    status, headers, content = 404, {"content-type": "text/plain"}, b"not found"
                else:
                    lowered = {k.lower(): v for k, v in self.headers.items()}
                    status, headers, content = server._answer(lowered, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
