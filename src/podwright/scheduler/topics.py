"""Where a recurring show's topics come from: the show file's list, a topics file, an RSS feed.

Topics are read in that order and de-duplicated; the scheduler takes the first one the show has
not used yet. A topics file holds one topic a line (blank lines and ``#`` comments are skipped); a
topics feed is any RSS 2.0 or Atom feed whose item titles become topics.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx

from podwright.core import ConfigError, Schedule, SourceError

__all__ = ["FetchText", "fetch_text", "schedule_topics", "topics_from_feed"]

FetchText = Callable[[str], str]
"""Fetches a URL's text (the topics feed); injected so tests and offline runs need no network."""


def fetch_text(url: str, *, timeout_s: float = 30.0) -> str:
    """GET ``url`` and return its text; failures become :class:`SourceError`."""
    try:
        response = httpx.get(url, timeout=timeout_s, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise SourceError(
            f"cannot read the topics feed {url} ({exc.__class__.__name__}: {exc})",
            hint="check the schedule's topics_feed URL, or list topics in the show file",
        ) from exc
    return response.text


def topics_from_feed(xml_text: str, *, origin: str = "<feed>") -> list[str]:
    """The item (RSS) or entry (Atom) titles of a feed, in feed order."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise SourceError(
            f"topics feed {origin} is not XML ({exc})", hint="point topics_feed at an RSS feed"
        ) from exc
    titles: list[str] = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag not in ("item", "entry"):
            continue
        for child in element:
            if child.tag.rsplit("}", 1)[-1] == "title" and child.text and child.text.strip():
                titles.append(" ".join(child.text.split()))
                break
    return titles


def schedule_topics(schedule: Schedule, *, show_dir: Path, fetch: FetchText | None = None) -> list[str]:
    """Every topic the schedule offers, in order, without duplicates.

    ``topics_file`` is relative to ``show_dir`` (the show file's folder); the feed is read with
    ``fetch`` only when the schedule names one.
    """
    topics: list[str] = [topic.strip() for topic in schedule.topics]
    if schedule.topics_file:
        path = Path(schedule.topics_file).expanduser()
        path = path if path.is_absolute() else show_dir / path
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"schedule topics_file {path} cannot be read ({exc})",
                hint="fix the path (relative to the show file) or save it as UTF-8",
            ) from exc
        topics += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if schedule.topics_feed:
        topics += topics_from_feed((fetch or fetch_text)(schedule.topics_feed), origin=schedule.topics_feed)
    seen: set[str] = set()
    unique: list[str] = []
    for topic in topics:
        if topic and topic.casefold() not in seen:
            seen.add(topic.casefold())
            unique.append(topic)
    return unique
