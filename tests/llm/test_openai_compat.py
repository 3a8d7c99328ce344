"""The OpenAI-compatible provider against a real HTTP server on loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from podwright.core import LLMRequest, Message, Task
from podwright.core.errors import ProviderError
from podwright.llm.openai_compat import (
    OpenAICompatClient,
    is_strict_schema,
    model_family,
    needs_cache_control,
)
from podwright.llm.retry import RetryPolicy
from podwright.llm.retrying import RetryingClient
from tests.support.fake_openai import FakeChatServer, FakeReply

STATIC = "You are two podcast hosts. " * 200


def _request(model: str | None = "openai/gpt-4.1-mini", **update: Any) -> LLMRequest:
    fields: dict[str, Any] = {
        "task": Task.SEGMENT,
        "model": model,
        "messages": (
            Message(role="system", content=STATIC, cache_breakpoint=True),
            Message(role="user", content="Write segment 2."),
        ),
        "max_tokens": 300,
        "temperature": 0.5,
        **update,
    }
    return LLMRequest(**fields)


@pytest.fixture
async def client(fake_openai: FakeChatServer) -> AsyncIterator[OpenAICompatClient]:
    client = OpenAICompatClient(fake_openai.base_url, "sk-test", timeout_s=5.0)
    yield client
    await client.aclose()


class _Sleeps:
    """Records the delays a RetryingClient asks for, without waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.mark.parametrize(
    ("model", "family", "marks"),
    [
        ("anthropic/claude-sonnet-4.5", "anthropic", True),
        ("claude-3-5-haiku-latest", "anthropic", True),
        ("google/gemini-2.5-flash-lite", "gemini", True),
        ("google/gemma-3-27b-it", "other", False),
        ("openai/gpt-4.1", "openai", False),
        ("gpt-4.1-mini", "openai", False),
        ("deepseek/deepseek-chat", "deepseek", False),
        ("meta-llama/llama-3.3-70b-instruct", "other", False),
        ("mistralai/claude-lookalike", "other", False),
        ("qwen2.5-coder-1.5b-instruct-q4_k_m", "other", False),
    ],
)
def test_model_family_reads_the_vendor_prefix(model: str, family: str, marks: bool) -> None:
    assert model_family(model) == family
    assert needs_cache_control(model) is marks


async def test_plain_request_body(client: OpenAICompatClient, fake_openai: FakeChatServer) -> None:
    fake_openai.responder = lambda body: "Hello listeners."
    response = await client.complete(_request())
    assert response.text == "Hello listeners."
    (seen,) = fake_openai.requests
    assert seen.headers["Authorization"] == "Bearer sk-test"
    assert seen.body == {
        "model": "openai/gpt-4.1-mini",
        "messages": [
            {"role": "system", "content": STATIC},
            {"role": "user", "content": "Write segment 2."},
        ],
        "max_tokens": 300,
        "temperature": 0.5,
    }


async def test_anthropic_body_marks_the_breakpoint_and_lists_fallbacks(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    schema = {
        "type": "object",
        "properties": {"title": {"type": "string"}},
        "required": ["title"],
        "additionalProperties": False,
    }
    request = _request(
        "anthropic/claude-sonnet-4.5",
        fallbacks=("openai/gpt-4.1",),
        json_schema=schema,
        schema_name="Outline",
    )
    await client.complete(request)
    body = fake_openai.requests[0].body
    assert body["model"] == "anthropic/claude-sonnet-4.5"
    assert body["models"] == ["anthropic/claude-sonnet-4.5", "openai/gpt-4.1"]
    assert body["messages"][0] == {
        "role": "system",
        "content": [{"type": "text", "text": STATIC, "cache_control": {"type": "ephemeral"}}],
    }
    assert body["messages"][1] == {"role": "user", "content": "Write segment 2."}
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "Outline", "strict": True, "schema": schema},
    }
    assert "usage" not in body  # only OpenRouter hosts are asked for usage accounting


@pytest.mark.parametrize(
    ("schema", "strict"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}, False),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
            False,
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "array", "items": {"$ref": "#/$defs/B"}}},
                "required": ["a"],
                "additionalProperties": False,
                "$defs": {"B": {"type": "object", "properties": {"x": {"type": "integer"}}}},
            },
            False,
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "array", "items": {"$ref": "#/$defs/B"}}},
                "required": ["a"],
                "additionalProperties": False,
                "$defs": {
                    "B": {
                        "type": "object",
                        "properties": {"x": {"type": "integer"}},
                        "required": ["x"],
                        "additionalProperties": False,
                    }
                },
            },
            True,
        ),
    ],
)
def test_strict_only_for_schemas_strict_mode_accepts(schema: dict[str, Any], strict: bool) -> None:
    assert is_strict_schema(schema) is strict
    request = _request(json_schema=schema)
    body = OpenAICompatClient("http://127.0.0.1:9/v1", None).request_body(request)
    assert body["response_format"]["json_schema"]["strict"] is strict


def test_openrouter_host_asks_for_usage_accounting() -> None:
    client = OpenAICompatClient("https://openrouter.ai/api/v1", None)
    assert client.request_body(_request())["usage"] == {"include": True}


