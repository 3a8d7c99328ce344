"""The show's podcast feed: RSS 2.0 with the iTunes namespace and Podcasting 2.0 tags.

Only episodes the store says are published become items, each from the tier it was published with
(``<episode>/<tier>/episode.mp3``); a draft waiting for review, a failed or a cancelled episode is
never listed, whatever files sit in its folder. The channel's artwork is the show's own cover
(``cover.png`` in the show folder), never an episode's. Author, language and category come from the
show; a feed without them is refused rather than filled with defaults. GUIDs derive from the show
slug and episode id, so they never change between runs; the show's ``podcast:guid`` is the UUIDv5 of
the feed URL, as the Podcasting 2.0 namespace specifies. Files are written world-readable.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from podwright.audio.tags import mp3_duration_s
from podwright.core import ConfigError, Script, Show
from podwright.core.lifecycle import EpisodeRecord, EpisodeState
from podwright.pipeline.episode_folder import read_script
from podwright.pipeline.renders import render_dir
from podwright.pipeline.run_record import atomic_write_text
from podwright.stages.show_notes import show_notes

__all__ = [
    "SHOW_COVER_NAMES",
    "FeedEpisode",
    "build_feed",
    "check_feed_show",
    "episode_guid",
    "feed_episodes",
    "show_guid",
    "write_feed",
]

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
_PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_EPISODE_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://podwright.dev/episode")
_TRANSCRIPTS = (("transcript.vtt", "text/vtt"), ("transcript.srt", "application/x-subrip"))
SHOW_COVER_NAMES = ("cover.png", "cover.jpg")
"""Where the show's artwork sits in the show folder."""


def show_guid(feed_url: str) -> str:
    """The Podcasting 2.0 ``podcast:guid``: UUIDv5 of the feed URL without scheme and trailing slashes."""
    parts = urlsplit(feed_url)
    bare = feed_url[len(parts.scheme) + 3 :] if parts.scheme else feed_url
    return str(uuid.uuid5(_PODCAST_GUID_NAMESPACE, bare.rstrip("/")))


def episode_guid(show_slug: str, episode_id: str) -> str:
    """The stable GUID of an episode: the same show slug and episode id always give the same GUID."""
    return str(uuid.uuid5(_EPISODE_GUID_NAMESPACE, f"{show_slug}/{episode_id}"))


@dataclass(frozen=True, slots=True)
class FeedEpisode:
    """One published episode, as the feed needs it."""

    episode_dir: Path
    render_dir: Path
    """The published tier's folder: what the enclosure, chapters and transcripts point at."""
    script: Script
    published: datetime
    mp3_bytes: int
    duration_s: float

    @property
    def title(self) -> str:
        """The published title (metadata's, else the script's)."""
        return self.script.metadata.title if self.script.metadata else self.script.title

    @property
    def description(self) -> str:
        """The published show notes: the description (metadata's, else the summary) and the sources."""
        return show_notes(self.script)


def feed_episodes(records: Sequence[EpisodeRecord]) -> list[FeedEpisode]:
    """The published ones of ``records``, read from their published tier's folder, newest first."""
    episodes: list[FeedEpisode] = []
    for record in records:
        if record.state is not EpisodeState.PUBLISHED or record.published_tier is None:
            continue
        folder = Path(record.folder)
        tier_dir = render_dir(folder, record.published_tier)
        mp3 = tier_dir / "episode.mp3"
        if not mp3.is_file():
            raise ConfigError(
                f"published episode {record.key} has no {mp3}",
                hint="render it again, or `podwright unpublish` it",
            )
        published = datetime.fromtimestamp(record.published_at or mp3.stat().st_mtime, UTC)
        episodes.append(
            FeedEpisode(
                episode_dir=folder,
                render_dir=tier_dir,
                script=read_script(folder),
                published=published,
                mp3_bytes=mp3.stat().st_size,
                duration_s=mp3_duration_s(mp3),
            )
        )
    episodes.sort(key=lambda episode: (episode.published, episode.script.episode_id), reverse=True)
    return episodes


def check_feed_show(show: Show) -> None:
    """Refuse a show whose feed would lack what podcast directories require (author, language, category)."""
    missing = [
        name
        for name, value in (
            ("author", show.publishing.author),
            ("category", show.publishing.category),
            ("language", show.language),
        )
        if not value.strip()
    ]
    if missing:
        fields = ", ".join(
            f"[publishing] {name}" if name != "language" else "[show] language" for name in missing
        )
        raise ConfigError(
            f"show {show.slug!r} has no {', '.join(missing)} for its feed",
            hint=f'set {fields} in the show file (e.g. author = "Your Name", category = "Science")',
        )


