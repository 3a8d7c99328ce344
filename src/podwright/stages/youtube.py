"""YouTube metadata as pure functions: check it against YouTube's rules, and repair it to pass them.

The rules (YouTube Help, "Add a title/description", "Video chapters", "Tags"):

- title: 1–100 characters, no ``<`` or ``>``;
- description: at most 5,000 characters, no ``<`` or ``>``;
- chapters (timestamps listed in the description): the first at 0:00, at least 3, each at least 10
  seconds long, in ascending order; otherwise YouTube shows none;
- tags: at most 500 characters in all, counting the commas between tags and two quote marks around
  each tag that contains a space.

Repairs never invent content: a chapter too short is merged into the one before it, and when fewer
than three chapters survive, the list is left out (YouTube would ignore it anyway).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from podwright.core.language import Labels, labels_for
from podwright.core.model import Record

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_TAGS_CHARS",
    "MAX_TITLE",
    "MIN_CHAPTERS",
    "MIN_CHAPTER_S",
    "YouTubeChapter",
    "YouTubeMetadata",
    "format_timestamp",
    "repair_youtube",
    "tags_length",
    "youtube_problems",
]

MAX_TITLE = 100
MAX_DESCRIPTION = 5000
MAX_TAGS_CHARS = 500
MIN_CHAPTERS = 3
MIN_CHAPTER_S = 10

_SPACES = re.compile(r"\s+")


class YouTubeChapter(Record):
    """One chapter line of the description: whole seconds from the start, and a title."""

    start_s: int
    title: str

    def line(self, *, hours: bool) -> str:
        """``0:00 Title`` (``0:00:00 Title`` when the video is an hour or longer)."""
        return f"{format_timestamp(self.start_s, hours=hours)} {self.title}"


class YouTubeMetadata(Record):
    """What YouTube's upload form asks for, ready to paste or send to the Data API."""

    title: str
    description: str
    """The full description, chapter timestamps included."""
    tags: tuple[str, ...] = ()
    chapters: tuple[YouTubeChapter, ...] = ()
    """The chapters listed in the description (empty when fewer than three would survive)."""
    repairs: tuple[str, ...] = ()
    """What was changed to satisfy YouTube's rules, for the producer to review."""


