"""Commands: ``episodes`` (list, show, import), ``approve``, ``publish``, ``unpublish`` and ``feed``.

An episode's lifecycle, from the producer's side: list where every episode stands, approve a draft
after hearing it, publish the approved final render, and write the feed of what is published.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Column, Table

from podwright.cli.common import (
    console,
    err_console,
    friendly_errors,
    parse_tier,
    print_json,
    studio,
    typer_app,
)
from podwright.core import EpisodeRecord

__all__ = ["register"]


def _when(seconds: float | None) -> str:
    return "—" if seconds is None else datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")


def _list(
    ctx: typer.Context,
    show_slug: str | None = typer.Option(
        None, "--show-slug", metavar="SLUG", help="Only this show's episodes."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Every episode with its state and renders (newest first); `episodes import DIR` picks up old folders."""
    if ctx.invoked_subcommand is not None:
        return
    with studio() as desk:
        records = desk.episodes(show_slug)
    if as_json:
        print_json(records)
        return
    if not records:
        console.print(
            "No episodes yet; `podwright produce` makes one, `podwright episodes import out/` finds old ones."
        )
        return
    # Keys are never cut (every command takes them); titles fold instead.
    table = Table(
        Column("episode", overflow="fold", min_width=16),
        Column("state", no_wrap=True),
        Column("renders", no_wrap=True),
        Column("title", overflow="fold", ratio=1),
        Column("updated", no_wrap=True),
    )
    for record in records:
        renders = ", ".join(tier.value for tier in record.renders) or "—"
        table.add_row(record.key, record.state.value, renders, record.title, _when(record.updated_at))
    console.print(table)


def _show(
    episode: str = typer.Argument(
        ..., metavar="EPISODE", help="Episode id, key or folder (a unique prefix will do)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One episode: its state, each render's folder and files, and every lifecycle step with who and when."""
    with studio() as desk:
        record = desk.episode(episode)
        events = desk.book.events(record.key)
    if as_json:
        print_json({"episode": record, "events": events})
        return
    _print_record(record)
    for event in events:
        before = event.from_state.value if event.from_state else "—"
        console.print(
            f"  {_when(event.at)}  {before} → {event.to_state.value}  by {event.actor}"
            f"{'  ' + event.note if event.note else ''}",
            highlight=False,
            markup=False,
        )


def _print_record(record: EpisodeRecord) -> None:
    console.print(f"{record.key}: {record.state.value} — {record.title}", highlight=False, markup=False)
    console.print(f"  folder {record.folder}", highlight=False, markup=False, soft_wrap=True)
    for tier, render in record.renders.items():
        console.print(
            f"  {tier.value}: {render.folder} ({render.audio_s / 60:.1f} min, {len(render.files)} files)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if record.approved_at:
        console.print(f"  approved by {record.approved_by} {_when(record.approved_at)}", highlight=False)
    if record.published_at:
        console.print(
            f"  published ({record.published_tier.value if record.published_tier else '?'}) by "
            f"{record.published_by} {_when(record.published_at)}",
            highlight=False,
        )


def _import(
    root: Path = typer.Argument(Path("out"), metavar="DIR", help="An output root holding episode folders."),
) -> None:
    """Record every episode folder under DIR in the store (a render at a folder's root moves to its tier)."""
    with studio() as desk:
        records, problems = desk.import_episodes(root)
    for record in records:
        console.print(f"{record.key}: {record.state.value}", highlight=False, markup=False)
    for problem in problems:
        err_console.print(f"skipped {problem}", highlight=False, markup=False, soft_wrap=True)
    console.print(f"{len(records)} episode(s) recorded" + (f", {len(problems)} skipped" if problems else ""))


def _approve(
    episode: str = typer.Argument(
        ..., metavar="EPISODE", help="Episode (or job) id; a unique prefix will do."
    ),
) -> None:
    """Approve an episode after hearing its draft; a job waiting for review goes on to its final render."""
    with studio() as desk:
        record = desk.approve(episode)
    if isinstance(record, EpisodeRecord):
        console.print(f"approved [bold]{record.key}[/] ({record.state.value})", highlight=False)
    else:
        console.print(f"approved [bold]{record.id}[/]: queued for its final render", highlight=False)


def _publish(
    episode: str = typer.Argument(..., metavar="EPISODE", help="Episode id; a unique prefix will do."),
    tier: str | None = typer.Option(
        None,
        "--tier",
        metavar="TIER",
        help="Which render (default: final; draft only where the show allows).",
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", metavar="URL", help="Also rewrite the show's feed.xml, served from this URL."
    ),
    allow_flagged: bool = typer.Option(
        False, "--allow-flagged", help="Publish even with lines take QA flagged (you heard them)."
    ),
) -> None:
    """Put an approved episode in its show's feed."""
    with studio() as desk:
        record = desk.publish(episode, parse_tier(tier) if tier else None, allow_flagged=allow_flagged)
        console.print(f"published [bold]{record.key}[/] ({record.published_tier})", highlight=False)
        if base_url:
            console.print(f"wrote {desk.write_feed(record.show_slug, base_url=base_url)}", highlight=False)


def _unpublish(
    episode: str = typer.Argument(..., metavar="EPISODE", help="Episode id; a unique prefix will do."),
    base_url: str | None = typer.Option(
        None, "--base-url", metavar="URL", help="Also rewrite the show's feed.xml, served from this URL."
    ),
) -> None:
    """Take an episode out of the feed (its files stay)."""
    with studio() as desk:
        record = desk.unpublish(episode)
        console.print(f"unpublished [bold]{record.key}[/] ({record.state.value})", highlight=False)
        if base_url:
            console.print(f"wrote {desk.write_feed(record.show_slug, base_url=base_url)}", highlight=False)


def _feed(
    show_slug: str = typer.Argument(..., metavar="SHOW_SLUG", help="The show's slug (as in its show file)."),
    base_url: str = typer.Option(..., "--base-url", metavar="URL", help="Public URL of the show folder."),
    show_file: Path | None = typer.Option(
        None,
        "--show",
        metavar="FILE",
        help="The show file (default: the newest published episode's snapshot).",
    ),
) -> None:
    """Write the show folder's feed.xml (RSS 2.0, iTunes and Podcasting 2.0 tags): published episodes only."""
    with studio() as desk:
        show = desk.load_show(show_file) if show_file else None
        path = desk.write_feed(show_slug, base_url=base_url, show=show)
    console.print(f"wrote [bold]{path}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``episodes``, ``approve``, ``publish``, ``unpublish`` and ``feed`` to ``app``."""
    episodes_app = typer_app("Episodes and where each stands: list, show, import.")
    episodes_app.callback(invoke_without_command=True)(friendly_errors(_list))
    episodes_app.command("show")(friendly_errors(_show))
    episodes_app.command("import")(friendly_errors(_import))
    episodes_app.info.no_args_is_help = False
    app.add_typer(episodes_app, name="episodes")
    app.command("approve")(friendly_errors(_approve))
    app.command("publish")(friendly_errors(_publish))
    app.command("unpublish")(friendly_errors(_unpublish))
    app.command("feed")(friendly_errors(_feed))
