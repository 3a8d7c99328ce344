"""A real static file server on 127.0.0.1 for tests, plus addresses that fail in known ways.

``serve_files(root)`` serves a folder (content types guessed from extensions, overridable per file
name) from a background thread; ``closed_port_url()`` names a port nothing listens on, and
``silent_server()`` accepts connections but never answers (a read timeout).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["closed_port_url", "serve_files", "silent_server"]


class _QuietFiles(SimpleHTTPRequestHandler):
    content_types: Mapping[str, str] = {}

    def guess_type(self, path: str | Any) -> str:
        name = Path(str(path)).name
        if name in self.content_types:
            return self.content_types[name]
        return super().guess_type(path)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_files(root: Path, *, content_types: Mapping[str, str] | None = None) -> Iterator[str]:
    """Serve ``root`` over HTTP on a free loopback port; yields the base URL (no trailing slash)."""
    handler = type("Handler", (_QuietFiles,), {"content_types": dict(content_types or {})})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    # A short poll interval keeps shutdown (and so each test's teardown) quick.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="serve_files", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url(path: str = "/page.html") -> str:
    """A URL on 127.0.0.1 whose port had a listener a moment ago and has none now (refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


@contextmanager
def silent_server() -> Iterator[str]:
    """A loopback listener that completes the TCP handshake but never reads or answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/slow.html"
