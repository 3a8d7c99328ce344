"""Web search on the wire: the ``web`` plugin or ``:online`` asked, ``url_citation`` annotations kept —
through the provider, the response cache and the budget guard — as OpenRouter returns them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from podwright.core import Citation, LLMRequest, Message, Task, WebSearch
from podwright.llm.cache import CachingClient, request_key
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.pricing import WEB_RESULT_TOKENS, WEB_RESULT_USD, PriceTable
from podwright.llm.wrappers import BudgetGuardClient
from podwright.store.db import connect
from podwright.store.responses import SQLiteAnswers
from tests.support.fake_openai import FakeChatServer, WebPage

PAGES = [
    WebPage(
        url="https://tides.example/moon", title="The Moon and the tides", content="The Moon pulls the sea."
    ),
    WebPage(url="https://tides.example/sun", title="Solar tides", content="The Sun adds a smaller bulge."),
    WebPage(url="https://tides.example/moon", title="Duplicate", content="Cited twice, kept once."),
]


def _request(**update: Any) -> LLMRequest:
    fields: dict[str, Any] = {
        "task": Task.RESEARCH,
        "model": "openai/gpt-4.1-mini",
        "messages": (Message(role="user", content="Research the tides."),),
        "max_tokens": 200,
        "episode_id": "ep",
        "stage": "research",
        **update,
    }
    return LLMRequest(**fields)


async def test_the_web_plugin_is_sent_and_citations_come_back_once_per_url() -> None:
    with FakeChatServer(lambda body: "The Moon pulls; the Sun helps.", web_pages=PAGES) as server:
        client = OpenAICompatClient(server.base_url, "sk")
        try:
            answer = await client.complete(_request(web_search=WebSearch(max_results=3)))
            plain = await client.complete(_request())
        finally:
            await client.aclose()
        bodies = [request.body for request in server.requests]
    assert bodies[0]["plugins"] == [{"id": "web", "max_results": 3}]
    assert bodies[0]["model"] == "openai/gpt-4.1-mini"
    assert "plugins" not in bodies[1] and plain.citations == ()
    assert [c.url for c in answer.citations] == ["https://tides.example/moon", "https://tides.example/sun"]
    first = answer.citations[0]
    assert (first.title, first.passage) == ("The Moon and the tides", "The Moon pulls the sea.")
    assert first.start_index == 0 and first.end_index is not None and first.end_index > 0


async def test_online_asks_for_the_models_online_variant_and_its_fallbacks() -> None:
    with FakeChatServer(lambda body: "ok") as server:
        client = OpenAICompatClient(server.base_url, "sk")
        try:
            request = _request(web_search=WebSearch(via="online"), fallbacks=("openai/gpt-4.1",))
            answer = await client.complete(request)
        finally:
            await client.aclose()
        body = server.requests[0].body
    assert body["model"] == "openai/gpt-4.1-mini:online"
    assert body["models"] == ["openai/gpt-4.1-mini:online", "openai/gpt-4.1:online"]
    assert "plugins" not in body
    assert len(answer.citations) == 5  # OpenRouter's default result count for :online


async def test_malformed_annotations_are_skipped_not_fatal() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        message = {
            "role": "assistant",
            "content": "ok",
            "annotations": [
                {"type": "file_citation", "file_citation": {"file_id": "f"}},
                {"type": "url_citation", "url_citation": "not an object"},
                {"type": "url_citation", "url_citation": {"title": "no url"}},
                {"type": "url_citation", "url_citation": {"url": " https://a.example ", "start_index": -1}},
            ],
        }
        return httpx.Response(200, json={"choices": [{"message": message, "finish_reason": "stop"}]})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = OpenAICompatClient("https://openrouter.ai/api/v1", "sk", http_client=http)
    try:
        answer = await client.complete(_request(web_search=WebSearch()))
    finally:
        await http.aclose()
    assert answer.citations == (Citation(url="https://a.example"),)


async def test_a_replayed_answer_keeps_its_citations(tmp_path: Path) -> None:
    conn = connect(tmp_path / "db.sqlite")
    with FakeChatServer(lambda body: "answer", web_pages=PAGES[:2]) as server:
        inner = OpenAICompatClient(server.base_url, "sk")
        cached = CachingClient(inner, SQLiteAnswers(conn))
        try:
            first = await cached.complete(_request(web_search=WebSearch(max_results=2)))
            again = await cached.complete(_request(web_search=WebSearch(max_results=2)))
        finally:
            await inner.aclose()
        assert len(server.requests) == 1
    assert again.from_cache and again.citations == first.citations and len(first.citations) == 2
    # Asking for a search is part of the key; a request without one keeps the key it always had.
    assert request_key(_request()) != request_key(_request(web_search=WebSearch(max_results=2)))
    assert request_key(_request(web_search=WebSearch(max_results=2))) != request_key(
        _request(web_search=WebSearch(max_results=3))
    )


def test_the_budget_guard_counts_what_a_search_adds() -> None:
    prices = PriceTable.default()
    guard = BudgetGuardClient(OpenAICompatClient("http://127.0.0.1:9", None), 1.0, prices)
    plain = guard.estimate(_request())
    searched = guard.estimate(_request(web_search=WebSearch(max_results=4)))
    assert plain is not None and searched is not None
    rate = prices.prices["openai/gpt-4.1-mini"].input / 1_000_000
    assert abs(searched - plain - 4 * (WEB_RESULT_USD + WEB_RESULT_TOKENS * rate)) < 1e-12
