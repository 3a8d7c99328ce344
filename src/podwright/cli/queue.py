"""Commands: ``queue add|list|cancel``, ``approve``, ``worker``, ``report`` and ``plan``."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from rich.table import Column, Table

from podwright.cli.common import console, friendly_errors
from podwright.cli.rendering import engine_options
from podwright.cli.scripting import resolve_key, script_client
from podwright.config import Settings, load_show
from podwright.core import ConfigError, EpisodeRequest, Tier
from podwright.core.jobs import JobRecord, JobState
from podwright.scheduler.backlog import live_backlog, read_backlog
from podwright.scheduler.estimate import Calibration, calibration_key
from podwright.scheduler.intake import (
    QueuedEpisode,
    enqueue,
    episode_id_for,
    queue_positions,
    read_queue_file,
)
from podwright.scheduler.order import OrderPolicy
from podwright.scheduler.planner import PriceTable, plan_costs
from podwright.scheduler.report import PeriodReport, period_report, session_report
from podwright.scheduler.session import SessionSettings
from podwright.scheduler.simulate import (
    POLICIES,
    SPLIT,
    SimJob,
    production_scenario,
    simulate,
    simulate_split,
)
from podwright.scheduler.timeline_chart import write_timeline
from podwright.scheduler.trigger import SessionTrigger
from podwright.scheduler.work import PipelineRenderer, PipelineScripter
from podwright.scheduler.worker import Worker, WorkerSettings
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore

__all__ = ["register"]


def _stores() -> tuple[JobStore, SessionStore]:
    conn = connect(Settings.resolve().db_path)
    return JobStore(conn), SessionStore(conn)


def _when(text: str | None, *, option: str) -> float | None:
    """An ISO date/time (naive means UTC) or a span back from now such as ``7d`` or ``12h``."""
    if text is None:
        return None
    units = {"d": 86400.0, "h": 3600.0, "m": 60.0}
    if text[-1:] in units and text[:-1].replace(".", "", 1).isdigit():
        return time.time() - float(text[:-1]) * units[text[-1]]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(
            f"{option} {text!r} is not a date", hint="use 2026-01-31, 2026-01-31T18:00 or 7d"
        ) from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _duration(seconds: float | None) -> str:
    return "—" if seconds is None else str(timedelta(seconds=round(seconds)))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _usd(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.4f}"


def _add(
    show_file: Path | None = typer.Option(None, "--show", help="The show file (TOML)."),
    topic: str | None = typer.Option(None, "--topic", help="What the episode is about."),
    source: list[str] = typer.Option([], "--source", help="A document path or URL (repeatable)."),
    minutes: float = typer.Option(10.0, "--minutes", help="Target length in minutes."),
    tier: Tier = typer.Option(Tier.DRAFT, "--tier", help="draft, or final (the publishable voice)."),
    review: bool = typer.Option(
        False, "--review", help="Final tier: render a draft first, wait for approve."
    ),
    priority: int = typer.Option(0, "--priority", min=0, max=9, help="Priority class; higher goes first."),
    deadline: str | None = typer.Option(
        None, "--deadline", help="ISO date/time (UTC when no zone is given)."
    ),
    episode_id: str | None = typer.Option(None, "--episode-id", help="Episode id (default: from the topic)."),
    from_file: Path | None = typer.Option(None, "--file", help="A TOML ([[episode]]) or JSONL file of many."),
) -> None:
    """Put one episode (or a file of many) on the production queue."""
    if from_file is not None:
        episodes = read_queue_file(from_file, default_show=show_file)
    else:
        if show_file is None:
            raise ConfigError("no show file", hint="pass --show path/show.toml")
        if not (topic and topic.strip()) and not source:
            raise ConfigError("nothing to write about", hint="pass --topic TEXT or at least one --source")
        due = _when(deadline, option="--deadline")
        request = EpisodeRequest(
            episode_id=episode_id or episode_id_for(topic),
            topic=topic,
            sources=tuple(source),
            target_minutes=minutes,
            tier=tier,
            priority=priority,
            deadline=datetime.fromtimestamp(due, UTC) if due is not None else None,
        )
        episodes = [QueuedEpisode(request=request, show_path=show_file, review=review)]
    # A bad show file fails here, in a second, not three script attempts later in a worker.
    for path in {episode.show_path for episode in episodes}:
        load_show(path)
    episodes = [replace(episode, show_path=episode.show_path.resolve()) for episode in episodes]
    jobs, sessions = _stores()
    try:
        for episode in episodes:
            job = enqueue(jobs, sessions, episode)
            console.print(f"queued [bold]{job.id}[/] ({_tiers(job)}, ~{_duration(job.estimate_compute_s)})")
    finally:
        jobs.conn.close()


def _tiers(job: JobRecord) -> str:
    """The next render's tier, and where a reviewed draft leads (``draft→final``)."""
    if job.render_tier is not job.tier:
        return f"{job.render_tier.value}→{job.tier.value}"
    return job.tier.value


