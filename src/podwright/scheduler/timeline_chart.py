"""A render session's timeline as a self-contained HTML page with an inline SVG (no plotting library).

One lane: the cold start, each episode (green when rendered, red when failed, grey when cancelled),
and the gaps between them (idle keep-alive and overhead), drawn to scale from start to stop.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from podwright.core.files import atomic_write_text
from podwright.core.jobs import AttemptOutcome
from podwright.scheduler.report import SessionReport

__all__ = ["session_timeline_html", "session_timeline_svg", "write_timeline"]

_WIDTH = 960
_LANE_Y = 40
_LANE_H = 36
_COLOURS = {
    AttemptOutcome.OK: "#3a9a5b",
    AttemptOutcome.ERROR: "#c8423b",
    AttemptOutcome.CANCELLED: "#9a9a9a",
    AttemptOutcome.LOST: "#9a9a9a",
}


def session_timeline_svg(report: SessionReport) -> str:
    """The session's timeline as an SVG element."""
    session = report.session
    span = max(report.billed_s, 1e-9)

    def x(t: float) -> float:
        return round((t - session.started_at) / span * _WIDTH, 2)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="120" '
        f'viewBox="0 0 {_WIDTH} 120" font-family="sans-serif" font-size="11">',
        f'<rect x="0" y="{_LANE_Y}" width="{_WIDTH}" height="{_LANE_H}" fill="#eeeeee">'
        "<title>idle / overhead</title></rect>",
    ]
    cold_w = round(session.cold_start_s / span * _WIDTH, 2)
    parts.append(
        f'<rect x="0" y="{_LANE_Y}" width="{cold_w}" height="{_LANE_H}" fill="#e0a030">'
        f"<title>cold start {session.cold_start_s:.2f} s</title></rect>"
    )
    for episode in report.episodes:
        left, right = x(episode.started_at), x(episode.ended_at)
        label = escape(
            f"{episode.job_id} ({episode.tier.value}) {episode.compute_s:.2f} s {episode.outcome.value}"
        )
        parts.append(
            f'<rect x="{left}" y="{_LANE_Y}" width="{max(right - left, 0.5)}" height="{_LANE_H}" '
            f'fill="{_COLOURS[episode.outcome]}" stroke="#ffffff"><title>{label}</title></rect>'
        )
    util = report.utilization
    summary = (
        f"session {session.id} on {session.device}: billed {report.billed_s:.1f} s, utilization {util:.1%}"
        if util is not None
        else f"session {session.id}: billed nothing"
    )
    parts.append(f'<text x="0" y="24">{escape(summary)}</text>')
    parts.append(f'<text x="0" y="{_LANE_Y + _LANE_H + 20}">0 s</text>')
    parts.append(f'<text x="{_WIDTH}" y="{_LANE_Y + _LANE_H + 20}" text-anchor="end">{span:.1f} s</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def session_timeline_html(report: SessionReport) -> str:
    """A standalone HTML page holding the session's timeline and a legend."""
    legend = " ".join(
        f'<span style="background:{colour};padding:0 6px;color:#fff">{name}</span>'
        for name, colour in (
            ("cold start", "#e0a030"),
            ("rendered", _COLOURS[AttemptOutcome.OK]),
            ("failed", _COLOURS[AttemptOutcome.ERROR]),
            ("cancelled", _COLOURS[AttemptOutcome.CANCELLED]),
        )
    )
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>podwright session {report.session.id}</title></head>\n<body>\n"
        f"{session_timeline_svg(report)}\n<p>{legend} "
        '<span style="background:#eeeeee;padding:0 6px">idle / overhead</span></p>\n</body></html>\n'
    )


def write_timeline(report: SessionReport, path: Path) -> Path:
    """Write the HTML timeline to ``path`` atomically (a temp name, then a rename)."""
    atomic_write_text(path, session_timeline_html(report))
    return path
