"""Routing, concurrency limits, budget guard and call logging: wrappers that are themselves LLM clients.

Each wrapper holds an ``inner`` client and does one thing around its ``complete``; :func:`build_stack`
in :mod:`podwright.llm.stack` composes them in a tested order.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from time import perf_counter

from podwright.core.errors import BudgetExceeded
from podwright.core.llm import CallRecord, Ledger, LLMClient, LLMRequest, LLMResponse, Usage
from podwright.core.show import LLMSettings
from podwright.llm.pricing import PriceTable, settle_cost

__all__ = [
    "BudgetGuardClient",
    "ConcurrencyLimitedClient",
    "LoggingClient",
    "RoutedClient",
    "estimate_input_tokens",
    "settle_response",
]


def settle_response(response: LLMResponse, prices: PriceTable) -> LLMResponse:
    """``response`` with its cost settled: priced by the model that served it, else the one asked.

    Providers often answer with a dated variant of the id asked for (``gpt-4.1`` served as
    ``gpt-4.1-2025-04-14``), so the asked id's price is the better guess than no price at all.
    """
    usage = settle_cost(response.usage, response.model_served, prices)
    if usage.cost_usd is None and response.model_asked != response.model_served:
        usage = settle_cost(usage, response.model_asked, prices)
    return response.model_copy(update={"usage": usage})


def estimate_input_tokens(request: LLMRequest) -> int:
    """A rough token count of the request's messages (about four characters per token)."""
    chars = sum(len(message.content) for message in request.messages)
    return max(1, -(-chars // 4))


class RoutedClient:
    """Fills in a request's model, fallbacks and tier from the show's task routes.

    A request that already names a model is passed through untouched. The show's temperature applies
    when the stage did not set one explicitly.
    """

    def __init__(self, inner: LLMClient, settings: LLMSettings) -> None:
        self.inner = inner
        self.settings = settings

    def route(self, request: LLMRequest) -> LLMRequest:
        """``request`` with its model route applied."""
        if request.model is not None:
            return request
        route = self.settings.route_for(request.task)
        update: dict[str, object] = {
            "model": route.model,
            "fallbacks": route.fallbacks,
            "tier": self.settings.tier_for(request.task),
        }
        if "temperature" not in request.model_fields_set:
            update["temperature"] = self.settings.temperature
        return request.model_copy(update=update)

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` on the model its task is routed to."""
        return await self.inner.complete(self.route(request))


class ConcurrencyLimitedClient:
    """Lets at most ``limit`` calls run at once; the rest wait their turn."""

    def __init__(self, inner: LLMClient, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"concurrency limit must be at least 1, not {limit}")
        self.inner = inner
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` once a slot is free."""
        async with self._slots:
            return await self.inner.complete(request)


class BudgetGuardClient:
    """Refuses, before it is made, any call that could push its episode over ``budget_usd``.

    Spend is tracked per ``episode_id`` from the costs of successful responses (failed calls carry no
    usage). Before each call its worst case is estimated — every input token uncached at about four
    characters a token, plus ``max_tokens`` of output on the dearest of the model and its fallbacks —
    and reserved while the call runs, so concurrent calls cannot overshoot together. A call whose
    model has no known price is allowed: what cannot be priced cannot be guarded, and the ledger
    records its cost as unknown. ``budget_usd=None`` guards nothing but still tracks spend.
    """

    def __init__(self, inner: LLMClient, budget_usd: float | None, prices: PriceTable) -> None:
        self.inner = inner
        self.budget_usd = budget_usd
        self.prices = prices
        self._spent: dict[str | None, float] = {}
        self._reserved: dict[str | None, float] = {}

    def spent(self, episode_id: str | None) -> float:
        """US$ spent so far on ``episode_id`` (priced calls only)."""
        return self._spent.get(episode_id, 0.0)

    def estimate(self, request: LLMRequest) -> float | None:
        """Worst-case US$ of ``request``, or ``None`` when no model of its route has a price."""
        tokens = estimate_input_tokens(request)
        models = [m for m in (request.model, *request.fallbacks) if m is not None]
        costs = [self.prices.estimate(m, tokens, request.max_tokens) for m in models]
        known = [c for c in costs if c is not None]
        return max(known) if known else None

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` if the budget allows its worst case; raise BudgetExceeded otherwise."""
        episode = request.episode_id
        estimate = self.estimate(request) or 0.0
        if self.budget_usd is not None and estimate > 0.0:
            committed = self.spent(episode) + self._reserved.get(episode, 0.0)
            if committed + estimate > self.budget_usd:
                raise BudgetExceeded(
                    f"episode {episode or '(none)'}: the {request.stage or request.task.value} call "
                    f"could cost up to ${estimate:.4f} on top of ${committed:.4f} spent or committed, "
                    f"over the ${self.budget_usd:.2f} budget",
                    hint="raise budget_usd in the show file, or shorten the episode or its sources",
                )
        self._reserved[episode] = self._reserved.get(episode, 0.0) + estimate
        try:
            response = await self.inner.complete(request)
        finally:
            self._reserved[episode] -= estimate
        response = settle_response(response, self.prices)
        if response.usage.cost_usd is not None:
            self._spent[episode] = self.spent(episode) + response.usage.cost_usd
        return response


class LoggingClient:
    """Writes a :class:`CallRecord` to ``ledger`` for every call, successful or not.

    Successful responses come back with their cost settled (provider figure, else price table, else
    unknown); a failure is recorded with its exception class and re-raised unchanged.
    """

    def __init__(self, inner: LLMClient, ledger: Ledger, *, provider: str, prices: PriceTable) -> None:
        self.inner = inner
        self.ledger = ledger
        self.provider = provider
        self.prices = prices

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` and record the call."""
        started_at = datetime.now(UTC)
        started = perf_counter()
        try:
            response = await self.inner.complete(request)
        except Exception as exc:
            self.ledger.record_call(
                CallRecord(
                    episode_id=request.episode_id,
                    stage=request.stage or request.task.value,
                    task=request.task,
                    provider=self.provider,
                    model_asked=request.model or "",
                    model_served=None,
                    usage=Usage(),
                    latency_s=perf_counter() - started,
                    error_class=type(exc).__name__,
                    started_at=started_at,
                )
            )
            raise
        response = settle_response(response, self.prices)
        self.ledger.record_call(
            CallRecord(
                episode_id=request.episode_id,
                stage=request.stage or request.task.value,
                task=request.task,
                provider=response.provider,
                model_asked=response.model_asked,
                model_served=response.model_served,
                usage=response.usage,
                latency_s=response.latency_s or perf_counter() - started,
                started_at=started_at,
            )
        )
        return response
