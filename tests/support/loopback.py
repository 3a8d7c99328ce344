"""The shared core of the loopback fake servers: real HTTP on a free 127.0.0.1 port.

A subclass names its ``paths`` and answers ``answer(path, headers, body)``; this class runs the
threaded server, records the JSON bodies, counts requests in flight and queues injected faults::

    class FakeThing(LoopbackServer):
        paths = ("/v1/thing",)
        def answer(self, path, headers, body): ...
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

__all__ = ["Fault", "LoopbackServer", "json_reply"]

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Fault:
    """An injected error answer."""

    status: int
    retry_after: float | None


class LoopbackServer:
    """A threaded HTTP server on a free loopback port; use as a context manager."""

    paths: tuple[str, ...] = ()

    def __init__(self, *, latency_s: float = 0.0, api_key: str | None = None) -> None:
        self.latency_s = latency_s
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._faults: deque[Fault] = deque()
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
            self._faults.extend(Fault(status, retry_after) for _ in range(times))

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        """The reply to one POST to one of ``paths`` (headers lower-cased)."""
        raise NotImplementedError

    def unauthorized(self, headers: dict[str, str]) -> Reply | None:
        """A 401 when the server has a key and the request does not carry it."""
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {"content-type": "application/json"}, b'{"error": {"message": "invalid api key"}}'
        return None

    @contextmanager
    def serving(self, payload: dict[str, Any], *, latency_s: float | None = None) -> Iterator[Reply | None]:
        """Record ``payload``, count it in flight and wait the latency; yields an injected fault's reply."""
        with self._lock:
            self.requests.append(payload)
            fault = self._faults.popleft() if self._faults else None
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            wait = self.latency_s if latency_s is None else latency_s
            if wait:
                time.sleep(wait)
            if fault is None:
                yield None
            else:
                extra = {} if fault.retry_after is None else {"retry-after": f"{fault.retry_after:g}"}
                yield fault.status, {"content-type": "application/json", **extra}, b'{"error": "injected"}'
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
                if self.path not in server.paths:
                    status, headers, content = 404, {"content-type": "text/plain"}, b"not found"
                else:
                    lowered = {k.lower(): v for k, v in self.headers.items()}
                    status, headers, content = server.answer(self.path, lowered, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def json_reply(document: Any, status: int = 200) -> Reply:
    """A JSON reply."""
    return status, {"content-type": "application/json"}, json.dumps(document).encode()
