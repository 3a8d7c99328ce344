"""Audit of render sessions: where billed seconds went, what an audio minute cost, how good estimates were.

Machine dollars are billed seconds × the session device's per-second price (``cpu`` is free: zero,
known); LLM dollars come from the ``llm_calls`` ledger of the episodes rendered. Unknown is never
zero: an unpriced device gives ``None``, and unpriced LLM calls are counted, not hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podwright.core.jobs import AttemptOutcome, SessionEpisode, SessionRecord
from podwright.scheduler.planner import PriceTable
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore

__all__ = ["PeriodReport", "SessionReport", "period_report", "session_report"]


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


@dataclass(frozen=True, slots=True)
class SessionReport:
    """One session's figures."""

    session: SessionRecord
    episodes: tuple[SessionEpisode, ...]
    machine_usd: float | None
    llm_usd: float
    """Known LLM dollars of the rendered episodes (see ``unpriced_llm_calls``)."""
    unpriced_llm_calls: int
    queue_waits_s: tuple[float, ...]
    """Per rendered episode: render start − when the job was queued."""

    @property
    def billed_s(self) -> float:
        """Start to stop seconds."""
        return self.session.billed_s

    @property
    def audio_s(self) -> float:
        """Audio seconds rendered successfully."""
        return sum(e.audio_s for e in self.episodes if e.outcome is AttemptOutcome.OK)

    @property
    def utilization(self) -> float | None:
        """Active ÷ billed."""
        return self.session.utilization

    @property
    def cold_start_share(self) -> float | None:
        """Cold-start seconds ÷ billed."""
        return _share(self.session.cold_start_s, self.billed_s)

    @property
    def idle_share(self) -> float | None:
        """Keep-alive idle seconds ÷ billed."""
        return _share(self.session.idle_s, self.billed_s)

    @property
    def usd_per_audio_minute(self) -> float | None:
        """(machine + known LLM dollars) ÷ audio minutes; ``None`` if the machine price is unknown."""
        if self.machine_usd is None or self.audio_s <= 0:
            return None
        return (self.machine_usd + self.llm_usd) / (self.audio_s / 60.0)

    @property
    def estimate_error(self) -> float | None:
        """Mean |actual − estimate| ÷ actual compute seconds over successful episodes."""
        errors = [
            abs(e.compute_s - e.estimate_compute_s) / e.compute_s
            for e in self.episodes
            if e.outcome is AttemptOutcome.OK and e.compute_s > 0
        ]
        return sum(errors) / len(errors) if errors else None


def session_report(
    sessions: SessionStore, jobs: JobStore, session_id: int, prices: PriceTable
) -> SessionReport:
    """Figures of session ``session_id``."""
    session = sessions.get(session_id)
    episodes = tuple(sessions.episodes(session_id))
    price = prices.gpus.get(session.device)
    machine_usd = session.billed_s * price.serverless_per_s if price is not None else None
    rendered = sorted({e.job_id for e in episodes if e.outcome is AttemptOutcome.OK})
    llm_usd, unpriced = sessions.llm_cost(rendered)
    created = {job.id: job.created_at for job in jobs.select() if job.id in rendered}
    waits = tuple(
        e.started_at - created[e.job_id]
        for e in episodes
        if e.outcome is AttemptOutcome.OK and e.job_id in created
    )
    return SessionReport(session, episodes, machine_usd, llm_usd, unpriced, waits)


@dataclass(frozen=True, slots=True)
class PeriodReport:
    """Totals over the sessions that started in a period."""

    sessions: tuple[SessionReport, ...]

    @property
    def billed_s(self) -> float:
        """Σ billed seconds."""
        return sum(r.billed_s for r in self.sessions)

    @property
    def audio_s(self) -> float:
        """Σ audio seconds rendered."""
        return sum(r.audio_s for r in self.sessions)

    @property
    def utilization(self) -> float | None:
        """Σ active ÷ Σ billed."""
        return _share(sum(r.session.active_s for r in self.sessions), self.billed_s)

    @property
    def cold_start_share(self) -> float | None:
        """Σ cold start ÷ Σ billed."""
        return _share(sum(r.session.cold_start_s for r in self.sessions), self.billed_s)

    @property
    def idle_share(self) -> float | None:
        """Σ idle ÷ Σ billed."""
        return _share(sum(r.session.idle_s for r in self.sessions), self.billed_s)

    @property
    def machine_usd(self) -> float | None:
        """Σ machine dollars; ``None`` if any session's device has no price."""
        values = [r.machine_usd for r in self.sessions]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    @property
    def llm_usd(self) -> float:
        """Σ known LLM dollars."""
        return sum(r.llm_usd for r in self.sessions)

    @property
    def unpriced_llm_calls(self) -> int:
        """LLM calls with no known cost."""
        return sum(r.unpriced_llm_calls for r in self.sessions)

    @property
    def usd_per_audio_minute(self) -> float | None:
        """(machine + LLM dollars) ÷ audio minutes."""
        machine = self.machine_usd
        if machine is None or self.audio_s <= 0:
            return None
        return (machine + self.llm_usd) / (self.audio_s / 60.0)

    @property
    def mean_queue_wait_s(self) -> float | None:
        """Mean wait from queued to render start."""
        waits = [w for r in self.sessions for w in r.queue_waits_s]
        return sum(waits) / len(waits) if waits else None

    @property
    def estimate_error(self) -> float | None:
        """Mean per-session estimate error."""
        errors = [r.estimate_error for r in self.sessions if r.estimate_error is not None]
        return sum(errors) / len(errors) if errors else None


def period_report(
    sessions: SessionStore,
    jobs: JobStore,
    prices: PriceTable,
    *,
    since: float | None = None,
    until: float | None = None,
) -> PeriodReport:
    """Every session that started in ``[since, until)``."""
    records: Sequence[SessionRecord] = sessions.select(since=since, until=until)
    return PeriodReport(tuple(session_report(sessions, jobs, r.id, prices) for r in records))
