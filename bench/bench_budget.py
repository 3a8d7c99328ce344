"""Budget: the exact guard vs the old pessimistic one, and what a rerun pays after a refusal.

A 10-minute episode of the starter show is written against the loopback server, whose own bill
(``usage.cost`` from its price rows) is the truth. First without a budget, for the episode's real
cost; then with caps from 80% to 200% of it, under both guards:

- pessimistic (the old guard): reserves every call's worst case (prompt uncached + all of
  ``max_tokens``) and refuses a call whose worst case does not fit;
- exact (podwright's): refuses only a call whose prompt does not fit, and cuts the last calls'
  ``max_tokens`` to what is left.

The server writes each answer as long as it would without a budget (a cut cap cuts the answer, as a
real model's would), so a cap too small shows up as a cut answer. Last, the run refused at 80% is
rerun with no budget over the same response cache: what it pays is what the first run had not.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.stages.shows import starter_show
from tests.support.fake_openai import FakeChatServer
from tests.support.script_responder import script_responder

from bench.report import Section, fmt
from podwright.core import EpisodeRequest, LLMClient, LLMRequest, LLMResponse, Show
from podwright.core.errors import BudgetExceeded, LLMError
from podwright.llm.cache import CachingClient
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.pricing import DEFAULT_PRICES, PriceTable, settle_cost
from podwright.llm.retry import RetryPolicy
from podwright.llm.retrying import RetryingClient
from podwright.llm.wrappers import BudgetGuardClient, ConcurrencyLimitedClient, RoutedClient
from podwright.pipeline.script import ScriptPipeline

MINUTES = 10.0
CAPS = (0.8, 1.0, 1.02, 1.11, 1.25, 1.5, 2.0)
"""Budgets as multiples of the episode's real cost."""


class PessimisticGuard:
    """The guard podwright had before: refuse any call whose worst case does not fit, reserve it."""

    def __init__(self, inner: LLMClient, budget_usd: float, prices: PriceTable) -> None:
        self.inner = inner
        self.budget_usd = budget_usd
        self.prices = prices
        self._exact = BudgetGuardClient(inner, None, prices)  # for its worst-case estimate only
        self.spent = 0.0
        self.reserved = 0.0

    async def complete(self, request: LLMRequest) -> LLMResponse:
        worst = self._exact.estimate(request) or 0.0
        if self.spent + self.reserved + worst > self.budget_usd:
            raise BudgetExceeded(f"{request.stage}: worst case ${worst:.4f} does not fit")
        self.reserved += worst
        try:
            response = await self.inner.complete(request)
        finally:
            self.reserved -= worst
        usage = settle_cost(response.usage, response.model_served, self.prices)
        self.spent += usage.cost_usd or 0.0
        return response


class Answers:
    """An in-memory response cache (the CLI keeps it in SQLite)."""

    def __init__(self) -> None:
        self.stored: dict[str, str] = {}

    def answer(self, key: str) -> str | None:
        return self.stored.get(key)

    def keep(self, key: str, model: str, response_json: str) -> None:
        self.stored[key] = response_json


class NaturalLength:
    """Answers sized by the cap each call had with no budget, not by a cut cap: a real model does not
    write less because it was given fewer tokens, it is cut off. Fresh answers every run (``reset``)."""

    def __init__(self, show: Show) -> None:
        self.show = show
        self.caps: dict[str, int] = {}
        self.reset()

    def reset(self) -> None:
        """Start the answer stream again, so every run gets the same answers."""
        self._answer = script_responder(self.show)

    def __call__(self, body: dict[str, Any]) -> Any:
        messages = body.get("messages")
        if not messages:
            return "{}"  # a request cut off mid-send when a refusal cancelled its siblings
        schema = (body.get("response_format") or {}).get("json_schema", {}).get("name", "")
        key = schema + "|" + str(messages[-1].get("content"))[:300]
        natural = self.caps.setdefault(key, int(body.get("max_tokens") or 256))
        return self._answer({**body, "max_tokens": max(natural, int(body.get("max_tokens") or 0))})


def _show(base_url: str) -> Show:
    show = starter_show()
    llm = show.llm.model_copy(update={"provider": "openai_compat", "base_url": base_url})
    return show.model_copy(update={"llm": llm, "budget_usd": None})