def format_timestamp(seconds: int, *, hours: bool = False) -> str:
    """``M:SS``, or ``H:MM:SS`` when ``hours`` (YouTube's chapter timestamp forms)."""
    h, rest = divmod(max(0, seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if hours else f"{m + 60 * h}:{s:02d}"


def tags_length(tags: Sequence[str]) -> int:
    """Characters YouTube counts for ``tags``: commas between, quotes around tags with spaces."""
    return sum(len(tag) + (2 if " " in tag else 0) for tag in tags) + max(0, len(tags) - 1)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.replace("<", "‹").replace(">", "›")).strip()


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


def _chapters(
    chapters: Sequence[tuple[float, str]], duration_s: float | None, repairs: list[str], labels: Labels
) -> tuple[YouTubeChapter, ...]:
    ordered = sorted(chapters, key=lambda chapter: chapter[0])
    if [c[0] for c in ordered] != [c[0] for c in chapters]:
        repairs.append("chapters sorted into ascending order")
    kept: list[YouTubeChapter] = []
    for start, raw_title in ordered:
        title = _shorten(_clean(raw_title), MAX_TITLE) or f"{labels.part} {len(kept) + 1}"
        # Whole seconds, rounded down, are what the description shows; the 10 s rule applies to those.
        second = 0 if not kept else math.floor(start)
        if kept and second - kept[-1].start_s < MIN_CHAPTER_S:
            repairs.append(
                f"chapter {title!r} merged into {kept[-1].title!r} (shorter than {MIN_CHAPTER_S} s)"
            )
            continue
        kept.append(YouTubeChapter(start_s=second, title=title))
    if ordered and ordered[0][0] >= 1:
        repairs.append("first chapter moved to 0:00")
    end = math.floor(duration_s) if duration_s is not None else None
    while end is not None and len(kept) > 1 and end - kept[-1].start_s < MIN_CHAPTER_S:
        dropped = kept.pop()
        repairs.append(
            f"chapter {dropped.title!r} merged into {kept[-1].title!r} (shorter than {MIN_CHAPTER_S} s)"
        )
    if 0 < len(kept) < MIN_CHAPTERS:
        repairs.append(f"chapter list left out: only {len(kept)} chapter(s), YouTube needs {MIN_CHAPTERS}")
        return ()
    return tuple(kept)


def _tags(tags: Sequence[str], repairs: list[str]) -> tuple[str, ...]:
    kept: list[str] = []
    seen: set[str] = set()
    for raw in tags:
        tag = _clean(raw.replace(",", " ").replace('"', ""))
        if not tag or tag.casefold() in seen:
            repairs.append(f"tag {raw!r} dropped (empty or duplicate)")
            continue
        if tags_length([*kept, tag]) > MAX_TAGS_CHARS:
            repairs.append(f"tag {tag!r} dropped (tags over {MAX_TAGS_CHARS} characters)")
            continue
        seen.add(tag.casefold())
        kept.append(tag)
    return tuple(kept)


def repair_youtube(
    *,
    title: str,
    description: str,
    tags: Sequence[str],
    chapters: Sequence[tuple[float, str]],
    duration_s: float | None = None,
    fallback_title: str = "Episode",
    language: str = "en",
) -> YouTubeMetadata:
    """YouTube metadata that satisfies every rule, built from the episode's own title, text and chapters.

    ``chapters`` are ``(start seconds, title)`` pairs from the real audio; ``duration_s`` (when known)
    lets the last chapter be checked for length too. ``language`` picks the words podwright adds
    ("Chapters:", "Part 3").
    """
    labels = labels_for(language)
    repairs: list[str] = []
    clean_title = _clean(title) or _clean(fallback_title) or "Episode"
    if clean_title != title:
        repairs.append("title: whitespace or angle brackets cleaned")
    if len(clean_title) > MAX_TITLE:
        clean_title = _shorten(clean_title, MAX_TITLE)
        repairs.append(f"title shortened to {MAX_TITLE} characters")
    kept_chapters = _chapters(chapters, duration_s, repairs, labels)
    hours = bool(kept_chapters) and (duration_s or kept_chapters[-1].start_s) >= 3600
    chapter_block = "\n".join(chapter.line(hours=hours) for chapter in kept_chapters)
    prose = "\n".join(_clean(line) for line in description.replace("<", "‹").replace(">", "›").splitlines())
    prose = re.sub(r"\n{3,}", "\n\n", prose).strip()
    heading = f"{labels.chapters}:\n"
    room = MAX_DESCRIPTION - (len(chapter_block) + len(heading) + 2 if chapter_block else 0)
    if len(prose) > room:
        prose = _shorten(prose, room)
        repairs.append(f"description shortened to fit {MAX_DESCRIPTION} characters with the chapters")
    parts = [prose] if prose else []
    if chapter_block:
        parts.append(heading + chapter_block)
    return YouTubeMetadata(
        title=clean_title,
        description="\n\n".join(parts),
        tags=_tags(tags, repairs),
        chapters=kept_chapters,
        repairs=tuple(repairs),
    )


def youtube_problems(metadata: YouTubeMetadata, *, duration_s: float | None = None) -> list[str]:
    """Every way ``metadata`` breaks YouTube's rules (empty when it is fine to upload)."""
    problems: list[str] = []
    if not metadata.title.strip():
        problems.append("title is empty")
    if len(metadata.title) > MAX_TITLE:
        problems.append(f"title is {len(metadata.title)} characters (max {MAX_TITLE})")
    if len(metadata.description) > MAX_DESCRIPTION:
        problems.append(f"description is {len(metadata.description)} characters (max {MAX_DESCRIPTION})")
    for field, text in (("title", metadata.title), ("description", metadata.description)):
        if "<" in text or ">" in text:
            problems.append(f"{field} contains '<' or '>'")
    if tags_length(metadata.tags) > MAX_TAGS_CHARS:
        problems.append(f"tags are {tags_length(metadata.tags)} characters (max {MAX_TAGS_CHARS})")
    chapters = metadata.chapters
    if chapters:
        starts = [chapter.start_s for chapter in chapters]
        if starts[0] != 0:
            problems.append("first chapter does not start at 0:00")
        if len(chapters) < MIN_CHAPTERS:
            problems.append(f"only {len(chapters)} chapters (YouTube needs {MIN_CHAPTERS})")
        ends = [*starts[1:], *([math.floor(duration_s)] if duration_s is not None else [])]
        if any(end - start < MIN_CHAPTER_S for start, end in zip(starts, ends, strict=False)):
            problems.append(f"a chapter is shorter than {MIN_CHAPTER_S} s or out of order")
    return problems
