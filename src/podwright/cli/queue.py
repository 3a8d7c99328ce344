"""Commands: ``queue add|list|show|cancel``, ``worker``, ``report``, ``plan`` and ``schedule run``.

Every id a command takes may be a unique prefix; ``queue list`` and ``queue show`` take ``--json``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Column, Table

from podwright.app import WorkerOptions
from podwright.app.scale import run_ray_worker
from podwright.cli.common import console, err_console, friendly_errors, print_json, studio, typer_app
from podwright.core import ConfigError, EpisodeRequest, Tier
from podwright.core.jobs import JobRecord, JobState

if TYPE_CHECKING:
    from podwright.scheduler.report import PeriodReport

__all__ = ["register"]

#: One set of worker defaults, shared with the Python API's ``WorkerOptions``.
_DEFAULTS = WorkerOptions()


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
    show_file: Path | None = typer.Option(None, "--show", metavar="FILE", help="The show file (TOML)."),
    topic: str | None = typer.Option(None, "--topic", metavar="TEXT", help="What the episode is about."),
    source: list[str] = typer.Option(
        [], "--source", metavar="PATH_OR_URL", help="A document path or URL (repeatable)."
    ),
    minutes: float = typer.Option(10.0, "--minutes", metavar="MINUTES", help="Target length in minutes."),
    tier: Tier = typer.Option(
        Tier.DRAFT, "--tier", metavar="TIER", help="draft, or final (the publishable voice)."
    ),
    review: bool = typer.Option(
        False, "--review", help="Final tier: render a draft first, wait for approve."
    ),
    priority: int = typer.Option(
        0, "--priority", metavar="0-9", min=0, max=9, help="Priority class; higher goes first."
    ),
    deadline: str | None = typer.Option(
        None, "--deadline", metavar="WHEN", help="ISO date/time (UTC when no zone is given)."
    ),
    episode_id: str | None = typer.Option(
        None, "--episode-id", metavar="ID", help="Episode id (default: from the topic)."
    ),
    from_file: Path | None = typer.Option(
        None, "--file", metavar="FILE", help="A TOML ([[episode]]) or JSONL file of many."
    ),
    offline: bool = typer.Option(False, "--offline", help="Check as for the embedded model (no key needed)."),
) -> None:
    """Put one episode (or a file of many) on the production queue, after the checks produce makes."""
    from podwright.app import QueuedEpisode, episode_id_for, read_queue_file

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
    with studio() as desk:
        added = desk.queue.add(episodes, offline=offline)
    for job, warnings in added:
        for warning in warnings:
            err_console.print(f"warning: {warning}", highlight=False, soft_wrap=True)
        console.print(f"queued [bold]{job.id}[/] ({_tiers(job)}, ~{_duration(job.estimate_compute_s)})")


def _tiers(job: JobRecord) -> str:
    """The next render's tier, and where a reviewed draft leads (``draft→final``)."""
    if job.render_tier is not job.tier:
        return f"{job.render_tier.value}→{job.tier.value}"
    return job.tier.value


