"""Composing a provider with its wrappers, in the one order that keeps every figure honest.

::

    RoutedClient            the task's model route is known before anything prices it
     └ CachingClient        a request answered before is replayed for free: never refused, never paid
      └ BudgetGuardClient   refuses (or cuts) a call before it waits for a slot or touches the network
        └ ConcurrencyLimitedClient   a slot is held through the backoff of its retries, so a
           │                         rate-limited provider is not hit by more calls meanwhile
           └ RetryingClient
              └ LoggingClient        inside the retries: every attempt, failed or not, is a ledger row
                 └ provider
"""

from __future__ import annotations

from podwright.core.llm import CachedAnswers, Ledger, LLMClient
from podwright.core.show import LLMSettings, ModelRoute, ModelTier
from podwright.llm.cache import CachingClient
from podwright.llm.local import LOCAL_MODEL_ID
from podwright.llm.pricing import PriceTable
from podwright.llm.retry import RetryPolicy
from podwright.llm.retrying import RetryingClient
from podwright.llm.wrappers import BudgetGuardClient, ConcurrencyLimitedClient, LoggingClient, RoutedClient

__all__ = ["build_stack"]


def build_stack(
    inner: LLMClient,
    settings: LLMSettings,
    *,
    provider: str,
    ledger: Ledger | None,
    budget_usd: float | None,
    prices: PriceTable | None = None,
    retry: RetryPolicy | None = RetryPolicy(),
    answers: CachedAnswers | None = None,
    fresh: bool = False,
) -> LLMClient:
    """``inner`` wrapped in routing, response cache, budget guard, concurrency limit, retries and logging.

    ``ledger=None`` skips logging; ``retry=None`` skips retries; ``answers=None`` skips the response
    cache, and ``fresh=True`` asks every call again (storing the new answers). For the ``local``
    provider every task routes to the embedded model (the show's routes name remote models it cannot
    serve).
    """
    table = prices if prices is not None else PriceTable.default()
    client: LLMClient = inner
    if ledger is not None:
        client = LoggingClient(client, ledger, provider=provider, prices=table)
    if retry is not None:
        client = RetryingClient(client, retry)
    client = ConcurrencyLimitedClient(client, settings.max_concurrency)
    client = BudgetGuardClient(client, budget_usd, table)
    if answers is not None:
        client = CachingClient(client, answers, ledger=ledger, fresh=fresh)
    if provider == "local":
        local_route = ModelRoute(model=LOCAL_MODEL_ID)
        settings = settings.model_copy(update={"tiers": dict.fromkeys(ModelTier, local_route)})
    return RoutedClient(client, settings)
