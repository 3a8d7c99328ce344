"""Putting episodes on the queue: one request, or a file of many, with a first estimate each.

A queue file is TOML with one ``[[episode]]`` table per episode (the fields of
:class:`~podwright.core.episode.EpisodeRequest`, plus ``show`` and ``review``), or JSON Lines with
one such object per line. A missing ``episode_id`` is made from the topic.
"""

from __future__ import annotations

import json
import tomllib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from podwright.core import ConfigError, EpisodeRequest
from podwright.core.jobs import JobRecord, JobState
from podwright.core.lifecycle import episode_key
from podwright.core.slugs import ascii_slug
from podwright.scheduler.estimate import Calibration, audio_s_from_minutes, calibration_key
from podwright.scheduler.order import OrderPolicy, rank
from podwright.scheduler.session import staged_queue
from podwright.store.jobs import JobStore
from podwright.store.sessions import SessionStore

__all__ = ["QueuedEpisode", "enqueue", "episode_id_for", "queue_positions", "read_queue_file"]


@dataclass(frozen=True, slots=True)
class QueuedEpisode:
    """One episode to queue: the request, its show file and whether the review gate applies."""

    request: EpisodeRequest
    show_path: Path
    review: bool = False


def episode_id_for(topic: str | None) -> str:
    """A readable, unique episode id: the topic's ASCII slug (transliterated) plus a random suffix."""
    slug = ascii_slug(topic or "", max_chars=40) or "episode"
    return f"{slug}-{uuid.uuid4().hex[:6]}"


def enqueue(
    jobs: JobStore,
    sessions: SessionStore,
    episode: QueuedEpisode,
    *,
    device: str = "cpu",
    show_slug: str | None = None,
) -> JobRecord:
    """Add ``episode`` to the queue, estimated from its target minutes and the calibrated RTF.

    With ``show_slug``, the job points at its episode record ``<show slug>/<episode id>``.
    """
    tier = "draft" if episode.review else episode.request.tier.value
    calibration = Calibration.from_samples(sessions.calibration(calibration_key(tier, device)))
    return jobs.add(
        episode.request,
        str(episode.show_path),
        review=episode.review,
        estimate_audio_s=audio_s_from_minutes(episode.request.target_minutes),
        rtf=calibration.rtf,
        episode_key=episode_key(show_slug, episode.request.episode_id) if show_slug else None,
    )


def read_queue_file(path: Path, *, default_show: Path | None) -> list[QueuedEpisode]:
    """Parse a TOML (``[[episode]]``) or JSON Lines queue file; errors name the entry and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"queue file {path} cannot be read ({exc})", hint="check the path") from exc
    entries: list[Any]
    try:
        if path.suffix == ".toml":
            entries = tomllib.loads(text).get("episode", [])
        else:
            entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"queue file {path} is not valid ({exc})",
            hint="use TOML [[episode]] tables, or one JSON object a line",
        ) from exc
    return [_entry(path, index, entry, default_show) for index, entry in enumerate(entries, start=1)]


def _entry(path: Path, index: int, entry: Any, default_show: Path | None) -> QueuedEpisode:
    where = f"{path} episode {index}"
    if not isinstance(entry, dict):
        raise ConfigError(
            f"{where} is not a table/object", hint="each episode is a set of key = value fields"
        )
    data = dict(entry)
    show = data.pop("show", None) or default_show
    if show is None:
        raise ConfigError(f"{where} names no show", hint="add show = 'path/show.toml', or pass --show")
    review = bool(data.pop("review", False))
    data.setdefault("episode_id", episode_id_for(data.get("topic")))
    try:
        request = EpisodeRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "episode"
        raise ConfigError(f"{where}: {field}: {first['msg']}", hint=f"fix '{field}' in {path}") from exc
    return QueuedEpisode(request=request, show_path=Path(show), review=review)


def queue_positions(
    jobs: JobStore,
    sessions: SessionStore,
    now: float,
    policy: OrderPolicy,
    *,
    device: str = "cpu",
    among: Sequence[JobRecord] | None = None,
) -> dict[str, tuple[int, float]]:
    """Render position (1 = next) and estimated compute seconds of every job still waiting to render.

    ``among`` is a list of jobs the caller has already read (any states); it spares a second read.
    """
    wanted = {JobState.SCRIPTED, JobState.QUEUED, JobState.SCRIPTING}
    waiting = jobs.select(list(wanted)) if among is None else [job for job in among if job.state in wanted]
    items = staged_queue(waiting, sessions, device)
    ordered = rank([item for item, _ in items], now, policy)
    return {item.job_id: (position, item.estimate_s) for position, item in enumerate(ordered, start=1)}