def build_feed(show: Show, episodes: Sequence[FeedEpisode], *, base_url: str, show_dir: Path) -> str:
    """The RSS document of ``episodes`` (published ones) served from ``base_url``, the show folder's URL.

    Enclosures are ``<base_url>/<episode-id>/<tier>/episode.mp3``.
    """
    check_feed_show(show)
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"--base-url {base_url!r} is not an http(s) URL", hint="e.g. https://example.com/shows/my-show"
        )
    base = base_url.rstrip("/")
    for prefix, namespace in (("itunes", ITUNES), ("podcast", PODCAST), ("atom", ATOM)):
        ET.register_namespace(prefix, namespace)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _channel(ET.SubElement(rss, "channel"), show, base, episodes, show_dir)
    for episode in episodes:
        _item(ET.SubElement(channel, "item"), episode, show, base)
    ET.indent(rss)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"


def write_feed(show: Show, episodes: Sequence[FeedEpisode], *, base_url: str, show_dir: Path) -> Path:
    """Write ``feed.xml`` into ``show_dir`` (atomically, world-readable); returns its path."""
    path = show_dir / "feed.xml"
    atomic_write_text(path, build_feed(show, episodes, base_url=base_url, show_dir=show_dir))
    return path


def _text(parent: ET.Element, tag: str, text: str, attrs: dict[str, str] | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs or {})
    element.text = text
    return element


def _url(base: str, *parts: str) -> str:
    return "/".join([base, *(quote(part) for part in parts)])


def _channel(
    channel: ET.Element, show: Show, base: str, episodes: Sequence[FeedEpisode], show_dir: Path
) -> ET.Element:
    feed_url = f"{base}/feed.xml"
    publishing = show.publishing
    description = publishing.description or f"Episodes of {show.name}."
    _text(channel, "title", show.name)
    _text(channel, "link", publishing.website or base)
    _text(channel, "description", description)
    _text(channel, "language", show.language)
    _text(channel, "generator", "podwright")
    if episodes:
        # The newest episode's date, not "now": an unchanged show gives a byte-identical feed.
        _text(channel, "lastBuildDate", format_datetime(episodes[0].published))
    ET.SubElement(
        channel, f"{{{ATOM}}}link", {"href": feed_url, "rel": "self", "type": "application/rss+xml"}
    )
    _text(channel, f"{{{ITUNES}}}author", publishing.author)
    owner = ET.SubElement(channel, f"{{{ITUNES}}}owner")
    _text(owner, f"{{{ITUNES}}}name", publishing.author)
    if publishing.email:
        _text(owner, f"{{{ITUNES}}}email", publishing.email)
    _text(channel, f"{{{ITUNES}}}summary", description)
    ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": publishing.category})
    _text(channel, f"{{{ITUNES}}}explicit", "true" if publishing.explicit else "false")
    _text(channel, f"{{{ITUNES}}}type", "episodic")
    cover = next((name for name in SHOW_COVER_NAMES if (show_dir / name).is_file()), None)
    if cover:
        ET.SubElement(channel, f"{{{ITUNES}}}image", {"href": _url(base, cover)})
        image = ET.SubElement(channel, "image")
        _text(image, "url", _url(base, cover))
        _text(image, "title", show.name)
        _text(image, "link", base)
    _text(channel, f"{{{PODCAST}}}guid", show_guid(feed_url))
    return channel


def _item(item: ET.Element, episode: FeedEpisode, show: Show, base: str) -> None:
    folder = episode.episode_dir.name
    tier = episode.render_dir.name
    _text(item, "title", episode.title)
    _text(item, "description", episode.description or episode.title)
    _text(item, "guid", episode_guid(show.slug, episode.script.episode_id), {"isPermaLink": "false"})
    _text(item, "pubDate", format_datetime(episode.published))
    ET.SubElement(
        item,
        "enclosure",
        {
            "url": _url(base, folder, tier, "episode.mp3"),
            "length": str(episode.mp3_bytes),
            "type": "audio/mpeg",
        },
    )
    _text(item, f"{{{ITUNES}}}duration", str(round(episode.duration_s)))
    _text(item, f"{{{ITUNES}}}explicit", "true" if show.publishing.explicit else "false")
    _text(item, f"{{{ITUNES}}}episodeType", "full")
    covers = sorted((episode.episode_dir / "images").glob("cover.*"))
    if covers:
        ET.SubElement(item, f"{{{ITUNES}}}image", {"href": _url(base, folder, "images", covers[0].name)})
    if (episode.render_dir / "chapters.json").is_file():
        ET.SubElement(
            item,
            f"{{{PODCAST}}}chapters",
            {"url": _url(base, folder, tier, "chapters.json"), "type": "application/json+chapters"},
        )
    for name, mime in _TRANSCRIPTS:
        if (episode.render_dir / name).is_file():
            attrs = {"url": _url(base, folder, tier, name), "type": mime, "language": episode.script.language}
            ET.SubElement(item, f"{{{PODCAST}}}transcript", attrs)
