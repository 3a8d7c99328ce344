"""Commands: ``init`` (write a starter show) and ``script`` (write an episode's script).

Heavy modules (the pipeline, LLM providers, source readers) are imported inside the commands, so
``podwright --help`` stays fast and one missing optional extra never breaks unrelated commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError

from podwright.cli.common import console, friendly_errors
from podwright.config import Settings, api_key, load_show
from podwright.core import ConfigError, EpisodeRequest, LLMClient, Show, SourceDoc

if TYPE_CHECKING:
    from rich.status import Status

    from podwright.pipeline.run_record import StageEvent
    from podwright.pipeline.script import ScriptResult

__all__ = [
    "StageProgress",
    "default_episode_id",
    "episode_request",
    "register",
    "resolve_key",
    "script_client",
    "write_script",
]

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_MAX_SLUG_CHARS = 60


def default_episode_id(title: str, *, today: datetime | None = None) -> str:
    """``YYYY-MM-DD-slug-of-the-title``, e.g. ``2026-11-25-why-the-sky-is-dark``."""
    date = (today or datetime.now(UTC)).strftime("%Y-%m-%d")
    slug = _NON_SLUG.sub("-", title.lower()).strip("-")[:_MAX_SLUG_CHARS].rstrip("-")
    return f"{date}-{slug}" if slug else date


def _init(
    path: Path = typer.Argument(Path("show.toml"), help="Where to write the starter show file."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented starter show file that works offline as is."""
    from podwright.pipeline.run_record import atomic_write_text

    if path.exists() and not force:
        raise ConfigError(f"{path} already exists", hint="pass --force to overwrite it, or give another PATH")
    text = files("podwright").joinpath("data/starter_show.toml").read_text(encoding="utf-8")
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ConfigError(f"cannot write {path} ({exc})", hint="choose a writable PATH") from exc
    console.print(f'wrote {path} — try: podwright script --show {path} --topic "..." --offline')


def episode_request(
    topic: str | None,
    sources: list[str],
    docs: list[SourceDoc],
    minutes: float | None,
    episode_id: str | None,
) -> EpisodeRequest:
    """The episode request of a command line: topic and/or sources, length, id (default: date + title)."""
    title = topic or (docs[0].title if docs else "episode")
    fields: dict[str, object] = {
        "episode_id": episode_id or default_episode_id(title),
        "topic": topic,
        "sources": tuple(sources),
    }
    if minutes is not None:
        fields["target_minutes"] = minutes
    try:
        return EpisodeRequest.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "episode"
        raise ConfigError(
            f"invalid episode: {where}: {first['msg']}", hint="check --minutes and --topic"
        ) from exc


class StageProgress:
    """Prints one line per finished stage and keeps a spinner naming the stages still running."""

    def __init__(self, status: Status) -> None:
        self.status = status
        self.running: list[str] = []

    def __call__(self, event: StageEvent) -> None:
        """Update the spinner; print the stage's line when it finishes."""
        if not event.finished:
            self.running.append(event.stage)
        elif event.stage in self.running:
            self.running.remove(event.stage)
        self.status.update("writing: " + (", ".join(self.running) or "…"))
        record = event.record
        if record is None:
            return
        cost = "$?" if record.cost_usd is None else f"${record.cost_usd:.4f}"
        cached = f" ({record.cached_tokens:,} cached)" if record.cached_tokens else ""
        console.print(
            f"  [green]✓[/] {record.stage:<16} {record.wall_s:6.1f} s  "
            f"{record.input_tokens:>7,} in{cached} → {record.output_tokens:>6,} out  {cost}",
            highlight=False,
        )


