"""Routing, concurrency, budget guard, logging and the composed stack, over the loopback fake server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from podwright.core import (
    CallRecord,
    LLMRequest,
    LLMResponse,
    LLMSettings,
    Message,
    ModelRoute,
    ModelTier,
    Task,
)
from podwright.core.errors import BudgetExceeded, ProviderError
from podwright.llm.local import LOCAL_MODEL_ID
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.pricing import PriceTable
from podwright.llm.retry import RetryPolicy
from podwright.llm.stack import build_stack
from podwright.llm.wrappers import BudgetGuardClient, ConcurrencyLimitedClient, LoggingClient, RoutedClient
from tests.support.fake_openai import FakeChatServer, FakeReply


class ListLedger:
    """The Ledger protocol over a list."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    def record_call(self, record: CallRecord) -> None:
        self.records.append(record)


SETTINGS = LLMSettings(
    provider="openai_compat",
    tiers={
        ModelTier.PRIMARY: ModelRoute(model="anthropic/claude-sonnet-4.5", fallbacks=("openai/gpt-4.1",)),
        ModelTier.LIGHT: ModelRoute(model="google/gemini-2.5-flash-lite"),
    },
    temperature=0.9,
    max_concurrency=2,
)


def _request(task: Task = Task.SEGMENT, **update: Any) -> LLMRequest:
    fields: dict[str, Any] = {
        "task": task,
        "messages": (Message(role="user", content="Write the segment."),),
        "max_tokens": 100,
        "episode_id": "ep-1",
        **update,
    }
    return LLMRequest(**fields)


@pytest.fixture
async def provider(fake_openai: FakeChatServer) -> AsyncIterator[OpenAICompatClient]:
    client = OpenAICompatClient(fake_openai.base_url, "sk-test", timeout_s=5.0)
    yield client
    await client.aclose()


