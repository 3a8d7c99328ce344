"""The simulated benchmark scenario: deterministic, and shortest-first+aging beats FIFO on it."""

from __future__ import annotations

import pytest

from podwright.scheduler.order import OrderPolicy
from podwright.scheduler.simulate import SimJob, percentile, run_production_scenario, simulate


def test_hand_checked_two_jobs_one_machine() -> None:
    jobs = [SimJob("long", 0.0, 100.0, 100.0), SimJob("short", 0.0, 10.0, 10.0)]
    fifo = simulate(jobs, OrderPolicy(shortest_first=False), cold_start_s=5, keep_alive_s=20)
    sjf = simulate(jobs, OrderPolicy(aging_rate=0), cold_start_s=5, keep_alive_s=20)
    # FIFO (tie on arrival → id order): long 5..105, short 105..115; mean (105 + 115) / 2 = 110
    assert fifo.completions == {"long": 105.0, "short": 115.0}
    assert fifo.mean_completion_s == pytest.approx(110.0)
    # Shortest first: short 5..15, long 15..115; mean 65
    assert sjf.mean_completion_s == pytest.approx(65.0)
    # One session: billed 0..115 + 20 keep-alive = 135; active 110
    assert (sjf.billed_s, sjf.active_s, sjf.cold_starts) == (135.0, 110.0, 1)
    assert sjf.utilization == pytest.approx(110 / 135)


def test_a_gap_longer_than_keep_alive_costs_a_second_cold_start() -> None:
    jobs = [SimJob("a", 0.0, 10.0, 10.0), SimJob("b", 100.0, 10.0, 10.0)]
    result = simulate(jobs, OrderPolicy(), cold_start_s=5, keep_alive_s=20)
    assert result.cold_starts == 2
    assert result.billed_s == pytest.approx((15 + 20) + (15 + 20))


def test_percentile_nearest_rank() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == 10
    assert percentile([5.0], 50) == 5.0
    assert percentile([], 95) == 0.0


def test_production_scenario_is_deterministic_and_meets_the_goal() -> None:
    first, second = run_production_scenario(seed=7), run_production_scenario(seed=7)
    assert first == second
    assert 30 <= first.cold_start_s <= 60
    assert first.mean_completion_gain >= 0.25
    fifo, aged = first.results["fifo"], first.results["shortest-first+aging"]
    assert aged.max_wait_s < 1.5 * fifo.max_wait_s  # aging keeps the longest wait bounded
    assert aged.active_s == fifo.active_s
    assert first.plan.serverless_usd > 0 and first.plan.dedicated_usd > 0
    assert first.serverless_usd("fifo") == pytest.approx(fifo.billed_s * first.gpu.serverless_per_s)


def test_longest_first_assignment_balances_estimated_load() -> None:
    from podwright.scheduler.simulate import assign_longest_first, simulate_split

    jobs = [
        SimJob(f"j{e}{k}", 0.0, e, e) for e, k in ((5, ""), (4, ""), (3, "a"), (3, "b"), (2, ""), (1, ""))
    ]
    lanes = assign_longest_first(jobs, 2)
    assert [[j.estimate_s for j in lane] for lane in lanes] == [[5, 3, 1], [4, 3, 2]]
    split = simulate_split(jobs, OrderPolicy(aging_rate=0), machines=2, cold_start_s=0, keep_alive_s=0)
    assert split.makespan_s == 9.0 and split.cold_starts == 2
    # shortest first within each lane: lane 0 runs 1, 3, 5 -> done at 1, 4, 9
    assert (split.completions["j1"], split.completions["j3b"], split.completions["j5"]) == (1.0, 4.0, 9.0)
