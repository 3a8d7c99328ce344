"""Command: ``qa`` — what take QA heard in a rendered tier, line by line, flagged lines first."""

from __future__ import annotations

import typer
from rich.table import Column, Table

from podwright.cli.common import console, friendly_errors, parse_tier, print_json, studio

__all__ = ["register"]


def _qa(
    episode: str = typer.Argument(..., metavar="EPISODE", help="Episode id; a unique prefix will do."),
    tier: str | None = typer.Option(
        None, "--tier", metavar="TIER", help="Which render (default: final when it exists, else draft)."
    ),
    every: bool = typer.Option(False, "--all", help="List every line, not only the flagged ones."),
    as_json: bool = typer.Option(False, "--json", help="Print the lines as JSON."),
) -> None:
    """What take QA heard in each line of a render: text, heard, word errors, duration, takes."""
    with studio() as desk:
        report = desk.qa(episode, parse_tier(tier) if tier else None)
    lines = report.lines if every else report.flagged
    if as_json:
        print_json({"tier": report.tier.value, "checked": report.checked, "lines": list(lines)})
        return
    if not report.checked:
        console.print(f"the {report.tier.value} render was not checked (take QA was off for it)")
        return
    table = Table(
        "where",
        "text",
        "heard",
        Column("errors", justify="right"),
        Column("duration", justify="right"),
        Column("takes", justify="right"),
        "problems",
        title=f"take QA, {report.tier.value} tier",
    )
    for line in sorted(lines, key=lambda line: not line.get("flagged")):
        table.add_row(
            f"{line.get('segment', 0) + 1}.{line.get('turn', 0) + 1} {line.get('host', '')}",
            str(line.get("text", "")),
            str(line.get("heard", "")),
            f"{line.get('word_errors', 0)}/{line.get('words', 0)}",
            f"{float(line.get('duration_s', 0.0)):.1f} s",
            str(line.get("takes", 1)),
            ", ".join(line.get("problems", ())) or "ok",
        )
    if lines:
        console.print(table)
    console.print(
        f"{len(report.flagged)} flagged of {len(report.lines)} line(s) checked; "
        f"{report.retakes} retake(s); QA compute {report.compute_s or 0.0:.1f} s"
    )


def register(app: typer.Typer) -> None:
    """Add ``qa`` to ``app``."""
    app.command("qa")(friendly_errors(_qa))
