"""Command: ``podwright costs [EPISODE]`` — tokens, dollars and latency from the LLM call ledger."""

from __future__ import annotations

from collections.abc import Sequence

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from podwright.app import CallTotals, EpisodeTotal, StageTotal, combine_totals
from podwright.cli.common import console, friendly_errors, print_json, studio

__all__ = ["register"]

_NO_EPISODE = "(no episode)"


def register(app: typer.Typer) -> None:
    """Add ``costs`` to ``app``."""
    app.command("costs")(costs)


@friendly_errors
def costs(
    episode: str | None = typer.Argument(
        None, metavar="EPISODE_ID", help="Episode id; leave out to list every episode."
    ),
    limit: int = typer.Option(20, "--limit", "-n", metavar="N", min=1, help="Most recent episodes to list."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Show LLM calls, tokens, cost and latency per stage of an episode, or per episode."""
    with studio() as desk:
        rows = desk.costs(episode, limit=limit)
    if as_json:
        print_json(rows)
    elif episode is None:
        _print_episodes([row for row in rows if isinstance(row, EpisodeTotal)], limit=limit)
    else:
        _print_stages(episode, [row for row in rows if isinstance(row, StageTotal)])


def _print_stages(episode: str, stages: Sequence[StageTotal]) -> None:
    if not stages:
        console.print(
            f"No LLM calls recorded for episode {episode!r} yet; run `podwright costs` to list episodes.",
            highlight=False,
            markup=False,
        )
        return
    table = _table(Text(f"LLM calls of episode {episode}"), "Stage")
    for row in stages:
        table.add_row(Text(row.stage), *_cells(row))
    _finish(table, stages, [row.stage for row in stages])


def _print_episodes(episodes: Sequence[EpisodeTotal], *, limit: int) -> None:
    if not episodes:
        console.print("No LLM calls recorded yet; costs appear here once an episode is written.")
        return
    table = _table(Text("LLM calls per episode, most recent first"), "Episode")
    names = [row.episode_id or _NO_EPISODE for row in episodes]
    for name, row in zip(names, episodes, strict=True):
        table.add_row(Text(name), *_cells(row))
    _finish(table, episodes, names)
    if len(episodes) == limit:
        console.print(f"Showing the {limit} most recent episodes; pass --limit N to see more.")


def _table(title: Text, first: str) -> Table:
    # Fits an 80-column terminal: no vertical rules, only the names may fold, models listed below.
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption="≥: some calls in the row have unknown cost (unknown is not zero)",
        caption_justify="left",
    )
    table.add_column(first, overflow="fold", min_width=10)
    for name in ("Calls", "Failed", "In", "Cached", "Out", "Cost", "Time"):
        table.add_column(name, justify="right", no_wrap=True)
    return table


def _finish(table: Table, groups: Sequence[CallTotals], names: Sequence[str]) -> None:
    total = combine_totals(groups)
    table.add_section()
    table.add_row("Total", *_cells(total), style="bold")
    if total.cost_is_complete:
        table.caption = None
    console.print(table)
    served_by: dict[str, list[str]] = {}
    for name, group in zip(names, groups, strict=True):
        for model in group.models:
            served_by.setdefault(model, []).append(name)
    for model, served in sorted(served_by.items()):
        console.print(
            f"Served by {model}: {', '.join(served)}", highlight=False, markup=False, soft_wrap=True
        )
    line = f"Total: {total.calls} call(s), {_format_cost(total)}"
    if total.errors:
        line += f", {total.errors} failed"
    if total.cache_hits:
        line += f", {total.cache_hits} replayed from the response cache"
    console.print(line, highlight=False, soft_wrap=True)


def _cells(totals: CallTotals) -> list[str]:
    return [
        str(totals.calls),
        str(totals.errors) if totals.errors else "",
        _tokens(totals.input_tokens),
        _tokens(totals.cached_tokens),
        _tokens(totals.output_tokens),
        _format_cost(totals, short=True),
        f"{totals.latency_s:.1f}s",
    ]


def _tokens(count: int) -> str:
    if count < 100_000:
        return f"{count:,}"
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.2f}M"


def _format_cost(totals: CallTotals, *, short: bool = False) -> str:
    """Dollars when every cost is known; ``unknown``, or a lower bound naming the unpriced calls."""
    if totals.cost_usd is None:
        return "unknown"
    dollars = f"${totals.cost_usd:.4f}"
    if totals.cost_is_complete:
        return dollars
    if short:
        return f"≥ {dollars}"
    return f"at least {dollars} ({totals.unknown_cost_calls} call(s) of unknown cost)"
