"""Ordering properties: shortest-first, aging bounds starvation, the deadline override holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from podwright.scheduler.order import OrderPolicy, QueueItem, rank
from podwright.scheduler.simulate import SimJob, simulate

jobs_strategy = st.lists(st.tuples(st.floats(0, 5000), st.floats(1, 600)), min_size=1, max_size=40).map(
    lambda rows: [SimJob(f"j{i}", arrival, compute, compute) for i, (arrival, compute) in enumerate(rows)]
)


def test_shortest_first_with_priority_classes() -> None:
    items = [QueueItem("long", 600, 0), QueueItem("short", 60, 10), QueueItem("vip", 900, 20, priority=2)]
    assert [i.job_id for i in rank(items, 30, OrderPolicy(aging_rate=0))] == ["vip", "short", "long"]


def test_aging_lets_a_long_wait_beat_a_fresh_short_job() -> None:
    items = [QueueItem("long", 600, 0), QueueItem("fresh", 60, 6000)]
    assert rank(items, 6000, OrderPolicy(aging_rate=0.1))[0].job_id == "long"
    assert rank(items, 6000, OrderPolicy(aging_rate=0.0))[0].job_id == "fresh"


def test_fifo_policy_serves_in_arrival_order() -> None:
    items = [QueueItem("b", 1, 2), QueueItem("a", 900, 1)]
    assert [i.job_id for i in rank(items, 3, OrderPolicy(shortest_first=False))] == ["a", "b"]


@settings(max_examples=150, deadline=None)
@given(jobs_strategy, st.floats(0.01, 1.0))
def test_aging_bounds_overtaking(jobs: list[SimJob], rate: float) -> None:
    """Nothing arriving more than estimate/rate after a job may start before it (starvation freedom)."""
    result = simulate(jobs, OrderPolicy(aging_rate=rate), cold_start_s=0, keep_alive_s=0)
    for late in jobs:
        for early in jobs:
            if late.arrival_s - early.arrival_s > early.estimate_s / rate + 1e-6:
                assert result.starts[early.job_id] <= result.starts[late.job_id]


def test_without_aging_a_stream_of_short_jobs_starves_a_long_one() -> None:
    # Two 50 s jobs arrive every 100 s: the machine is never without a shorter job to pick.
    stream = [SimJob(f"s{i:03d}{k}", i * 100.0, 50.0, 50.0) for i in range(100) for k in "ab"]
    long_job = SimJob("long", 1.0, 3000.0, 3000.0)
    plain = simulate([*stream, long_job], OrderPolicy(aging_rate=0), cold_start_s=0, keep_alive_s=0)
    aged = simulate([*stream, long_job], OrderPolicy(aging_rate=0.5), cold_start_s=0, keep_alive_s=0)
    assert plain.starts["long"] > max(plain.starts[j.job_id] for j in stream)
    assert aged.starts["long"] - long_job.arrival_s <= 3000.0 / 0.5 + 50.0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(1, 300), min_size=0, max_size=30),
    st.floats(1, 3000),
    st.floats(0, 5000),
)
def test_deadline_met_when_slack_threshold_covers_one_job(
    others: list[float], est: float, slack: float
) -> None:
    """With the override threshold ≥ the longest other job, a feasible deadline (≥ its own length) is met."""
    jobs = [SimJob(f"o{i}", 0.0, c, c) for i, c in enumerate(others)]
    jobs.append(SimJob("due", 0.0, est, est, deadline_s=est + slack))
    policy = OrderPolicy(aging_rate=0.05, urgent_slack_s=max(others, default=0.0))
    result = simulate(jobs, policy, cold_start_s=0, keep_alive_s=0)
    assert result.completions["due"] <= est + slack + 1e-6
    assert result.deadlines_missed == 0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(1, 600), st.floats(-600, 6000)), min_size=1, max_size=20), st.floats(0, 1000)
)
def test_urgent_jobs_come_first_in_deadline_order(rows: list[tuple[float, float]], threshold: float) -> None:
    items = [
        QueueItem(f"j{i}", est, 0.0, deadline=due if due > 0 else None) for i, (est, due) in enumerate(rows)
    ]
    policy = OrderPolicy(urgent_slack_s=threshold)
    ranked = rank(items, 0.0, policy)
    urgent = [policy.is_urgent(i, 0.0) for i in ranked]
    assert urgent == sorted(urgent, reverse=True)
    deadlines = [i.deadline for i in ranked if policy.is_urgent(i, 0.0)]
    assert deadlines == sorted(deadlines)  # type: ignore[type-var]
