"""Planner arithmetic against hand-computed cases, and the dated price file."""

from __future__ import annotations

from pathlib import Path

import pytest

from podwright.core import ConfigError
from podwright.scheduler.planner import GpuPrice, PriceTable, plan_costs

GPU = GpuPrice("X", serverless_per_s=0.001, dedicated_per_h=1.8, cold_start_s=40.0, setup_s=300.0)


def test_hand_computed_backlog() -> None:
    # 10 episodes x 1200 s on 2 machines, 2 sessions, 60 s keep-alive:
    # serverless billed = 12000 + 2 x (40 + 60) = 12200 s -> $12.20
    # dedicated billed = 2 x 300 + 12000 = 12600 s at $0.0005/s -> $6.30
    cost = plan_costs([1200.0] * 10, GPU, machines=2, keep_alive_s=60.0)
    assert cost.serverless_billed_s == pytest.approx(12200.0)
    assert cost.serverless_usd == pytest.approx(12.20)
    assert cost.dedicated_billed_s == pytest.approx(12600.0)
    assert cost.dedicated_usd == pytest.approx(6.30)
    assert cost.cheaper == "dedicated"
    # 1.8 $/h = 0.0005 $/s vs 0.001 $/s: dedicated wins above 50% busy, i.e. 12 busy hours a day
    assert cost.break_even_utilization == pytest.approx(0.5)
    assert cost.break_even_busy_hours_per_day == pytest.approx(12.0)


def test_small_backlog_prefers_serverless() -> None:
    # One 100 s episode: serverless 100 + 40 + 0 = 140 s -> $0.14; dedicated 300 + 100 = 400 s -> $0.20
    cost = plan_costs([100.0], GPU, keep_alive_s=0.0)
    assert (cost.serverless_usd, cost.dedicated_usd) == (pytest.approx(0.14), pytest.approx(0.20))
    assert cost.cheaper == "serverless"


def test_explicit_sessions_pay_one_cold_start_each() -> None:
    cost = plan_costs([100.0, 100.0], GPU, sessions=2, keep_alive_s=10.0)
    assert cost.serverless_billed_s == pytest.approx(200 + 2 * 50)


def test_empty_backlog_costs_nothing() -> None:
    cost = plan_costs([], GPU)
    assert (cost.serverless_usd, cost.dedicated_usd) == (0.0, 0.0)


def test_default_table_is_dated_and_covers_the_listed_gpus() -> None:
    table = PriceTable.default()
    assert table.as_of and "override" in table.label and len(table.sources) == 2
    for name in ("T4", "L4", "A10", "A100-40GB", "A100-80GB", "H100", "H200"):
        price = table.gpu(name)
        assert price.serverless_per_s > 0 and price.dedicated_per_h > 0
    with pytest.raises(ConfigError, match="no price for GPU 'B200'"):
        table.gpu("B200")


def test_override_file_merges_fields_and_adds_gpus(tmp_path: Path) -> None:
    own = tmp_path / "prices.toml"
    own.write_text(
        '[meta]\nas_of = "2031-01-01"\n[gpus.H100]\ndedicated_per_h = 2.0\n'
        "[gpus.B200]\nserverless_per_s = 0.002\ndedicated_per_h = 6.0\ncold_start_s = 50\nsetup_s = 600\n",
        encoding="utf-8",
    )
    table = PriceTable.load(own)
    assert table.as_of == "2031-01-01"
    assert table.gpu("H100").dedicated_per_h == 2.0
    assert table.gpu("H100").serverless_per_s == PriceTable.default().gpu("H100").serverless_per_s
    assert table.gpu("B200").setup_s == 600.0


def test_bad_override_names_the_field(tmp_path: Path) -> None:
    own = tmp_path / "prices.toml"
    own.write_text('[gpus.H100]\ndedicated_per_h = "cheap"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"gpus\.H100\.dedicated_per_h"):
        PriceTable.load(own)
    own.write_text("[gpus.B300]\ndedicated_per_h = 9.0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="needs all of"):
        PriceTable.load(own)