def _list(
    state: list[JobState] = typer.Option([], "--state", help="Only these states (repeatable)."),
) -> None:
    """Jobs with their state, estimated render time, wait so far and render position."""
    jobs, sessions = _stores()
    try:
        now = time.time()
        positions = queue_positions(jobs, sessions, now, OrderPolicy())
        table = Table("id", "state", "tier", "prio", "estimate", "wait", "position")
        for job in jobs.select(state or None):
            position, estimate = positions.get(job.id, (None, job.estimate_compute_s))
            table.add_row(
                job.id,
                job.state.value,
                _tiers(job),
                str(job.priority),
                _duration(estimate),
                _duration(now - job.created_at) if job.state not in (JobState.DONE, JobState.FAILED) else "—",
                str(position) if position is not None else "—",
            )
        console.print(table)
    finally:
        jobs.conn.close()


def _cancel(job_id: str = typer.Argument(..., help="The job to cancel.")) -> None:
    """Cancel a job; a worker rendering it drops it at its next heartbeat."""
    jobs, _ = _stores()
    try:
        console.print(f"cancelled [bold]{jobs.cancel(job_id).id}[/]")
    finally:
        jobs.conn.close()


def _approve(job_id: str = typer.Argument(..., help="The job whose draft you approve.")) -> None:
    """Pass a draft's review gate: its script goes on to the final render."""
    jobs, _ = _stores()
    try:
        console.print(f"approved [bold]{jobs.approve(job_id).id}[/]: queued for its final render")
    finally:
        jobs.conn.close()


def _worker(
    burst: bool = typer.Option(False, "--burst", help="Stop when no job needs a worker."),
    out: Path = typer.Option(Path("out"), "--out", help="Output root for episode folders."),
    offline: bool = typer.Option(False, "--offline", help="Write scripts with the embedded local model."),
    device: str = typer.Option(
        "cpu", "--device", help="Where it renders: cpu, or a GPU name from the price table."
    ),
    keep_alive: float = typer.Option(
        5.0, "--keep-alive", help="Seconds a session waits idle before it stops."
    ),
    min_episodes: int = typer.Option(3, "--min-episodes", help="Staged episodes that start a session."),
    max_wait: float = typer.Option(
        900.0, "--max-wait", help="Longest a staged episode waits for a session (s)."
    ),
    lease: float = typer.Option(
        60.0, "--lease", help="Lease seconds; a dead worker's job returns after this."
    ),
    scripts: int = typer.Option(2, "--script-concurrency", help="Scripts written at the same time."),
    package_inline: bool = typer.Option(
        False,
        "--package-inline",
        help="Package each episode before voicing the next (default: beside the next voicing).",
    ),
    worker_id: str | None = typer.Option(
        None,
        "--worker-id",
        help="A stable identity: restarted with it, the worker takes its own dead jobs back at once.",
    ),
) -> None:
    """Script queued jobs and render staged ones in warm sessions."""
    settings = Settings.resolve()
    session = SessionSettings(keep_alive_s=keep_alive, lease_s=lease, heartbeat_s=max(lease / 4, 0.1))
    worker = Worker(
        settings.db_path,
        renderer=PipelineRenderer(
            load_show,
            settings.chunk_cache_dir,
            device=device,
            engine_options=engine_options,
            overlap_packaging=not package_inline,
        ),
        scripter=PipelineScripter(
            out,
            show_loader=load_show,
            client_factory=lambda show: script_client(
                show, offline=offline, settings=settings, key=resolve_key(show, offline=offline)
            ),
        ),
        settings=WorkerSettings(
            session=session,
            trigger=SessionTrigger(min_episodes=min_episodes, max_wait_s=max_wait),
            script_concurrency=scripts,
        ),
        worker_id=worker_id,
    )
    console.print(f"worker {worker.worker_id} on {device}{' (burst)' if burst else ''}")
    summary = worker.run(burst=burst)
    console.print(f"scripted {summary.scripted}, sessions {list(summary.sessions)}")


