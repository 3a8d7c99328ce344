"""Podcasting 2.0 chapters (``chapters.json``, version 1.2.0), referenced from the RSS feed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from podwright.core.timeline import Chapter

__all__ = ["to_podcasting20_json"]


def to_podcasting20_json(chapters: Sequence[Chapter], *, title: str | None = None) -> dict[str, Any]:
    """The JSON chapters document: ``{"version": "1.2.0", "chapters": [...]}``, times in seconds.

    ``img`` and ``url`` appear only for chapters that have them; ``title`` names the episode.
    """
    entries: list[dict[str, Any]] = []
    for chapter in chapters:
        entry: dict[str, Any] = {
            "startTime": round(chapter.start_s, 3),
            "endTime": round(chapter.end_s, 3),
            "title": chapter.title,
        }
        if chapter.image:
            entry["img"] = chapter.image
        if chapter.url:
            entry["url"] = chapter.url
        entries.append(entry)
    document: dict[str, Any] = {"version": "1.2.0"}
    if title:
        document["title"] = title
    document["chapters"] = entries
    return document
