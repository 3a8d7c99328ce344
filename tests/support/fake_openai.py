"""A real OpenAI-compatible chat server on 127.0.0.1 for tests and benchmarks.

``POST /v1/chat/completions`` answers from a programmable responder with a latency model
(``ttft_s + completion_tokens / tokens_per_s``, slept in the handler thread: the server is threaded,
so concurrent requests overlap like they do at a real provider), OpenRouter-style usage, a simulated
prompt cache, optional cost, and fault injection. Every request is logged with its arrival and
finish times so tests can assert concurrency and byte-identical prompt prefixes.

Web search, the way OpenRouter does it: a request with the ``web`` plugin (``plugins: [{"id": "web",
"max_results": N}]``) or an ``:online`` model gets ``max_results`` (default 5) ``url_citation``
annotations on its message — ``{"type": "url_citation", "url_citation": {"url", "title", "content",
"start_index", "end_index"}}`` — drawn from ``web_pages`` (default: pages named after the request's
last message), and every result is billed at OpenRouter's $0.004 in ``usage.cost`` when prices are
set. Requests without web search never carry annotations.

Prompt-cache rule (message granularity, simple on purpose): the cacheable prefix of a request is its
messages up to and including the last one carrying a ``cache_control`` part, or, when none does,
every message but the last (automatic caching, as OpenAI/DeepSeek do). Every message-prefix of it is
remembered. A later request whose longest remembered message-prefix is at least ``min_cache_tokens``
(default 1024) long reads that many tokens from cache (``prompt_tokens_details.cached_tokens``); an
explicit-breakpoint request that reads nothing from cache reports its prefix as
``cache_write_tokens`` instead. Tokens are estimated as characters / 4 (rounded up).

An answer longer than the request's ``max_tokens`` is cut there (``finish_reason: "length"``,
``completion_tokens = max_tokens``), as a real provider does. Responder results: a ``str`` is the
answer text; a ``dict`` or ``list`` is JSON-encoded into the
answer text (handy for structured replies); a :class:`FakeReply` sets anything. With no responder,
requests with a JSON schema get a minimal instance of the schema and others get a short sentence.
"""

from __future__ import annotations

import hashlib
import json
import math
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

__all__ = [
    "WEB_RESULT_USD",
    "FakeChatServer",
    "FakeReply",
    "RecordedRequest",
    "WebPage",
    "estimate_tokens",
    "sample_from_schema",
    "web_results",
]


@dataclass(frozen=True)
class FakeReply:
    """Everything a responder can set about one answer (``None`` = the server's own estimate)."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None
    model: str | None = None
    finish_reason: str = "stop"
    cost: float | None = None
    latency_s: float | None = None


@dataclass(frozen=True)
class WebPage:
    """One page the fake web search finds: what an ``url_citation`` annotation says about it."""

    url: str
    title: str
    content: str


WEB_RESULT_USD = 0.004
"""What OpenRouter bills per web result ($4 per 1,000)."""


def web_results(body: Mapping[str, Any]) -> int:
    """How many web results ``body`` asks for: the ``web`` plugin's ``max_results``, 5 for ``:online``."""
    for plugin in body.get("plugins") or ():
        if isinstance(plugin, Mapping) and plugin.get("id") == "web":
            return int(plugin.get("max_results") or 5)
    return 5 if str(body.get("model") or "").endswith(":online") else 0


def _topic_pages(body: Mapping[str, Any], count: int) -> list[WebPage]:
    """Pages named after the request's last message, so each topic finds its own."""
    last = (body.get("messages") or [{}])[-1].get("content")
    text = last if isinstance(last, str) else json.dumps(last)
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return [
        WebPage(
            url=f"https://example.org/{digest}/page-{n}",
            title=f"Web page {n} on the topic",
            content=f"Passage {n} of the page: a fact found by web search ({digest}).",
        )
        for n in range(1, count + 1)
    ]