async def _write(
    server: FakeChatServer,
    show: Show,
    guard: str,
    budget: float | None,
    *,
    answers: Answers | None = None,
    episode_id: str = "bench-budget",
) -> str:
    """Write the episode under ``guard``; returns how it ended (``done`` or the error class)."""
    prices = PriceTable.default()
    provider = OpenAICompatClient(server.base_url, "bench-key", timeout_s=60)
    client: LLMClient = RetryingClient(provider, RetryPolicy(base_delay_s=0.01))
    client = ConcurrencyLimitedClient(client, show.llm.max_concurrency)
    if guard == "pessimistic" and budget is not None:
        client = PessimisticGuard(client, budget, prices)
    else:
        client = BudgetGuardClient(client, budget, prices)
    if answers is not None:
        client = CachingClient(client, answers)
    client = RoutedClient(client, show.llm)
    request = EpisodeRequest(episode_id=episode_id, topic="Why the night sky is dark", target_minutes=MINUTES)
    try:
        await ScriptPipeline(client, show).write(request)
        return "done"
    except LLMError as exc:
        return type(exc).__name__
    finally:
        await provider.aclose()


def _bill(server: FakeChatServer) -> float:
    return sum(r.usage.get("cost", 0.0) for r in server.requests if r.usage is not None)


def run() -> Section:
    """Real cost, then each cap under both guards, then the resume after a refusal."""
    show = starter_show()
    server_prices = {model: row[:3] for model, row in DEFAULT_PRICES.items()}
    responder = NaturalLength(show)
    rows: list[list[str]] = []
    with FakeChatServer(responder, prices=server_prices) as server:
        show = _show(server.base_url)
        assert asyncio.run(_write(server, show, "exact", None)) == "done"
        real, full_calls = _bill(server), len(server.requests)
        outcomes: dict[tuple[str, float], tuple[str, float, int]] = {}
        for share in CAPS:
            for guard in ("pessimistic", "exact"):
                server.reset()
                responder.reset()
                ended = asyncio.run(_write(server, show, guard, real * share))
                outcomes[(guard, share)] = (ended, _bill(server), len(server.requests))
            pess, exact = outcomes[("pessimistic", share)], outcomes[("exact", share)]
            rows.append(
                [
                    f"{share:.0%}",
                    fmt(real * share, 4, " $"),
                    pess[0],
                    fmt(pess[1], 4, " $"),
                    exact[0],
                    fmt(exact[1], 4, " $"),
                    fmt(exact[1] / (real * share) * 100, 1, "%"),
                ]
            )
        # Resume: refused at 80% with the cache on, then rerun with no budget over the same cache.
        answers = Answers()
        server.reset()
        responder.reset()
        first = asyncio.run(_write(server, show, "exact", real * 0.8, answers=answers, episode_id="resume"))
        first_bill, first_calls = _bill(server), len(server.requests)
        server.reset()
        responder.reset()
        second = asyncio.run(_write(server, show, "exact", None, answers=answers, episode_id="resume"))
        second_bill, second_calls = _bill(server), len(server.requests)
    pessimistic_ok = [share for share in CAPS if outcomes[("pessimistic", share)][0] == "done"]
    exact_ok = [share for share in CAPS if outcomes[("exact", share)][0] == "done"]
    over = [
        share
        for share in CAPS
        for guard in ("pessimistic", "exact")
        if outcomes[(guard, share)][1] > real * share
    ]
    notes = [
        f"Real cost of the episode: {fmt(real, 4, ' $')} in {full_calls} calls (the server's own bill; "
        "primary anthropic/claude-sonnet-4.5, light google/gemini-2.5-flash-lite, list prices).",
        f"Smallest cap that finishes: pessimistic {min(pessimistic_ok, default=float('nan')):.0%}, "
        f"exact {min(exact_ok, default=float('nan')):.0%} of the real cost. "
        f"Bills over their cap: {len(over)} of {2 * len(CAPS)} runs.",
        f"Resume after a refusal at 80%: the first run ended {first} after {first_calls} calls "
        f"({fmt(first_bill, 4, ' $')}); the rerun over the response cache ended {second} sending "
        f"{second_calls} calls ({fmt(second_bill, 4, ' $')}): together "
        f"{fmt(first_bill + second_bill, 4, ' $')}, vs {fmt(first_bill + real, 4, ' $')} without the cache.",
    ]
    return Section(
        name="budget",
        title=f"Budget: exact vs pessimistic guard ({MINUTES:g}-minute episode, loopback provider)",
        summary="One run: each cap under both guards against the same server, bills from the server.",
        header=["cap ÷ real", "cap", "pessimistic", "bill", "exact", "bill", "exact bill ÷ cap"],
        rows=rows,
        notes=notes,
    )


if __name__ == "__main__":
    print(json.dumps(run().rows, indent=2))