async def test_the_cache_prefix_is_byte_identical_across_calls(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    for n in range(3):
        request = _request("anthropic/claude-sonnet-4.5")
        request = request.model_copy(
            update={"messages": (request.messages[0], Message(role="user", content=f"Write segment {n}."))}
        )
        await client.complete(request)
    first_messages = [json.dumps(r.body["messages"][0], sort_keys=True) for r in fake_openai.requests]
    assert len(set(first_messages)) == 1
    cached = [r.usage["prompt_tokens_details"]["cached_tokens"] for r in fake_openai.requests if r.usage]
    assert cached[0] == 0
    assert cached[1] == cached[2] > 1024


async def test_usage_cost_and_served_model_are_parsed(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    fake_openai.responder = lambda body: FakeReply(
        text="ok",
        prompt_tokens=1500,
        completion_tokens=40,
        cached_tokens=1200,
        cost=0.0123,
        model="openai/gpt-4.1",
    )
    response = await client.complete(_request("openai/gpt-4.1-mini"))
    assert response.model_asked == "openai/gpt-4.1-mini"
    assert response.model_served == "openai/gpt-4.1"
    assert response.usage.input_tokens == 1500
    assert response.usage.cached_tokens == 1200
    assert response.usage.output_tokens == 40
    assert response.usage.cost_usd == pytest.approx(0.0123)
    assert response.usage.cost_source == "provider"
    assert response.finish_reason == "stop"
    assert response.latency_s > 0


async def test_usage_without_cost_is_unknown(client: OpenAICompatClient) -> None:
    response = await client.complete(_request())
    assert response.usage.cost_usd is None
    assert response.usage.cost_source == "unknown"


async def test_429_with_retry_after_then_success(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    fake_openai.fail_next(429, retry_after=3)
    sleeps = _Sleeps()
    retrying = RetryingClient(client, RetryPolicy(), sleep=sleeps, rand=lambda: 0.0)
    response = await retrying.complete(_request())
    assert response.text
    assert sleeps.delays == [3.0]
    assert [r.status for r in fake_openai.requests] == [429, 200]


async def test_500_is_retried_with_backoff_then_given_up(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    fake_openai.fail_next(500, times=5)
    sleeps = _Sleeps()
    retrying = RetryingClient(client, RetryPolicy(max_attempts=3), sleep=sleeps, rand=lambda: 0.0)
    with pytest.raises(ProviderError) as caught:
        await retrying.complete(_request())
    assert caught.value.status == 500
    assert sleeps.delays == [0.5, 1.0]
    assert len(fake_openai.requests) == 3


async def test_400_is_not_retried(client: OpenAICompatClient, fake_openai: FakeChatServer) -> None:
    fake_openai.fail_next(400)
    sleeps = _Sleeps()
    with pytest.raises(ProviderError) as caught:
        await RetryingClient(client, sleep=sleeps).complete(_request())
    assert caught.value.status == 400
    assert "injected failure 400" in caught.value.message
    assert sleeps.delays == []
    assert len(fake_openai.requests) == 1


async def test_401_names_the_api_key() -> None:
    with FakeChatServer(api_key="right-key") as server:
        client = OpenAICompatClient(server.base_url, "wrong-key")
        try:
            with pytest.raises(ProviderError) as caught:
                await client.complete(_request())
        finally:
            await client.aclose()
    assert caught.value.status == 401
    assert "OPENROUTER_API_KEY" in caught.value.hint
    assert "wrong-key" not in str(caught.value)


async def test_404_hints_at_the_route(client: OpenAICompatClient, fake_openai: FakeChatServer) -> None:
    fake_openai.fail_next(404)
    with pytest.raises(ProviderError) as caught:
        await client.complete(_request("openai/gpt-9"))
    assert caught.value.status == 404
    assert "openai/gpt-9" in caught.value.hint


async def test_timeout_is_a_retryable_provider_error(fake_openai: FakeChatServer) -> None:
    fake_openai.timeout_next()
    client = OpenAICompatClient(fake_openai.base_url, None, timeout_s=0.3)
    sleeps = _Sleeps()
    try:
        response = await RetryingClient(client, sleep=sleeps, rand=lambda: 0.0).complete(_request())
    finally:
        await client.aclose()
    assert response.text
    assert sleeps.delays == [0.5]
    assert len(fake_openai.requests) == 2


async def test_timeout_error_fields(fake_openai: FakeChatServer) -> None:
    fake_openai.timeout_next()
    client = OpenAICompatClient(fake_openai.base_url, None, timeout_s=0.3)
    try:
        with pytest.raises(ProviderError) as caught:
            await client.complete(_request())
    finally:
        await client.aclose()
    assert caught.value.timeout is True
    assert caught.value.status is None


async def test_dropped_connection_is_a_timeout_class_error(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    fake_openai.drop_next()
    with pytest.raises(ProviderError) as caught:
        await client.complete(_request())
    assert caught.value.timeout is True


async def test_malformed_body_is_retried_once_only(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    fake_openai.malformed_next(times=1)
    sleeps = _Sleeps()
    response = await RetryingClient(client, sleep=sleeps, rand=lambda: 0.0).complete(_request())
    assert response.text
    fake_openai.malformed_next(times=2)
    with pytest.raises(ProviderError) as caught:
        await RetryingClient(client, sleep=sleeps, rand=lambda: 0.0).complete(_request())
    assert caught.value.status is None
    assert caught.value.timeout is False
    assert "malformed" in caught.value.message


async def test_unreachable_server_is_a_provider_error() -> None:
    with FakeChatServer() as server:
        url = server.base_url
    client = OpenAICompatClient(url, None, timeout_s=2.0)
    try:
        with pytest.raises(ProviderError) as caught:
            await client.complete(_request())
    finally:
        await client.aclose()
    assert caught.value.timeout is True
