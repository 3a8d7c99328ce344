"""Commands: ``images``, ``youtube``, ``feed`` and ``schedule run`` (publishing an episode and a show)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import typer
from rich.table import Table

from podwright.cli.common import console, err_console, friendly_errors
from podwright.cli.rendering import engine_options
from podwright.config import Settings, api_key, load_show
from podwright.core import ConfigError, Script, Show
from podwright.images import IMAGE_ENGINES, create_engine
from podwright.pipeline.episode_folder import read_script
from podwright.pipeline.feed import write_feed
from podwright.pipeline.images import EpisodeImages, make_episode_images
from podwright.pipeline.youtube import write_youtube_json
from podwright.scheduler.recurring import RunStatus, ScheduledShow, queue_enqueuer, run_schedules
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore

__all__ = ["register"]

#: Where each remote engine's key is looked for when the show file names none.
_DEFAULT_KEY_ENV = {"openai_images": "OPENAI_API_KEY", "openrouter": "OPENROUTER_API_KEY"}


def _images(
    episode_dir: Path = typer.Argument(..., help="The episode folder (holds script.json)."),
    engine_name: str = typer.Option(
        "titlecard", "--engine", help=f"One of: {', '.join(IMAGE_ENGINES)} (titlecard works offline)."
    ),
    workers: int = typer.Option(4, "--workers", min=1, max=32, help="Images made at the same time."),
    show_file: Path | None = typer.Option(None, "--show", help="The show file (name and palette on cards)."),
    model: str | None = typer.Option(None, "--model", help="Image model id for a remote engine."),
    timeout_s: float = typer.Option(120.0, "--timeout", min=1, help="Seconds one image may take."),
) -> None:
    """Make the cover, thumbnail and segment cards into EPISODE_DIR/images/."""
    if engine_name not in IMAGE_ENGINES:
        raise ConfigError(
            f"unknown image engine {engine_name!r}", hint=f"use one of: {', '.join(IMAGE_ENGINES)}"
        )
    show = load_show(show_file) if show_file is not None else None
    script = read_script(episode_dir)
    images = asyncio.run(_make_images(script, show, episode_dir, engine_name, workers, model, timeout_s))
    table = Table("image", "engine", "seconds", "file")
    for outcome in images.outcomes:
        engine = f"{outcome.engine} (fallback)" if outcome.fell_back else outcome.engine
        table.add_row(
            outcome.target, engine, f"{outcome.seconds:.1f}", outcome.path.relative_to(episode_dir).as_posix()
        )
    console.print(table)
    for outcome in images.outcomes:
        if outcome.fell_back:
            err_console.print(
                f"warning: {outcome.target}: {outcome.error}; a title card stands in", highlight=False
            )


async def _make_images(
    script: Script,
    show: Show | None,
    episode_dir: Path,
    name: str,
    workers: int,
    model: str | None,
    timeout_s: float,
) -> EpisodeImages:
    options = engine_options(show).get(name, {}) if show else {}
    key = options.get("api_key") or (api_key(_DEFAULT_KEY_ENV[name]) if name in _DEFAULT_KEY_ENV else None)
    if name != "titlecard" and not key:
        raise ConfigError(
            f"the {name} image engine needs an API key",
            hint=f"set {_DEFAULT_KEY_ENV[name]} (or api_key_env under [engines.{name}] in the show file), "
            "or use --engine titlecard",
        )
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        engine = create_engine(
            name,
            client=client,
            base_url=_text(options.get("base_url")),
            api_key=_text(key),
            model=model or _text(options.get("model")),
        )
        return await make_episode_images(
            script, show, episode_dir, engine, workers=workers, timeout_s=timeout_s
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _youtube(episode_dir: Path = typer.Argument(..., help="A rendered episode folder.")) -> None:
    """Write EPISODE_DIR/youtube.json: title, description with chapter timestamps, tags."""
    path = write_youtube_json(episode_dir)
    console.print(f"wrote [bold]{path}[/]")
    for repair in json.loads(path.read_text(encoding="utf-8")).get("repairs", []):
        console.print(f"  repaired: {repair}", highlight=False)


def _feed(
    show_dir: Path = typer.Argument(
        ..., help="The show folder: <out>/<show-slug>/ with one folder per episode."
    ),
    base_url: str = typer.Option(..., "--base-url", help="Public URL of the show folder."),
    show_file: Path | None = typer.Option(None, "--show", help="The show file (name, description, author)."),
) -> None:
    """Write SHOW_DIR/feed.xml: RSS 2.0 with iTunes and Podcasting 2.0 tags."""
    show = load_show(show_file) if show_file is not None else None
    path = write_feed(show_dir, base_url=base_url, show=show)
    console.print(f"wrote [bold]{path}[/]")


def _schedule_run(
    show_files: list[Path] = typer.Option(
        [], "--show", help="A show file with a \\[schedule] table (repeatable)."
    ),
    now_text: str | None = typer.Option(None, "--now", help="Pretend it is this ISO time (UTC if no zone)."),
) -> None:
    """Enqueue the episodes that are due; running it again enqueues nothing twice."""
    if not show_files:
        raise ConfigError("no show files", hint="pass --show FILE (repeatable) for each recurring show")
    now = _now(now_text)
    shows = [ScheduledShow(path=path.resolve(), show=load_show(path)) for path in show_files]
    conn = connect(Settings.resolve().db_path)
    try:
        decisions = run_schedules(
            conn, shows, now=now, enqueue=queue_enqueuer(JobStore(conn), SessionStore(conn))
        )
    finally:
        conn.close()
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


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"--now {text!r} is not an ISO time", hint="e.g. 2026-01-05T06:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register(app: typer.Typer) -> None:
    """Add ``images``, ``youtube``, ``feed`` and ``schedule run`` to ``app``."""
    app.command("images")(friendly_errors(_images))
    app.command("youtube")(friendly_errors(_youtube))
    app.command("feed")(friendly_errors(_feed))
    schedule_app = typer.Typer(
        help="Recurring shows: enqueue the episodes that are due.", no_args_is_help=True
    )
    schedule_app.command("run")(friendly_errors(_schedule_run))
    app.add_typer(schedule_app, name="schedule")