def _print_period(report: PeriodReport) -> None:
    table = Table(
        "session", "device", "episodes", "billed", "util", "cold", "idle", "$/audio min", "est. err"
    )
    for r in report.sessions:
        table.add_row(
            str(r.session.id),
            r.session.device,
            str(r.session.episodes),
            _duration(r.billed_s),
            _pct(r.utilization),
            _pct(r.cold_start_share),
            _pct(r.idle_share),
            _usd(r.usd_per_audio_minute),
            _pct(r.estimate_error),
        )
    console.print(table)
    console.print(
        f"total: billed {_duration(report.billed_s)}, utilization {_pct(report.utilization)}, "
        f"cold start {_pct(report.cold_start_share)}, idle {_pct(report.idle_share)}, "
        f"machine {_usd(report.machine_usd)} + LLM {_usd(report.llm_usd)}"
        f"{f' ({report.unpriced_llm_calls} unpriced calls)' if report.unpriced_llm_calls else ''}, "
        f"{_usd(report.usd_per_audio_minute)} per audio minute, mean queue wait "
        f"{_duration(report.mean_queue_wait_s)}, estimate error {_pct(report.estimate_error)}",
        highlight=False,
    )


def _report(
    session_id: int | None = typer.Option(
        None, "--session", help="One session (default: all in the period)."
    ),
    since: str | None = typer.Option(None, "--since", help="Period start: ISO date or a span like 7d."),
    until: str | None = typer.Option(None, "--until", help="Period end: ISO date."),
    chart: Path | None = typer.Option(
        None, "--chart", help="With --session: write its timeline as HTML here."
    ),
    prices: Path | None = typer.Option(
        None, "--prices", help="Your own price file, merged over the default."
    ),
) -> None:
    """Utilization, cold-start and idle shares, $ per audio minute, estimate error and queue wait."""
    table = PriceTable.load(prices)
    jobs, sessions = _stores()
    try:
        if session_id is not None:
            one = session_report(sessions, jobs, session_id, table)
            _print_period(PeriodReport((one,)))
            if chart is not None:
                console.print(f"timeline: {write_timeline(one, chart)}", highlight=False, soft_wrap=True)
            return
        if chart is not None:
            raise ConfigError("--chart draws one session", hint="pass --session ID with --chart")
        _print_period(
            period_report(
                sessions,
                jobs,
                table,
                since=_when(since, option="--since"),
                until=_when(until, option="--until"),
            )
        )
    finally:
        jobs.conn.close()


def _staged_backlog(gpu: str, rtf: float) -> list[SimJob]:
    jobs, sessions = _stores()
    try:
        waiting = jobs.select([JobState.QUEUED, JobState.SCRIPTING, JobState.SCRIPTED])
        keys = {calibration_key(job.render_tier.value, where) for job in waiting for where in (gpu, "cpu")}
        calibrations = {key: Calibration.from_samples(sessions.calibration(key)) for key in keys}
        return live_backlog(waiting, calibrations, now=time.time(), device=gpu, rtf=rtf)
    finally:
        jobs.conn.close()


