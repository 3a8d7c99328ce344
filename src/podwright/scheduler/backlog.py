"""Backlogs the planner simulates: a producer's file (JSON Lines or CSV), or the live queue.

A backlog file has one episode per line or row, times in seconds from the backlog's start:

* ``estimate`` (required): render seconds the scheduler believes before rendering;
* ``actual``: the true render seconds, when known (default: the estimate);
* ``arrival``: when its script is staged (default 0);
* ``deadline``: when it must be done (optional);
* ``priority``: higher renders first (default 0);
* ``id``: a name for the table (default ``ep001``…).

The live queue is planned from now: arrivals and deadlines are the jobs' own times relative to the
present (a job staged an hour ago arrived at −3600 s, so its wait so far counts), and estimates are
the calibrated ones — measured words per second and real-time factor of the renderer on the planned
GPU when it has rendered before, else the given real-time factor.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from podwright.core import ConfigError
from podwright.core.jobs import JobRecord
from podwright.scheduler.estimate import Calibration, calibration_key, estimate_job
from podwright.scheduler.simulate import SimJob

__all__ = ["BACKLOG_FIELDS", "live_backlog", "read_backlog"]

BACKLOG_FIELDS = ("id", "estimate", "actual", "arrival", "deadline", "priority")
"""Columns (CSV) or keys (JSON Lines) a backlog file may use."""

_HINT = "each episode needs estimate (render seconds); actual, arrival, deadline and priority are optional"


def read_backlog(path: Path) -> list[SimJob]:
    """Parse a backlog file (``.csv``, else JSON Lines); every error names the line and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"backlog file {path} cannot be read ({exc})", hint="check the path") from exc
    rows: list[tuple[int, Mapping[str, Any]]] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        unknown = sorted(set(reader.fieldnames or ()) - set(BACKLOG_FIELDS))
        if unknown:
            raise ConfigError(
                f"{path}: unknown column(s) {', '.join(unknown)}",
                hint=f"use the columns {', '.join(BACKLOG_FIELDS)}",
            )
        rows = [(line, row) for line, row in enumerate(reader, start=2)]
    else:
        for line, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path} line {line}: not JSON ({exc.msg})", hint=_HINT) from exc
            if not isinstance(entry, dict):
                raise ConfigError(f"{path} line {line}: not a JSON object", hint=_HINT)
            rows.append((line, entry))
    jobs = [_job(path, line, row, index) for index, (line, row) in enumerate(rows, start=1)]
    if not jobs:
        raise ConfigError(f"backlog file {path} holds no episodes", hint=_HINT)
    seen: set[str] = set()
    for job in jobs:
        if job.job_id in seen:
            raise ConfigError(
                f"{path}: episode id {job.job_id!r} appears twice", hint="give each a unique id"
            )
        seen.add(job.job_id)
    return jobs


def _job(path: Path, line: int, row: Mapping[str, Any], index: int) -> SimJob:
    where = f"{path} line {line}"
    estimate = _number(row, "estimate", where, required=True)
    assert estimate is not None
    if estimate <= 0:
        raise ConfigError(f"{where}: estimate must be positive seconds", hint=_HINT)
    actual = _number(row, "actual", where)
    arrival = _number(row, "arrival", where) or 0.0
    deadline = _number(row, "deadline", where)
    priority = _number(row, "priority", where) or 0.0
    if actual is not None and actual <= 0:
        raise ConfigError(f"{where}: actual must be positive seconds", hint=_HINT)
    if priority != int(priority):
        raise ConfigError(f"{where}: priority must be a whole number", hint="e.g. priority = 1")
    job_id = str(row.get("id") or "").strip() or f"ep{index:03d}"
    return SimJob(
        job_id,
        arrival,
        actual if actual is not None else estimate,
        estimate,
        int(priority),
        deadline,
    )


def _number(row: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> float | None:
    value = row.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ConfigError(f"{where}: {key} is missing", hint=_HINT)
        return None
    if isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be a number of seconds, not {value!r}", hint=_HINT)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {key} must be a number of seconds, not {value!r}", hint=_HINT) from None
    if not math.isfinite(number):
        raise ConfigError(f"{where}: {key} must be a finite number", hint=_HINT)
    return number


def live_backlog(
    jobs: list[JobRecord],
    calibration_for: Mapping[str, Calibration],
    *,
    now: float,
    device: str,
    rtf: float,
) -> list[SimJob]:
    """The waiting ``jobs`` as a backlog starting ``now``, estimated for rendering on ``device``.

    ``calibration_for`` maps calibration keys (``final@A100-80GB``) to what finished renders
    measured; a renderer never measured on ``device`` uses ``rtf`` (render seconds per audio second)
    with its measured speaking rate from any device, if any.
    """
    backlog: list[SimJob] = []
    for job in jobs:
        tier = job.render_tier.value
        measured = calibration_for.get(calibration_key(tier, device))
        if measured is None or measured.samples == 0:
            any_device = next(
                (c for key, c in calibration_for.items() if key.startswith(f"{tier}@") and c.samples),
                Calibration(),
            )
            measured = Calibration(words_per_s=any_device.words_per_s, rtf=rtf, samples=0)
        _, compute_s = estimate_job(job, measured)
        arrived = job.staged_at if job.staged_at is not None else job.created_at
        deadline = None if job.deadline is None else job.deadline - now
        backlog.append(SimJob(job.id, arrived - now, compute_s, compute_s, job.priority, deadline))
    return backlog