async def test_router_fills_model_fallbacks_tier_and_temperature(
    provider: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    routed = RoutedClient(provider, SETTINGS)
    await routed.complete(_request(Task.SEGMENT))
    await routed.complete(_request(Task.METADATA))
    await routed.complete(_request(Task.METADATA, model="openai/gpt-4.1-mini", temperature=0.2))
    primary, light, pinned = (r.body for r in fake_openai.requests)
    assert (primary["model"], primary["models"], primary["temperature"]) == (
        "anthropic/claude-sonnet-4.5",
        ["anthropic/claude-sonnet-4.5", "openai/gpt-4.1"],
        0.9,
    )
    assert (light["model"], "models" in light) == ("google/gemini-2.5-flash-lite", False)
    assert (pinned["model"], pinned["temperature"]) == ("openai/gpt-4.1-mini", 0.2)
    assert routed.route(_request(Task.SUMMARY)).tier is ModelTier.LIGHT


async def test_concurrency_limit_holds_at_the_server(
    provider: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    fake_openai.ttft_s = 0.2
    limited = ConcurrencyLimitedClient(provider, 2)
    await asyncio.gather(*(limited.complete(_request(model="openai/gpt-4.1")) for _ in range(6)))
    assert len(fake_openai.requests) == 6
    assert fake_openai.max_concurrency() == 2


async def test_budget_guard_refuses_before_calling(
    provider: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    guard = BudgetGuardClient(provider, 0.00001, PriceTable.default())
    # The prompt alone (~30 tokens at $3/Mtok) plus a minimal answer ($15/Mtok) is over $0.00001.
    with pytest.raises(BudgetExceeded) as caught:
        await guard.complete(_request(model="anthropic/claude-sonnet-4.5"))
    assert fake_openai.requests == []
    assert "ep-1" in caught.value.message
    assert "budget_usd" in caught.value.hint


async def test_budget_guard_cuts_the_last_call_to_what_is_left(
    provider: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    fake_openai.responder = lambda body: FakeReply(text="ok", cost=0.004)
    guard = BudgetGuardClient(provider, 0.01, PriceTable.default())
    request = _request(model="openai/gpt-4.1-mini")  # worst case ≈ $0.00016
    await guard.complete(request)
    await guard.complete(request)
    assert guard.spent("ep-1") == pytest.approx(0.008)
    fake_openai.responder = lambda body: FakeReply(text="ok", cost=0.0)
    # 5000 output tokens at $1.60/Mtok is $0.008, over the $0.002 left: the call runs with a smaller cap.
    await guard.complete(request.model_copy(update={"max_tokens": 5000}))
    cut = fake_openai.requests[-1].body["max_tokens"]
    assert 16 <= cut < 5000
    assert cut * 1.6e-6 <= 0.002
    assert guard.cut_calls == 1
    await guard.complete(request.model_copy(update={"episode_id": "ep-2"}))  # another episode's budget
    assert fake_openai.requests[-1].body["max_tokens"] == request.max_tokens
    assert len(fake_openai.requests) == 4


async def test_budget_guard_lets_unpriced_models_through(
    provider: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    guard = BudgetGuardClient(provider, 0.0000001, PriceTable.default())
    response = await guard.complete(_request(model="someone/unpriced-model"))
    assert response.usage.cost_usd is None
    assert len(fake_openai.requests) == 1


async def test_logging_records_successes_and_failures(
    provider: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    ledger = ListLedger()
    logged = LoggingClient(provider, ledger, provider="openai_compat", prices=PriceTable.default())
    fake_openai.responder = lambda body: FakeReply(
        text="ok", prompt_tokens=2000, cached_tokens=1000, completion_tokens=100
    )
    response = await logged.complete(_request(model="openai/gpt-4.1", stage="segment-1"))
    fake_openai.fail_next(503)
    with pytest.raises(ProviderError):
        await logged.complete(_request(model="openai/gpt-4.1", stage="segment-2"))
    ok, failed = ledger.records
    expected_cost = (1000 * 2.0 + 1000 * 0.5 + 100 * 8.0) / 1e6
    assert response.usage.cost_usd == pytest.approx(expected_cost)
    assert (ok.stage, ok.episode_id, ok.task, ok.error_class) == ("segment-1", "ep-1", Task.SEGMENT, None)
    assert ok.usage.cost_usd == pytest.approx(expected_cost)
    assert ok.usage.cost_source == "price_table"
    assert (ok.usage.input_tokens, ok.usage.cached_tokens, ok.usage.output_tokens) == (2000, 1000, 100)
    assert ok.model_served == "openai/gpt-4.1"
    assert (failed.stage, failed.error_class, failed.model_served) == ("segment-2", "ProviderError", None)
    # The provider answered 503: nothing was billed, and that is known.
    assert (failed.usage.cost_usd, failed.usage.cost_source) == (0.0, "rejected")


async def test_stack_logs_every_attempt_and_routes(
    provider: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    ledger = ListLedger()
    stack = build_stack(
        provider,
        SETTINGS,
        provider="openai_compat",
        ledger=ledger,
        budget_usd=1.0,
        retry=RetryPolicy(base_delay_s=0.001),
    )
    fake_openai.fail_next(429)
    response = await stack.complete(_request(Task.METADATA))
    assert response.model_asked == "google/gemini-2.5-flash-lite"
    assert [r.error_class for r in ledger.records] == ["ProviderError", None]
    assert ledger.records[1].usage.cost_source == "price_table"
    assert response.usage.cost_source == "price_table"


async def test_local_stack_routes_every_task_to_the_embedded_model() -> None:
    seen: list[LLMRequest] = []

    class Echo:
        async def complete(self, request: LLMRequest) -> LLMResponse:
            seen.append(request)
            return LLMResponse(
                text="{}", provider="local", model_asked=request.model or "", model_served=LOCAL_MODEL_ID
            )

    ledger = ListLedger()
    stack = build_stack(Echo(), LLMSettings(), provider="local", ledger=ledger, budget_usd=0.0001)
    await stack.complete(_request(Task.SEGMENT, max_tokens=2000))
    assert seen[0].model == LOCAL_MODEL_ID
    assert ledger.records[0].usage.cost_source == "free"