def _plan(
    gpu: str = typer.Option("A100-80GB", "--gpu", help="GPU kind from the price table."),
    machines: int = typer.Option(1, "--machines", min=1, help="GPUs rendering in parallel (K)."),
    synthetic: int | None = typer.Option(None, "--synthetic", help="Plan a synthetic backlog of N episodes."),
    rtf: float = typer.Option(
        0.9, "--rtf", help="Render seconds per audio second on that GPU (final voice)."
    ),
    keep_alive: float = typer.Option(60.0, "--keep-alive", help="Serverless keep-alive seconds per session."),
    prices: Path | None = typer.Option(
        None, "--prices", help="Your own price file, merged over the default."
    ),
    backlog_file: Path | None = typer.Option(
        None,
        "--backlog",
        help="Plan this backlog (JSON Lines or .csv: estimate, actual, arrival, deadline, priority, id).",
    ),
) -> None:
    """Serverless vs dedicated cost of the backlog, break-even, and FIFO vs shortest-first simulations."""
    table = PriceTable.load(prices)
    price = table.gpu(gpu)
    if backlog_file is not None:
        backlog = read_backlog(backlog_file)
    elif synthetic:
        backlog = production_scenario(episodes=synthetic)
    else:
        backlog = _staged_backlog(gpu, rtf)
    if not backlog:
        raise ConfigError("the queue is empty", hint="queue episodes first, or pass --synthetic 50")
    cost = plan_costs([j.compute_s for j in backlog], price, machines=machines, keep_alive_s=keep_alive)
    console.print(f"{len(backlog)} episodes, {_duration(cost.render_s)} of rendering on {machines} x {gpu}")
    console.print(f"prices: {table.label} ({'; '.join(table.sources)})", highlight=False, soft_wrap=True)
    console.print(
        f"serverless {_usd(cost.serverless_usd)} ({_duration(cost.serverless_billed_s)} billed) vs "
        f"dedicated {_usd(cost.dedicated_usd)} ({_duration(cost.dedicated_billed_s)} rented): "
        f"{cost.cheaper} is cheaper; break-even at {_pct(cost.break_even_utilization)} busy "
        f"({cost.break_even_busy_hours_per_day or 0:.1f} h a day)",
        highlight=False,
    )
    sims = Table(
        Column("order", no_wrap=True),
        "mean done",
        "p95 done",
        "longest wait",
        "makespan",
        "util",
        "serverless $",
        "deadlines missed",
    )
    runs = [
        simulate(
            backlog,
            policy,
            machines=machines,
            cold_start_s=price.cold_start_s,
            keep_alive_s=keep_alive,
            name=name,
        )
        for name, policy in POLICIES.items()
    ]
    if machines > 1:
        runs.append(
            simulate_split(
                backlog,
                POLICIES["shortest-first+aging"],
                machines=machines,
                cold_start_s=price.cold_start_s,
                keep_alive_s=keep_alive,
                name=SPLIT,
            )
        )
    with_deadline = sum(1 for job in backlog if job.deadline_s is not None)
    for r in runs:
        sims.add_row(
            r.policy,
            _duration(r.mean_completion_s),
            _duration(r.p95_completion_s),
            _duration(r.max_wait_s),
            _duration(r.makespan_s),
            _pct(r.utilization),
            _usd(r.billed_s * price.serverless_per_s),
            f"{r.deadlines_missed} of {with_deadline}" if with_deadline else "–",
        )
    console.print(sims)


def register(app: typer.Typer) -> None:
    """Add ``queue`` (add/list/cancel), ``approve``, ``worker``, ``report`` and ``plan`` to ``app``."""
    queue_app = typer.Typer(help="The production queue: add, list and cancel episodes.", no_args_is_help=True)
    queue_app.command("add")(friendly_errors(_add))
    queue_app.command("list")(friendly_errors(_list))
    queue_app.command("cancel")(friendly_errors(_cancel))
    app.add_typer(queue_app, name="queue")
    app.command("approve")(friendly_errors(_approve))
    app.command("worker")(friendly_errors(_worker))
    app.command("report")(friendly_errors(_report))
    app.command("plan")(friendly_errors(_plan))
