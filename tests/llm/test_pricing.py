"""The dated price table and cost settlement: provider cost wins, unknown stays None, local is free."""

from __future__ import annotations

import pytest

from podwright.core import Usage
from podwright.llm.local import LOCAL_MODEL_ID
from podwright.llm.pricing import PRICE_TABLE_DATE, PriceTable, settle_cost

TABLE = PriceTable.default()


def test_table_is_dated() -> None:
    assert TABLE.date == PRICE_TABLE_DATE == "2026-11-01"


def test_price_counts_cached_and_cache_write_tokens() -> None:
    usage = Usage(input_tokens=10_000, cached_tokens=6_000, cache_write_tokens=1_000, output_tokens=1_000)
    # sonnet: 3,000 uncached at $3, 6,000 cached at $0.30, 1,000 written at $3.75, 1,000 out at $15
    expected = (3_000 * 3.0 + 6_000 * 0.30 + 1_000 * 3.75 + 1_000 * 15.0) / 1e6
    assert TABLE.price("anthropic/claude-sonnet-4.5", usage) == pytest.approx(expected)


def test_unknown_model_has_no_price_and_never_zero() -> None:
    assert TABLE.price("someone/new-model", Usage(input_tokens=5)) is None
    assert TABLE.estimate("someone/new-model", 100, 100) is None


def test_estimate_is_the_worst_case() -> None:
    assert TABLE.estimate("openai/gpt-4.1", 1_000_000, 1_000_000) == pytest.approx(2.0 + 8.0)


def test_overrides_replace_and_add_entries() -> None:
    table = PriceTable.from_mapping({"openai/gpt-4.1": (1.0, 0.25, 4.0), "x/y": (1, 1, 1)}, base=TABLE)
    assert table.estimate("openai/gpt-4.1", 1_000_000, 0) == pytest.approx(1.0)
    assert table.estimate("x/y", 1_000_000, 1_000_000) == pytest.approx(2.0)
    assert table.estimate("openai/gpt-4.1-mini", 1_000_000, 0) == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("usage", "model", "cost", "source"),
    [
        (Usage(input_tokens=100, cost_usd=0.5, cost_source="provider"), "openai/gpt-4.1", 0.5, "provider"),
        (Usage(input_tokens=1_000_000), "openai/gpt-4.1", 2.0, "price_table"),
        (Usage(input_tokens=100), "someone/new-model", None, "unknown"),
        (Usage(input_tokens=100, output_tokens=50), LOCAL_MODEL_ID, 0.0, "free"),
    ],
)
def test_settle_cost(usage: Usage, model: str, cost: float | None, source: str) -> None:
    settled = settle_cost(usage, model, TABLE)
    assert settled.cost_usd == (pytest.approx(cost) if cost is not None else None)
    assert settled.cost_source == source
    assert settled.input_tokens == usage.input_tokens