def _list(
    state: list[JobState] = typer.Option(
        [], "--state", metavar="STATE", help="Only these states (repeatable)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Jobs with topic, state, estimate, wait, render position and the reason of the last failure."""
    with studio() as desk:
        views = desk.queue.jobs(state)
    if as_json:
        print_json(views)
        return
    now = time.time()
    # Ids are never cut (approve and cancel need them whole); topic and error fold instead.
    table = Table(
        Column("id", overflow="fold", min_width=12),
        Column("topic", overflow="fold", ratio=1),
        Column("state", no_wrap=True),
        Column("tier", no_wrap=True),
        Column("prio", no_wrap=True),
        Column("estimate", no_wrap=True),
        Column("wait", no_wrap=True),
        Column("pos", no_wrap=True),
        Column("last error", overflow="fold", ratio=1),
    )
    for view in views:
        job = view.job
        waiting = job.state not in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
        table.add_row(
            job.id,
            view.topic,
            job.state.value,
            _tiers(job),
            str(job.priority),
            _duration(view.estimate_s),
            _duration(now - job.created_at) if waiting else "—",
            str(view.position) if view.position is not None else "—",
            job.error or "",
        )
    console.print(table)


def _show(
    job_ref: str = typer.Argument(..., metavar="JOB", help="The job id (a unique prefix will do)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One job: its state, episode, and every attempt with its worker, time and error."""
    with studio() as desk:
        job = desk.queue.job(job_ref)
        attempts = desk.queue.attempts(job.id)
    if as_json:
        print_json({"job": job, "attempts": attempts})
        return
    console.print(
        f"{job.id}: {job.state.value} ({_tiers(job)}), episode {job.episode_key or '—'}", markup=False
    )
    if job.error:
        console.print(f"  last error: {job.error}", markup=False, highlight=False, soft_wrap=True)
    if job.episode_dir:
        console.print(f"  folder {job.episode_dir}", markup=False, highlight=False, soft_wrap=True)
    table = Table(
        "#", "phase", "tier", "worker", "started", "took", "outcome", Column("error", overflow="fold")
    )
    for number, attempt in enumerate(attempts, start=1):
        table.add_row(
            str(number),
            attempt.phase.value,
            attempt.tier.value if attempt.tier else "—",
            attempt.worker,
            datetime.fromtimestamp(attempt.started_at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
            f"{attempt.ended_at - attempt.started_at:.1f} s",
            attempt.outcome.value,
            attempt.error or "",
        )
    console.print(table)


def _cancel(
    job_ref: str = typer.Argument(..., metavar="JOB", help="The job to cancel (a unique prefix will do)."),
) -> None:
    """Cancel a job and its episode; a worker rendering it drops it at its next heartbeat."""
    with studio() as desk:
        console.print(f"cancelled [bold]{desk.queue.cancel(job_ref).id}[/]")


def _worker(
    burst: bool = typer.Option(False, "--burst", help="Stop when no job needs a worker."),
    out: Path = typer.Option(Path("out"), "--out", metavar="DIR", help="Output root for episode folders."),
    offline: bool = typer.Option(False, "--offline", help="Write scripts with the embedded local model."),
    device: str = typer.Option(
        "cpu", "--device", metavar="DEVICE", help="Where it renders: cpu, or a GPU name from the price table."
    ),
    keep_alive: float = typer.Option(
        _DEFAULTS.keep_alive_s,
        "--keep-alive",
        metavar="SECONDS",
        help="Idle seconds before a session stops.",
    ),
    min_episodes: int = typer.Option(
        _DEFAULTS.min_episodes,
        "--min-episodes",
        metavar="N",
        help="Staged episodes that start a session.",
    ),
    max_wait: float = typer.Option(
        _DEFAULTS.max_wait_s, "--max-wait", metavar="SECONDS", help="Longest a staged episode waits."
    ),
    lease: float = typer.Option(
        _DEFAULTS.lease_s,
        "--lease",
        metavar="SECONDS",
        help="Lease; a dead worker's job returns after it.",
    ),
    heartbeat: float | None = typer.Option(
        None, "--heartbeat", metavar="SECONDS", help="Seconds between lease renewals (default: lease / 4)."
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        metavar="FILE|URL",
        help="The store: a SQLite file or a postgresql:// URL (default: PODWRIGHT_DATABASE_URL,"
        " [store] url of config.toml, or podwright.db in the data dir).",
    ),
    scripts: int = typer.Option(
        _DEFAULTS.script_concurrency, "--script-concurrency", metavar="N", help="Scripts written at once."
    ),
    package_inline: bool = typer.Option(
        False, "--package-inline", help="Package each episode before voicing the next (default: beside it)."
    ),
    worker_id: str | None = typer.Option(None, "--worker-id", metavar="ID", help="This worker's name."),
    renderer: str | None = typer.Option(
        None, "--renderer", metavar="MODULE:FACTORY", help="A plug-in renderer (default: the real pipeline)."
    ),
    renderer_option: list[str] = typer.Option(
        [], "--renderer-option", metavar="KEY=VALUE", help="Passed to the plug-in renderer (repeatable)."
    ),
    backend: str = typer.Option(
        "local", "--backend", metavar="BACKEND", help="local, or ray: one render actor per cluster GPU."
    ),
    address: str | None = typer.Option(
        None, "--address", metavar="HOST:PORT", help="With --backend ray: the cluster (or auto, local)."
    ),
    actors: int | None = typer.Option(
        None, "--actors", metavar="N", min=1, help="With --backend ray: actors (default: one per GPU)."
    ),
) -> None:
    """Script queued jobs and render staged ones in warm sessions; prints the queue every few seconds."""
    options = WorkerOptions(
        burst=burst,
        offline=offline,
        device=device,
        keep_alive_s=keep_alive,
        min_episodes=min_episodes,
        max_wait_s=max_wait,
        lease_s=lease,
        heartbeat_s=heartbeat,
        script_concurrency=scripts,
        package_inline=package_inline,
        worker_id=worker_id,
        renderer=renderer,
        renderer_options=tuple(
            (key, value) for key, _, value in (item.partition("=") for item in renderer_option)
        ),
        backend=backend,
        address=address,
        actors=actors,
    )
    if backend not in ("local", "ray"):
        raise ConfigError(f"unknown backend {backend!r}", hint="use --backend local or --backend ray")
    if backend == "ray":
        with studio(out, db=db) as desk:
            run = run_ray_worker(desk, options, on_status=lambda line: console.print(line, highlight=False))
        sessions = [session for actor in run.actors for session in actor.sessions]
        console.print(f"scripted {run.scripted}, {len(run.actors)} actors, sessions {sessions}")
        return
    with studio(out, db=db) as desk:
        worker = desk.queue.worker(options, on_status=lambda line: console.print(line, highlight=False))
        console.print(f"worker {worker.worker_id} on {device}{' (burst)' if burst else ''}", highlight=False)
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
        None, "--session", metavar="ID", help="One session (default: all in the period)."
    ),
    since: str | None = typer.Option(
        None, "--since", metavar="WHEN", help="Period start: ISO date or a span like 7d."
    ),
    until: str | None = typer.Option(None, "--until", metavar="WHEN", help="Period end: ISO date."),
    chart: Path | None = typer.Option(
        None, "--chart", metavar="FILE", help="With --session: write its timeline as HTML here."
    ),
    prices: Path | None = typer.Option(
        None, "--prices", metavar="FILE", help="Your own price file, merged over the default."
    ),
) -> None:
    """Utilization, cold-start and idle shares, $ per audio minute, estimate error and queue wait."""
    if chart is not None and session_id is None:
        raise ConfigError("--chart draws one session", hint="pass --session ID with --chart")
    with studio() as desk:
        report = desk.queue.report(
            session_id=session_id,
            since=_when(since, option="--since"),
            until=_when(until, option="--until"),
            prices=prices,
        )
        _print_period(report)
        if chart is not None and session_id is not None:
            path = desk.queue.timeline_chart(session_id, chart, prices=prices)
            console.print(f"timeline: {path}", highlight=False, soft_wrap=True)


def _plan(
    gpu: str = typer.Option("A100-80GB", "--gpu", metavar="GPU", help="GPU kind from the price table."),
    machines: int = typer.Option(1, "--machines", metavar="K", min=1, help="GPUs rendering in parallel."),
    synthetic: int | None = typer.Option(
        None, "--synthetic", metavar="N", help="Plan a synthetic backlog of N episodes."
    ),
    rtf: float = typer.Option(
        0.9, "--rtf", metavar="RATIO", help="Render seconds per audio second on that GPU (final voice)."
    ),
    keep_alive: float = typer.Option(
        60.0, "--keep-alive", metavar="SECONDS", help="Serverless keep-alive seconds per session."
    ),
    prices: Path | None = typer.Option(
        None, "--prices", metavar="FILE", help="Your own price file, merged over the default."
    ),
    backlog_file: Path | None = typer.Option(
        None,
        "--backlog",
        metavar="FILE",
        help="Plan this backlog (JSON Lines or .csv: estimate, actual, arrival, deadline, priority, id).",
    ),
) -> None:
    """Serverless vs dedicated cost of the backlog, break-even, and FIFO vs shortest-first simulations."""
    with studio() as desk:
        plan = desk.queue.plan(
            gpu=gpu,
            machines=machines,
            rtf=rtf,
            keep_alive_s=keep_alive,
            synthetic=synthetic,
            prices=prices,
            backlog_file=backlog_file,
        )
    cost, table = plan.cost, plan.prices
    price = table.gpu(gpu)
    console.print(
        f"{len(plan.backlog)} episodes, {_duration(cost.render_s)} of rendering on {machines} x {gpu}"
    )
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
    with_deadline = sum(1 for job in plan.backlog if job.deadline_s is not None)
    for r in plan.runs:
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


def _schedule_run(
    show_files: list[Path] = typer.Option(
        [], "--show", metavar="FILE", help="A show file with a [schedule] table (repeatable)."
    ),
    now_text: str | None = typer.Option(
        None, "--now", metavar="WHEN", help="Pretend it is this ISO time (UTC if no zone)."
    ),
) -> None:
    """Enqueue the episodes that are due; running it again enqueues nothing twice."""
    from podwright.app import RunStatus

    if not show_files:
        raise ConfigError("no show files", hint="pass --show FILE (repeatable) for each recurring show")
    now = _when(now_text, option="--now") if now_text else time.time()
    with studio() as desk:
        decisions = desk.queue.run_schedules(show_files, now=now or time.time())
    for decision in decisions:
        due = decision.due_at.strftime("%Y-%m-%d %H:%M UTC") if decision.due_at else "—"
        if decision.status is RunStatus.ENQUEUED:
            console.print(
                f"{decision.show_slug}: queued [bold]{decision.job_id}[/] ({due}): {decision.topic}"
            )
        elif decision.status is RunStatus.ALREADY:
            console.print(f"{decision.show_slug}: {due} already queued as {decision.job_id}")
        elif decision.status is RunStatus.NO_TOPIC:
            err_console.print(
                f"warning: {decision.show_slug}: an episode is due ({due}) but every topic has been used; "
                "add topics to the schedule",
                highlight=False,
            )
        else:
            console.print(f"{decision.show_slug}: no [schedule] in the show file", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``queue`` (add/list/show/cancel), ``worker``, ``report``, ``plan``, ``schedule run``."""
    queue_app = typer_app("The production queue: add, list, show and cancel episodes.")
    queue_app.command("add")(friendly_errors(_add))
    queue_app.command("list")(friendly_errors(_list))
    queue_app.command("show")(friendly_errors(_show))
    queue_app.command("cancel")(friendly_errors(_cancel))
    app.add_typer(queue_app, name="queue")
    app.command("worker")(friendly_errors(_worker))
    app.command("report")(friendly_errors(_report))
    app.command("plan")(friendly_errors(_plan))
    schedule_app = typer_app("Recurring shows: enqueue the episodes that are due.")
    schedule_app.command("run")(friendly_errors(_schedule_run))
    app.add_typer(schedule_app, name="schedule")