def resolve_key(show: Show, *, offline: bool) -> str | None:
    """The provider key the show needs (``None`` for the local model); a clear error when unset."""
    from podwright.pipeline.clients import uses_local_model

    if uses_local_model(show, offline=offline) or not show.llm.api_key_env:
        return None
    key = api_key(show.llm.api_key_env)
    if key is None:
        raise ConfigError(
            f"no API key: {show.llm.api_key_env} is not set",
            hint=f'set {show.llm.api_key_env}, use --offline, or set llm.api_key_env = "" '
            "for a server that takes no key",
        )
    return key


@contextlib.asynccontextmanager
async def script_client(
    show: Show, *, offline: bool, settings: Settings, key: str | None
) -> AsyncIterator[LLMClient]:
    """The show's script-writing client, logging every call to the ledger in the data dir."""
    import httpx

    from podwright.pipeline.clients import build_llm_client
    from podwright.store.db import connect
    from podwright.store.ledger import SQLiteLedger

    conn = connect(settings.db_path)
    try:
        async with httpx.AsyncClient() as http:
            yield build_llm_client(
                show,
                offline=offline,
                api_key=key,
                models_dir=settings.models_dir,
                ledger=SQLiteLedger(conn),
                http_client=http,
            )
    finally:
        conn.close()


async def write_script(
    show: Show,
    request: EpisodeRequest,
    docs: list[SourceDoc],
    *,
    offline: bool,
    settings: Settings,
    key: str | None,
    out_root: Path,
) -> tuple[Path, ScriptResult]:
    """Write one script into its episode folder under ``out_root``, printing each stage as it ends."""
    from podwright.pipeline.episode import write_episode_script

    async with script_client(show, offline=offline, settings=settings, key=key) as client:
        with console.status("writing…") as status:
            return await write_episode_script(
                show,
                request,
                client=client,
                out_root=out_root,
                sources=docs,
                on_event=StageProgress(status),
            )


def _script(
    show_file: Path = typer.Option(..., "--show", help="The show file (TOML)."),
    topic: str | None = typer.Option(None, "--topic", help="What the episode is about."),
    source: list[str] = typer.Option([], "--source", help="A document path or URL (repeatable)."),
    minutes: float | None = typer.Option(None, "--minutes", help="Target length in minutes (default 10)."),
    out: Path = typer.Option(Path("out"), "--out", help="Output root: files go to OUT/SHOW/EPISODE-ID/."),
    offline: bool = typer.Option(
        False, "--offline", help="Use the embedded local model (no key, no network)."
    ),
    episode_id: str | None = typer.Option(None, "--episode-id", help="Episode id (default: date + title)."),
) -> None:
    """Write an episode's script: research, outline, dialogue, intro, conclusion, metadata."""
    from podwright.sources.ingest import ingest_all

    show = load_show(show_file)
    if not (topic and topic.strip()) and not source:
        raise ConfigError(
            "nothing to write about", hint="pass --topic TEXT or at least one --source PATH_OR_URL"
        )
    key = resolve_key(show, offline=offline)
    docs = ingest_all(source)
    request = episode_request(topic, source, docs, minutes, episode_id)
    settings = Settings.resolve()
    console.print(f"writing [bold]{request.episode_id}[/] for {show.name} ({request.target_minutes:g} min)")
    folder, result = asyncio.run(
        write_script(show, request, docs, offline=offline, settings=settings, key=key, out_root=out)
    )
    run = result.run
    cost = "unknown" if run.cost_usd is None else f"${run.cost_usd:.4f}"
    console.print(
        f"{result.script.word_count:,} words in {len(result.script.segments)} segments; "
        f"{run.calls} calls, {run.input_tokens:,} tokens in ({run.cached_tokens:,} cached), "
        f"{run.output_tokens:,} out, {cost}, {run.wall_s:.1f} s",
        highlight=False,
    )
    if run.quality is not None:
        console.print(run.quality.summary(), highlight=False, markup=False)
    console.print(str(folder), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``init`` and ``script`` to ``app``."""
    app.command("init")(friendly_errors(_init))
    app.command("script")(friendly_errors(_script))
