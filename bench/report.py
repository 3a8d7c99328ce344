"""Benchmark sections: a table plus the command that reproduces it, assembled into docs/benchmarks.md."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAGMENTS = ROOT / "docs" / "bench"
DOC = ROOT / "docs" / "benchmarks.md"


@dataclass
class Section:
    """One benchmark's results."""

    name: str
    title: str
    summary: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", self.summary, ""]
        lines.append("| " + " | ".join(self.header) + " |")
        lines.append("|" + "---|" * len(self.header))
        lines.extend("| " + " | ".join(row) + " |" for row in self.rows)
        lines.append("")
        lines.extend(f"- {note}" for note in self.notes)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines += [
            "",
            f"Reproduce: `make bench` or `.venv/bin/python -m bench {self.name}` "
            f"(measured {stamp}, {platform.machine()}, {_cores()} cores).",
            "",
        ]
        return "\n".join(lines)


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def write(section: Section) -> None:
    """Store a section's fragment and rebuild docs/benchmarks.md from every fragment."""
    FRAGMENTS.mkdir(parents=True, exist_ok=True)
    (FRAGMENTS / f"{section.name}.md").write_text(section.markdown(), encoding="utf-8")
    rebuild()


def rebuild() -> None:
    """Assemble docs/benchmarks.md from the stored fragments, in a fixed order."""
    order = [
        "script",
        "quality",
        "budget",
        "voice",
        "queue",
        "images",
        "studio",
        "qa",
        "store",
        "scale",
        "video",
    ]
    fragments = sorted(
        FRAGMENTS.glob("*.md"), key=lambda p: (order.index(p.stem) if p.stem in order else 99, p.stem)
    )
    head = [
        "# Benchmarks",
        "",
        "Every figure here was measured on the project's reference machine (2 cores, 24 GiB, no GPU),",
        "each comparison side by side in one run, since these machines are noisy. Re-run with",
        "`make bench` (all) or `.venv/bin/python -m bench NAME` (one section); the sections rewrite",
        "themselves from `docs/bench/NAME.md`.",
        "",
    ]
    body = [path.read_text(encoding="utf-8") for path in fragments]
    DOC.write_text("\n".join(head + body), encoding="utf-8")


def fmt(value: float | None, digits: int = 2, unit: str = "") -> str:
    """Format a number for a table; ``None`` prints as 'unknown'."""
    if value is None:
        return "unknown"
    return f"{value:,.{digits}f}{unit}"
