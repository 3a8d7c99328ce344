"""Deadlines: shortest-first with the deadline override never misses one that FIFO meets.

On one machine, with exact estimates, within one priority class. Across classes no order that lets
short jobs go first can promise it: a high-priority job arriving while a long low-priority one runs
waits for that one's remainder, which FIFO may have started earlier (jobs at 0: 10, 11, 63, 142, 10 s;
a priority-1 job of 10 s at 140 due at 281: FIFO meets it, any order serving the second 10 s job
early does not) — so priority classes are a producer's explicit trade, not a guarantee.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from podwright.scheduler.simulate import POLICIES, SimJob, simulate

JOB = st.tuples(
    st.floats(0.0, 3000.0),  # arrival
    st.floats(10.0, 2400.0),  # render seconds (the estimate is exact here)
    st.one_of(st.none(), st.floats(0.0, 6000.0)),  # deadline slack after arrival + render
    st.just(0),  # one priority class (see the module docstring)
)


def _backlog(raw: list[tuple[float, float, float | None, int]]) -> list[SimJob]:
    return [
        SimJob(
            f"j{i:02d}",
            round(arrival, 1),
            round(render, 1),
            round(render, 1),
            priority,
            None if slack is None else round(arrival + render + slack, 1),
        )
        for i, (arrival, render, slack, priority) in enumerate(raw)
    ]


def _met(jobs: list[SimJob], policy: str) -> set[str]:
    result = simulate(jobs, POLICIES[policy], machines=1, cold_start_s=45.0, keep_alive_s=60.0)
    return {
        j.job_id
        for j in jobs
        if j.deadline_s is not None and result.completions[j.job_id] <= j.deadline_s + 1e-6
    }


@settings(max_examples=300, deadline=None)
@given(st.lists(JOB, min_size=1, max_size=9))
def test_shortest_first_meets_every_deadline_fifo_meets(
    raw: list[tuple[float, float, float | None, int]],
) -> None:
    jobs = _backlog(raw)
    fifo = _met(jobs, "fifo")
    for policy in ("shortest-first", "shortest-first+aging"):
        assert fifo <= _met(jobs, policy), policy
