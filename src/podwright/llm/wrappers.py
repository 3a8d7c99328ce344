"""Routing, concurrency limits, budget guard and call logging: wrappers that are themselves LLM clients.

Each wrapper holds an ``inner`` client and does one thing around its ``complete``; :func:`build_stack`
in :mod:`podwright.llm.stack` composes them in a tested order.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from time import perf_counter

from podwright.core.errors import BudgetExceeded, ProviderError
from podwright.core.llm import CallRecord, Ledger, LLMClient, LLMRequest, LLMResponse, Usage
from podwright.core.show import LLMSettings
from podwright.llm.pricing import WEB_RESULT_TOKENS, WEB_RESULT_USD, PriceTable, settle_cost

__all__ = [
    "MIN_ANSWER_TOKENS",
    "BudgetGuardClient",
    "ConcurrencyLimitedClient",
    "LoggingClient",
    "RoutedClient",
    "estimate_input_tokens",
    "input_tokens_ceiling",
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


MIN_ANSWER_TOKENS = 1
"""A call whose prompt leaves room for fewer answer tokens than this is refused, not cut."""


def input_tokens_ceiling(request: LLMRequest) -> int:
    """A count of the request's input tokens that providers' tokenizers stay under.

    Three characters a token (English prose is about four) plus a few tokens of chat framing per
    message: the budget's cap on the bill holds as long as the provider counts no more than this.
    """
    return sum(-(-len(message.content) // 3) + 4 for message in request.messages)


@dataclass(frozen=True, slots=True)
class _Rates:
    """US$ per token of a route: the dearest input and output prices of its model and fallbacks."""

    input: float
    output: float


class BudgetGuardClient:
    """Keeps an episode's bill under ``budget_usd`` without refusing an episode that fits.

    Spend is tracked per ``episode_id`` from the settled costs of responses. A call is refused only
    when what is left cannot pay for its prompt and a minimal answer (:data:`MIN_ANSWER_TOKENS`);
    otherwise its ``max_tokens`` is cut to what is left, so the worst case of every call in flight
    fits the budget together and the bill never passes the cap. A call that would be cut because
    others are in flight waits for them to settle first (their real cost is usually far below their
    worst case), so calls run one after another near the end of a budget and a call is only ever
    cut when the episode truly does not fit. When such a cut answer stops at its cap, the guard
    raises :class:`BudgetExceeded` rather than hand back half an answer that more tokens cannot fix.

    A call whose model has no known price is allowed: what cannot be priced cannot be guarded, and
    the ledger records its cost as unknown. ``budget_usd=None`` guards nothing but still tracks spend.
    ``count_tokens`` is the input-token ceiling (tests pass the loopback server's own count).
    """

    def __init__(
        self,
        inner: LLMClient,
        budget_usd: float | None,
        prices: PriceTable,
        *,
        count_tokens: Callable[[LLMRequest], int] = input_tokens_ceiling,
    ) -> None:
        self.inner = inner
        self.budget_usd = budget_usd
        self.prices = prices
        self.count_tokens = count_tokens
        self._spent: dict[str | None, float] = {}
        self._reserved: dict[str | None, float] = {}
        self._in_flight: dict[str | None, int] = {}
        self._conditions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Condition] = (
            weakref.WeakKeyDictionary()
        )
        self.cut_calls = 0
        """Calls whose ``max_tokens`` was lowered to fit what was left of the budget."""

    def spent(self, episode_id: str | None) -> float:
        """US$ spent so far on ``episode_id`` (priced calls only)."""
        return self._spent.get(episode_id, 0.0)

    @property
    def _settled(self) -> asyncio.Condition:
        """Notified whenever a call settles; one per event loop (a client may outlive a loop)."""
        loop = asyncio.get_running_loop()
        condition = self._conditions.get(loop)
        if condition is None:
            condition = self._conditions[loop] = asyncio.Condition()
        return condition

    def rates(self, request: LLMRequest) -> _Rates | None:
        """Per-token prices of ``request``'s route, or ``None`` when no model of it has a price.

        Input is priced at the dearer of plain input and cache writes (Anthropic bills writes at
        1.25x), output at the dearest output price of the model and its fallbacks.
        """
        models = [m for m in (request.model, *request.fallbacks) if m is not None]
        known: list[tuple[float, float]] = []
        for model in models:
            if model in self.prices.free:
                known.append((0.0, 0.0))
            elif (row := self.prices.prices.get(model)) is not None:
                known.append((max(row.input, row.cache_write or 0.0), row.output))
        if not known:
            return None
        million = 1_000_000
        return _Rates(input=max(i for i, _ in known) / million, output=max(o for _, o in known) / million)

    def estimate(self, request: LLMRequest) -> float | None:
        """Worst-case US$ of ``request`` (prompt ceiling uncached, all of ``max_tokens``), or ``None``."""
        rates = self.rates(request)
        if rates is None:
            return None
        return self._prompt_usd(request, rates) + request.max_tokens * rates.output

    def _prompt_usd(self, request: LLMRequest, rates: _Rates) -> float:
        """Worst-case US$ of the prompt: its tokens, plus the web results a search adds and bills."""
        search = request.web_search
        results = search.max_results if search is not None else 0
        return (
            self.count_tokens(request) + results * WEB_RESULT_TOKENS
        ) * rates.input + results * WEB_RESULT_USD

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` within what is left of the budget; raise BudgetExceeded if it cannot fit."""
        episode = request.episode_id
        rates = self.rates(request) if self.budget_usd is not None else None
        granted, reserve = request, 0.0
        if rates is not None and (rates.input > 0 or rates.output > 0):
            granted, reserve = await self._grant(request, rates)
        else:
            self._in_flight[episode] = self._in_flight.get(episode, 0) + 1
        try:
            response = await self.inner.complete(granted)
        finally:
            async with self._settled:
                self._reserved[episode] = self._reserved.get(episode, 0.0) - reserve
                self._in_flight[episode] -= 1
                self._settled.notify_all()
        response = settle_response(response, self.prices)
        if response.usage.cost_usd is not None:
            self._spent[episode] = self.spent(episode) + response.usage.cost_usd
        if granted.max_tokens < request.max_tokens and response.truncated:
            raise BudgetExceeded(
                f"episode {episode or '(none)'}: the {request.stage or request.task.value} answer needed "
                f"more than the {granted.max_tokens} tokens the ${self.budget_usd:.2f} budget had left "
                f"(${self.spent(episode):.4f} spent)",
                hint="raise budget_usd in the show file and run again: answers already paid for are reused",
            )
        return response

    async def _grant(self, request: LLMRequest, rates: _Rates) -> tuple[LLMRequest, float]:
        """The request with a ``max_tokens`` that fits what is left, and the worst case it reserves."""
        assert self.budget_usd is not None
        episode = request.episode_id
        prompt_usd = self._prompt_usd(request, rates)
        async with self._settled:
            while True:
                left = self.budget_usd - self.spent(episode) - self._reserved.get(episode, 0.0)
                others = self._in_flight.get(episode, 0)
                if rates.output > 0:
                    fits = min(request.max_tokens, math.floor(max(left - prompt_usd, 0.0) / rates.output))
                else:
                    fits = request.max_tokens if left >= prompt_usd else 0
                if fits >= request.max_tokens or (others == 0 and fits >= MIN_ANSWER_TOKENS):
                    break
                if others == 0:
                    raise BudgetExceeded(
                        f"episode {episode or '(none)'}: the {request.stage or request.task.value} call "
                        f"needs ${prompt_usd + MIN_ANSWER_TOKENS * rates.output:.4f} at least, and only "
                        f"${max(left, 0.0):.4f} of the ${self.budget_usd:.2f} budget is left",
                        hint="raise budget_usd in the show file and run again: answers already paid "
                        "for are reused",
                    )
                await self._settled.wait()  # the calls in flight settle, and free their reserve
            reserve = prompt_usd + fits * rates.output
            self._reserved[episode] = self._reserved.get(episode, 0.0) + reserve
            self._in_flight[episode] = others + 1
        if fits < request.max_tokens:
            self.cut_calls += 1
            return request.model_copy(update={"max_tokens": fits}), reserve
        return request, reserve


class LoggingClient:
    """Writes a :class:`CallRecord` to ``ledger`` for every call, successful or not.

    Successful responses come back with their cost settled (provider figure, else price table, else
    unknown); a failure is recorded with its exception class and re-raised unchanged. A call the
    provider answered with an error status (429, 500, 400...) was not billed: its cost is a known 0
    (``cost_source='rejected'``); a timeout or dropped connection may have been, so it stays unknown.
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
                    usage=_failed_usage(exc),
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


def _failed_usage(exc: Exception) -> Usage:
    """What a failed call cost: 0 when the provider answered with an error status, else unknown."""
    if isinstance(exc, ProviderError) and exc.status is not None:
        return Usage(cost_usd=0.0, cost_source="rejected")
    return Usage()