def _annotations(pages: list[WebPage], text: str) -> list[dict[str, Any]]:
    step = max(1, len(text) // max(1, len(pages)))
    return [
        {
            "type": "url_citation",
            "url_citation": {
                "url": page.url,
                "title": page.title,
                "content": page.content,
                "start_index": min(index * step, len(text)),
                "end_index": min((index + 1) * step, len(text)),
            },
        }
        for index, page in enumerate(pages)
    ]


@dataclass
class RecordedRequest:
    """One request as the server saw it."""

    body: dict[str, Any]
    headers: dict[str, str]
    arrived: float
    """``time.perf_counter()`` when the request was read."""
    finished: float | None = None
    """``time.perf_counter()`` when the answer was sent (``None`` for dropped or hung requests)."""
    status: int | None = None
    usage: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Fault:
    kind: Literal["status", "hang", "drop", "malformed_body", "malformed_content"]
    status: int = 500
    retry_after: float | None = None


Responder = Callable[[dict[str, Any]], "FakeReply | dict[str, Any] | list[Any] | str"]


def estimate_tokens(content: object) -> int:
    """Tokens of a message's content (a string or a list of text parts): characters / 4, rounded up."""
    if isinstance(content, str):
        return math.ceil(len(content) / 4)
    if isinstance(content, list):
        return sum(estimate_tokens(part.get("text", "")) for part in content if isinstance(part, dict))
    return 0


def sample_from_schema(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None) -> Any:
    """A minimal instance of a JSON schema (objects with all their properties, one-item arrays)."""
    root = schema if root is None else root
    if "$ref" in schema:
        target: Any = root
        for key in str(schema["$ref"]).removeprefix("#/").split("/"):
            target = target[key]
        return sample_from_schema(target, root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [o for o in schema[combinator] if o.get("type") != "null"] or schema[combinator]
            return sample_from_schema(options[0], root)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: sample_from_schema(sub, root) for name, sub in props.items()}
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        return [sample_from_schema(schema.get("items", {}), root) for _ in range(count)]
    if kind == "string":
        return "x" * max(int(schema.get("minLength", 0)), 4)
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return True
    return None


def _default_responder(body: dict[str, Any]) -> FakeReply | dict[str, Any] | str:
    response_format = body.get("response_format") or {}
    schema = (response_format.get("json_schema") or {}).get("schema") or response_format.get("schema")
    if schema:
        return json.dumps(sample_from_schema(schema))
    return "A fake answer from the loopback chat server."


def _message_key(message: Mapping[str, Any]) -> bytes:
    # The cache is keyed on exact bytes: any change in role, text or markers breaks the prefix.
    return json.dumps(message, sort_keys=True, ensure_ascii=False).encode()


class FakeChatServer:
    """A threaded loopback ``/v1/chat/completions`` server; use as a context manager.

    ``prices`` maps model id → (input, cached input, output) US$ per million tokens; when given,
    every usage carries ``cost`` as OpenRouter's does. ``api_key``, when set, is required as a
    Bearer token (anything else gets 401).
    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        ttft_s: float = 0.0,
        tokens_per_s: float = math.inf,
        min_cache_tokens: int = 1024,
        prices: Mapping[str, tuple[float, float, float]] | None = None,
        api_key: str | None = None,
        hang_s: float = 30.0,
        web_pages: list[WebPage] | None = None,
    ) -> None:
        self.responder: Responder = responder or _default_responder
        self.web_pages = list(web_pages) if web_pages is not None else None
        self.ttft_s = ttft_s
        self.tokens_per_s = tokens_per_s
        self.min_cache_tokens = min_cache_tokens
        self.prices = dict(prices or {})
        self.api_key = api_key
        self.hang_s = hang_s
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults: list[_Fault] = []
        self._seen_prefixes: set[bytes] = set()
        self._closing = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> FakeChatServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        """Bind a free port on 127.0.0.1 and serve in a background thread."""
        server = self

        class Handler(_ChatHandler):
            fake = server

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        # A short poll interval: shutdown() waits up to one interval, and tests close many servers.
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving; hung requests are released."""
        self._closing.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    # -- fault injection ---------------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        """The next ``times`` requests get HTTP ``status`` (with ``Retry-After`` when given)."""
        self._add(_Fault("status", status=status, retry_after=retry_after), times)

    def timeout_next(self, times: int = 1) -> None:
        """The next ``times`` requests hang (``hang_s``, or until close) without answering."""
        self._add(_Fault("hang"), times)

    def drop_next(self, times: int = 1) -> None:
        """The next ``times`` requests have their connection closed without an answer."""
        self._add(_Fault("drop"), times)

    def malformed_next(self, times: int = 1, *, kind: Literal["body", "content"] = "body") -> None:
        """The next ``times`` requests get 200 with a non-JSON body, or (``content``) non-JSON answer text."""
        self._add(_Fault("malformed_body" if kind == "body" else "malformed_content"), times)

    def _add(self, fault: _Fault, times: int) -> None:
        with self._lock:
            self._faults.extend([fault] * times)

    def _take_fault(self) -> _Fault | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    # -- inspection ------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def max_concurrency(self) -> int:
        """The most requests that were in flight at the same moment (answered requests only)."""
        events: list[tuple[float, int]] = []
        for r in self.requests:
            if r.finished is not None:
                events += [(r.arrived, 1), (r.finished, -1)]
        peak = current = 0
        for _, delta in sorted(events, key=lambda e: (e[0], e[1])):
            current += delta
            peak = max(peak, current)
        return peak

    def reset(self) -> None:
        """Forget requests, faults and the prompt cache."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
            self._seen_prefixes.clear()

    # -- answering (called from handler threads) ---------------------------------------------------

    def _cache(self, messages: list[dict[str, Any]]) -> tuple[int, int]:
        """(cached tokens, cache-write tokens) for ``messages`` under the documented rule."""
        marked = [i for i, m in enumerate(messages) if _has_cache_control(m)]
        end = marked[-1] + 1 if marked else len(messages) - 1
        digest = hashlib.sha256()
        prefixes: list[tuple[bytes, int]] = []
        tokens = 0
        for message in messages[:end]:
            digest.update(_message_key(message))
            tokens += estimate_tokens(message.get("content"))
            prefixes.append((digest.copy().digest(), tokens))
        with self._lock:
            hits = [count for key, count in prefixes if key in self._seen_prefixes]
            self._seen_prefixes.update(key for key, _ in prefixes)
        cached = max(hits, default=0)
        cached = cached if cached >= self.min_cache_tokens else 0
        total_prefix = prefixes[-1][1] if prefixes else 0
        written = total_prefix if marked and cached == 0 and total_prefix >= self.min_cache_tokens else 0
        return cached, written

    def _answer(self, body: dict[str, Any], fault: _Fault | None) -> tuple[dict[str, Any], float]:
        raw = self.responder(body)
        reply = (
            raw
            if isinstance(raw, FakeReply)
            else FakeReply(text=raw if isinstance(raw, str) else json.dumps(raw))
        )
        if fault is not None and fault.kind == "malformed_content":
            reply = FakeReply(text="Sure! Here is some prose instead of the JSON you asked for.")
        messages = body.get("messages") or []
        prompt = reply.prompt_tokens
        if prompt is None:
            prompt = sum(estimate_tokens(m.get("content")) for m in messages)
        cached, written = self._cache(messages)
        if reply.cached_tokens is not None:
            cached = reply.cached_tokens
        completion = (
            reply.completion_tokens if reply.completion_tokens is not None else estimate_tokens(reply.text)
        )
        # Like a real provider, the answer stops at max_tokens: cut text, "length", billed at the cap.
        cap = body.get("max_tokens")
        if isinstance(cap, int) and completion > cap:
            reply = FakeReply(
                text=reply.text[: cap * 4],
                prompt_tokens=reply.prompt_tokens,
                cached_tokens=reply.cached_tokens,
                model=reply.model,
                finish_reason="length",
                latency_s=reply.latency_s,
            )
            completion = cap
        model = reply.model or body.get("model") or (body.get("models") or ["fake-model"])[0]
        usage: dict[str, Any] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": written},
        }
        cost = reply.cost
        if cost is None and model in self.prices:
            price_in, price_cached, price_out = self.prices[model]
            cost = ((prompt - cached) * price_in + cached * price_cached + completion * price_out) / 1e6
        results = web_results(body)
        pages = (self.web_pages if self.web_pages is not None else _topic_pages(body, results))[:results]
        if cost is not None:
            usage["cost"] = cost + len(pages) * WEB_RESULT_USD
        latency = reply.latency_s
        if latency is None:
            latency = self.ttft_s + (completion / self.tokens_per_s if self.tokens_per_s > 0 else 0.0)
        message: dict[str, Any] = {"role": "assistant", "content": reply.text}
        if pages:
            message["annotations"] = _annotations(pages, reply.text)
        payload = {
            "id": f"fake-{time.monotonic_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": usage,
        }
        return payload, latency


def _has_cache_control(message: Mapping[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(isinstance(p, dict) and "cache_control" in p for p in content)


class _ChatHandler(BaseHTTPRequestHandler):
    fake: FakeChatServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_POST(self) -> None:
        """Answer one chat completion (or inject the next fault)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        arrived = time.perf_counter()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"_unparsed": raw.decode(errors="replace")}
        record = RecordedRequest(body=body, headers=dict(self.headers.items()), arrived=arrived)
        with self.fake._lock:
            self.fake._requests.append(record)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_json(record, 404, {"error": {"message": f"no route {self.path}"}})
            return
        if (
            self.fake.api_key is not None
            and self.headers.get("Authorization") != f"Bearer {self.fake.api_key}"
        ):
            self._send_json(record, 401, {"error": {"message": "No auth credentials found", "code": 401}})
            return
        fault = self.fake._take_fault()
        if fault is not None and fault.kind == "hang":
            self.fake._closing.wait(self.fake.hang_s)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "status":
            extra = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
            message = {"error": {"message": f"injected failure {fault.status}", "code": fault.status}}
            self._send_json(record, fault.status, message, extra)
            return
        if fault is not None and fault.kind == "malformed_body":
            self._send(record, 200, b"{this is not json", "application/json")
            return
        payload, latency = self.fake._answer(body, fault)
        record.usage = payload["usage"]
        if latency > 0:
            self.fake._closing.wait(latency)
        self._send_json(record, 200, payload)

    def _send_json(
        self, record: RecordedRequest, status: int, payload: object, headers: Mapping[str, str] | None = None
    ) -> None:
        self._send(record, status, json.dumps(payload).encode(), "application/json", headers)

    def _send(
        self,
        record: RecordedRequest,
        status: int,
        data: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        record.status = status
        record.finished = time.perf_counter()
