"""Session and period reports: shares, dollars per audio minute (machine + ledger), estimate error, waits."""

from __future__ import annotations

from pathlib import Path

import pytest

from podwright.core import EpisodeRequest
from podwright.core.jobs import AttemptOutcome, SessionEpisode
from podwright.core.show import Tier
from podwright.scheduler.planner import PriceTable
from podwright.scheduler.report import period_report, session_report
from podwright.scheduler.timeline_chart import session_timeline_svg
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore


def episode(
    sid: int,
    job_id: str,
    start: float,
    end: float,
    *,
    compute: float,
    estimate: float,
    outcome: AttemptOutcome = AttemptOutcome.OK,
) -> SessionEpisode:
    return SessionEpisode(
        session_id=sid,
        job_id=job_id,
        tier=Tier.FINAL,
        started_at=start,
        ended_at=end,
        audio_s=600.0 if outcome is AttemptOutcome.OK else 0.0,
        compute_s=compute,
        estimate_compute_s=estimate,
        outcome=outcome,
    )


@pytest.fixture
def stores(tmp_path: Path) -> tuple[JobStore, SessionStore]:
    conn = connect(tmp_path / "q.db")
    jobs = JobStore(conn, clock=lambda: 0.0)
    for job_id in ("ep1", "ep2"):
        jobs.add(
            EpisodeRequest(episode_id=job_id, topic="t"), "s.toml", review=False, estimate_audio_s=1, rtf=1
        )
    conn.execute(
        "INSERT INTO llm_calls (started_at, episode_id, stage, task, provider, model_asked, cost_usd,"
        " latency_s) VALUES ('x', 'ep1', 'segment', 'segment', 'p', 'm', 0.05, 1.0),"
        " ('x', 'ep2', 'intro', 'intro', 'p', 'm', NULL, 1.0)"
    )
    return jobs, SessionStore(conn, clock=lambda: 100.0)


def test_session_report_hand_computed(stores: tuple[JobStore, SessionStore]) -> None:
    jobs, sessions = stores
    sid = sessions.open("w", "A100-80GB")  # opens at t=100
    sessions.add_cold_start(sid, 40.0)
    sessions.record_episode(episode(sid, "ep1", 140.0, 440.0, compute=300.0, estimate=240.0))
    sessions.record_episode(
        episode(sid, "ep2", 440.0, 540.0, compute=0.0, estimate=60.0, outcome=AttemptOutcome.ERROR)
    )
    sessions.add_idle(sid, 60.0)
    SessionStore(jobs.conn, clock=lambda: 600.0).close(sid, "nothing staged")
    report = session_report(sessions, jobs, sid, PriceTable.default())
    # billed 500 s: active 300 (60%), cold 40 (8%), idle 60 (12%)
    assert (report.billed_s, report.utilization) == (500.0, 0.6)
    assert (report.cold_start_share, report.idle_share) == (pytest.approx(0.08), pytest.approx(0.12))
    # machine: 500 s x $0.000694 = $0.347; LLM: ep1's $0.05 (ep2 failed, not counted); 10 audio min
    assert report.machine_usd == pytest.approx(0.347)
    assert (report.llm_usd, report.unpriced_llm_calls) == (pytest.approx(0.05), 0)
    assert report.usd_per_audio_minute == pytest.approx((0.347 + 0.05) / 10)
    assert report.estimate_error == pytest.approx(0.2)  # |300 - 240| / 300
    assert report.queue_waits_s == (140.0,)
    svg = session_timeline_svg(report)
    assert svg.count("<rect") == 4 and "ep2 (final) 0.00 s error" in svg


def test_unknown_device_price_is_unknown_not_zero(stores: tuple[JobStore, SessionStore]) -> None:
    jobs, sessions = stores
    sid = sessions.open("w", "TPU-v9")
    sessions.record_episode(episode(sid, "ep2", 100.0, 150.0, compute=50.0, estimate=50.0))
    SessionStore(jobs.conn, clock=lambda: 200.0).close(sid, "nothing staged")
    period = period_report(sessions, jobs, PriceTable.default())
    assert period.machine_usd is None and period.usd_per_audio_minute is None
    assert period.unpriced_llm_calls == 1
    assert period.utilization == pytest.approx(0.5)
