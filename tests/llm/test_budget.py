"""The budget guard against the loopback server's own bill: the cap always holds, and an episode whose
real cost fits its budget is never refused or cut, whatever the order and overlap of its calls."""

from __future__ import annotations

import asyncio
import math
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podwright.core import LLMRequest, LLMResponse, Message, Task
from podwright.core.errors import BudgetExceeded
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.pricing import PriceTable
from podwright.llm.wrappers import BudgetGuardClient
from tests.support.fake_openai import FakeChatServer, estimate_tokens

MODEL = "openai/gpt-4.1"
PRICE = (2.0, 0.5, 8.0)
"""US$ per million input, cached input and output tokens, at the server and in the guard."""
_WANT = re.compile(r"answer with (\d+) tokens")


def _responder(body: dict[str, Any]) -> str:
    """An answer as long as the prompt asks for (4 characters a token, as the server counts)."""
    match = _WANT.search(body["messages"][-1]["content"])
    assert match is not None
    return "abcd" * int(match.group(1))


def _server_tokens(request: LLMRequest) -> int:
    """The loopback server's own count of a request's input tokens (the guard's tokenizer here)."""
    return sum(estimate_tokens(message.content) for message in request.messages)


def _cost(prompt: int, out: int) -> float:
    return (prompt * PRICE[0] + out * PRICE[2]) / 1e6


# One call: (prompt padding in characters, answer tokens, spare max_tokens above the answer).
CALL = st.tuples(st.integers(0, 4000), st.integers(1, 400), st.integers(0, 400))
EPISODE = st.lists(st.lists(CALL, min_size=1, max_size=3), min_size=1, max_size=5)
"""Groups of calls: the calls of a group run concurrently, the groups one after another."""


def _request(index: int, call: tuple[int, int, int]) -> LLMRequest:
    padding, out, spare = call
    ask = f"call {index}: answer with {out} tokens. " + "p" * padding
    return LLMRequest(
        task=Task.SEGMENT,
        model=MODEL,
        messages=(Message(role="user", content=ask),),
        max_tokens=out + spare,
        episode_id="ep",
    )


async def _run(server: FakeChatServer, groups: list[list[LLMRequest]], budget: float) -> list[object]:
    provider = OpenAICompatClient(server.base_url, None)
    guard = BudgetGuardClient(
        provider, budget, PriceTable.from_mapping({MODEL: PRICE}), count_tokens=_server_tokens
    )
    outcomes: list[object] = []
    try:
        for group in groups:
            outcomes += await asyncio.gather(*(guard.complete(r) for r in group), return_exceptions=True)
    finally:
        await provider.aclose()
    return outcomes


def _bill(server: FakeChatServer) -> float:
    return sum(r.usage["cost"] for r in server.requests if r.usage is not None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(episode=EPISODE, share=st.floats(0.0, 1.6))
def test_the_bill_never_passes_the_cap_and_an_episode_that_fits_is_never_refused(
    episode: list[list[tuple[int, int, int]]], share: float
) -> None:
    calls = [call for group in episode for call in group]
    groups, index = [], 0
    for group in episode:
        groups.append([_request(index + i, call) for i, call in enumerate(group)])
        index += len(group)
    flat = [request for group in groups for request in group]
    real = sum(_cost(_server_tokens(r), call[1]) for r, call in zip(flat, calls, strict=True))
    budget = max(real * share, 1e-7)
    with FakeChatServer(_responder, min_cache_tokens=10**9, prices={MODEL: PRICE}) as server:
        outcomes = asyncio.run(_run(server, groups, budget))
        bill = _bill(server)
    assert bill <= budget * (1 + 1e-9)
    assert all(isinstance(o, BudgetExceeded | LLMResponse) for o in outcomes)
    if real <= budget * (1 - 1e-9):
        # It fits: every call was made whole, and the bill is exactly the episode's real cost.
        assert all(isinstance(o, LLMResponse) and o.finish_reason == "stop" for o in outcomes)
        assert math.isclose(bill, real, rel_tol=1e-9)


def test_calls_near_the_end_wait_for_each_other_and_a_guard_outlives_its_event_loop() -> None:
    table = PriceTable.from_mapping({MODEL: PRICE})
    with FakeChatServer(_responder, min_cache_tokens=10**9, prices={MODEL: PRICE}, ttft_s=0.05) as server:
        requests = [_request(i, (0, 100, 900)) for i in range(3)]
        # Room for the three real answers, not for three worst cases (1,000 tokens each) at once.
        budget = sum(_cost(_server_tokens(r), 100) for r in requests) * 1.5
        guard = BudgetGuardClient(
            OpenAICompatClient(server.base_url, None), budget, table, count_tokens=_server_tokens
        )

        async def batch(batch_requests: list[LLMRequest]) -> list[LLMResponse]:
            try:
                return list(await asyncio.gather(*(guard.complete(r) for r in batch_requests)))
            finally:
                await guard.inner.aclose()  # type: ignore[attr-defined]

        answers = asyncio.run(batch(requests))
        assert [a.finish_reason for a in answers] == ["stop"] * 3
        assert server.max_concurrency() == 1  # they ran one after another instead of being cut short
        assert _bill(server) <= budget
        guard.inner = OpenAICompatClient(server.base_url, None)
        again = asyncio.run(batch([_request(9, (0, 10, 0))]))  # a second event loop, the same guard
        assert again[0].finish_reason == "stop"
