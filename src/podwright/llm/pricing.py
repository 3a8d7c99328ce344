"""What a call costs when the provider does not say: a dated, overridable price table.

OpenRouter reports ``usage.cost`` on every response, and that figure wins. Other OpenAI-compatible
providers report tokens only, so cost comes from this table; a model the table does not know has an
unknown cost (``None``), never zero. The embedded local model is free, which is known, not unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from podwright.core.llm import Usage
from podwright.llm.local import LOCAL_MODEL_ID

__all__ = [
    "DEFAULT_PRICES",
    "FREE_MODELS",
    "PRICE_TABLE_DATE",
    "WEB_RESULT_TOKENS",
    "WEB_RESULT_USD",
    "ModelPrice",
    "PriceRow",
    "PriceTable",
    "settle_cost",
]

PRICE_TABLE_DATE = "2026-11-01"
"""The day the default prices were read off the providers' public price lists."""

PriceRow = tuple[float, float, float] | tuple[float, float, float, float]
"""``(input, cached input, output[, cache write])`` in US$ per million tokens."""

# List prices in US$ per million tokens as of PRICE_TABLE_DATE: (input, cached input, output[, cache
# write]); Anthropic bills cache writes at 1.25x input. Providers change prices; a show or config can
# override any entry with PriceTable.from_mapping.
DEFAULT_PRICES: dict[str, PriceRow] = {
    "anthropic/claude-sonnet-4.5": (3.00, 0.30, 15.00, 3.75),
    "anthropic/claude-haiku-4.5": (1.00, 0.10, 5.00, 1.25),
    "google/gemini-2.5-flash-lite": (0.10, 0.025, 0.40),
    "google/gemini-2.5-flash": (0.30, 0.075, 2.50),
    "google/gemini-2.5-pro": (1.25, 0.31, 10.00),
    "openai/gpt-4.1": (2.00, 0.50, 8.00),
    "openai/gpt-4.1-mini": (0.40, 0.10, 1.60),
    "openai/gpt-4o-mini": (0.15, 0.075, 0.60),
    "deepseek/deepseek-chat": (0.28, 0.028, 0.42),
}

WEB_RESULT_USD = 0.004
"""OpenRouter's web search (its ``web`` plugin, Exa-powered): US$4 per 1,000 results, PRICE_TABLE_DATE."""
WEB_RESULT_TOKENS = 1_000
"""Input tokens one web result may add to the prompt (the budget guard's worst case, not a measure)."""

FREE_MODELS: frozenset[str] = frozenset({LOCAL_MODEL_ID})
"""Models that run on this machine (the embedded llama.cpp model): they cost nothing per call."""


@dataclass(frozen=True)
class ModelPrice:
    """One model's prices in US$ per million tokens."""

    input: float
    cached_input: float
    output: float
    cache_write: float | None = None
    """Price of writing the prompt cache; ``None`` means the plain input price."""

    def cost(self, usage: Usage) -> float:
        """Cost in US$ of ``usage`` (``input_tokens`` includes cached and cache-write tokens)."""
        uncached = max(usage.input_tokens - usage.cached_tokens - usage.cache_write_tokens, 0)
        write_price = self.input if self.cache_write is None else self.cache_write
        dollars = (
            uncached * self.input
            + usage.cached_tokens * self.cached_input
            + usage.cache_write_tokens * write_price
            + usage.output_tokens * self.output
        )
        return dollars / 1_000_000


@dataclass(frozen=True)
class PriceTable:
    """Prices by model id, plus the models that are free because they run locally."""

    prices: Mapping[str, ModelPrice] = field(default_factory=dict)
    free: frozenset[str] = FREE_MODELS
    date: str = PRICE_TABLE_DATE

    @classmethod
    def default(cls) -> PriceTable:
        """The built-in list prices of :data:`PRICE_TABLE_DATE`."""
        return cls.from_mapping(DEFAULT_PRICES)

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[str, PriceRow],
        *,
        base: PriceTable | None = None,
        date: str | None = None,
    ) -> PriceTable:
        """A table from ``model -> (input, cached input, output[, cache write])`` $/Mtok, over ``base``."""
        prices = dict(base.prices) if base is not None else {}
        for model, row in mapping.items():
            prices[model] = ModelPrice(*row)
        return cls(
            prices=prices,
            free=base.free if base is not None else FREE_MODELS,
            date=date or (base.date if base is not None else PRICE_TABLE_DATE),
        )

    def price(self, model: str, usage: Usage) -> float | None:
        """Cost in US$ of ``usage`` on ``model``; ``None`` when the model's price is unknown."""
        if model in self.free:
            return 0.0
        row = self.prices.get(model)
        return None if row is None else row.cost(usage)

    def estimate(self, model: str, input_tokens: int, max_output_tokens: int) -> float | None:
        """Worst-case US$ of one call (nothing cached, all output tokens used); ``None`` if unknown."""
        return self.price(model, Usage(input_tokens=input_tokens, output_tokens=max_output_tokens))


def settle_cost(usage: Usage, model: str, table: PriceTable) -> Usage:
    """``usage`` with its cost filled in: provider cost kept, else priced from ``table``, else ``None``."""
    if usage.cost_usd is not None:
        return usage
    if model in table.free:
        return usage.model_copy(update={"cost_usd": 0.0, "cost_source": "free"})
    cost = table.price(model, usage)
    if cost is None:
        return usage.model_copy(update={"cost_source": "unknown"})
    return usage.model_copy(update={"cost_usd": cost, "cost_source": "price_table"})
