"""The show's podcast feed: RSS 2.0 with the iTunes namespace and Podcasting 2.0 tags.

Every finished episode folder under the show folder (one holding ``episode.mp3`` and
``script.json``) becomes an item with its enclosure (byte length, duration), chapters and
transcripts. GUIDs are derived from the show slug and episode id, so they never change between runs
and no state file is needed; the show's ``podcast:guid`` is the UUIDv5 of the feed URL, as the
Podcasting 2.0 namespace specifies. The feed is written as ``feed.xml`` in the show folder.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from podwright.audio.tags import mp3_duration_s
from podwright.core import ConfigError, Script, Show
from podwright.pipeline.episode_folder import read_script
from podwright.pipeline.run_record import atomic_write_text

__all__ = ["FeedEpisode", "build_feed", "episode_guid", "feed_episodes", "show_guid", "write_feed"]

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
_PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_EPISODE_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://podwright.dev/episode")
_TRANSCRIPTS = (("transcript.vtt", "text/vtt"), ("transcript.srt", "application/x-subrip"))


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
    """One finished episode folder, as the feed needs it."""

    folder: Path
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
        """The published description (metadata's, else the script's summary)."""
        meta = self.script.metadata
        return meta.description if meta and meta.description else self.script.summary


def feed_episodes(show_dir: Path) -> list[FeedEpisode]:
    """Finished episodes in ``show_dir`` (folders with ``episode.mp3`` and ``script.json``), newest first."""
    if not show_dir.is_dir():
        raise ConfigError(f"show folder {show_dir} not found", hint="pass <out>/<show-slug>/ as SHOW_DIR")
    episodes: list[FeedEpisode] = []
    for folder in sorted(path for path in show_dir.iterdir() if path.is_dir()):
        mp3 = folder / "episode.mp3"
        if not (mp3.is_file() and (folder / "script.json").is_file()):
            continue
        script = read_script(folder)
        stat = mp3.stat()
        published = script.created_at or datetime.fromtimestamp(stat.st_mtime, UTC)
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        episodes.append(
            FeedEpisode(folder, script, published, mp3_bytes=stat.st_size, duration_s=mp3_duration_s(mp3))
        )
    episodes.sort(key=lambda episode: (episode.published, episode.script.episode_id), reverse=True)
    return episodes


def build_feed(show_dir: Path, *, base_url: str, show: Show | None = None) -> str:
    """The RSS document for every finished episode in ``show_dir``, served from ``base_url``.

    ``base_url`` is the public URL of the show folder: ``<base_url>/<episode-id>/episode.mp3``.
    Without ``show``, the show's name comes from the episodes' ``show_slug``.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"--base-url {base_url!r} is not an http(s) URL", hint="e.g. https://example.com/shows/my-show"
        )
    base = base_url.rstrip("/")
    episodes = feed_episodes(show_dir)
    slug = show.slug if show else (episodes[0].script.show_slug if episodes else show_dir.name)
    for prefix, namespace in (("itunes", ITUNES), ("podcast", PODCAST), ("atom", ATOM)):
        ET.register_namespace(prefix, namespace)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _channel(ET.SubElement(rss, "channel"), show, slug, base, episodes, show_dir)
    for episode in episodes:
        _item(ET.SubElement(channel, "item"), episode, slug, base, show)
    ET.indent(rss)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"


def write_feed(show_dir: Path, *, base_url: str, show: Show | None = None) -> Path:
    """Write ``feed.xml`` into ``show_dir`` (atomically); returns its path."""
    path = show_dir / "feed.xml"
    atomic_write_text(path, build_feed(show_dir, base_url=base_url, show=show))
    return path


def _text(parent: ET.Element, tag: str, text: str, attrs: dict[str, str] | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs or {})
    element.text = text
    return element


def _url(base: str, *parts: str) -> str:
    return "/".join([base, *(quote(part) for part in parts)])


def _channel(
    channel: ET.Element, show: Show | None, slug: str, base: str, episodes: list[FeedEpisode], show_dir: Path
) -> ET.Element:
    feed_url = f"{base}/feed.xml"
    publishing = show.publishing if show else None
    name = show.name if show else slug.replace("-", " ").replace("_", " ").title()
    description = (publishing.description if publishing else "") or f"Episodes of {name}."
    _text(channel, "title", name)
    _text(channel, "link", (publishing.website if publishing and publishing.website else base))
    _text(channel, "description", description)
    _text(channel, "language", show.language if show else (episodes[0].script.language if episodes else "en"))
    _text(channel, "generator", "podwright")
    if episodes:
        # The newest episode's date, not "now": an unchanged show gives a byte-identical feed.
        _text(channel, "lastBuildDate", format_datetime(episodes[0].published))
    ET.SubElement(
        channel, f"{{{ATOM}}}link", {"href": feed_url, "rel": "self", "type": "application/rss+xml"}
    )
    author = publishing.author if publishing else "podwright"
    _text(channel, f"{{{ITUNES}}}author", author)
    owner = ET.SubElement(channel, f"{{{ITUNES}}}owner")
    _text(owner, f"{{{ITUNES}}}name", author)
    if publishing and publishing.email:
        _text(owner, f"{{{ITUNES}}}email", publishing.email)
    _text(channel, f"{{{ITUNES}}}summary", description)
    ET.SubElement(
        channel, f"{{{ITUNES}}}category", {"text": publishing.category if publishing else "Technology"}
    )
    _text(channel, f"{{{ITUNES}}}explicit", "true" if publishing and publishing.explicit else "false")
    _text(channel, f"{{{ITUNES}}}type", "episodic")
    cover = _show_cover(show_dir, base, episodes)
    if cover:
        ET.SubElement(channel, f"{{{ITUNES}}}image", {"href": cover})
        image = ET.SubElement(channel, "image")
        _text(image, "url", cover)
        _text(image, "title", name)
        _text(image, "link", base)
    _text(channel, f"{{{PODCAST}}}guid", show_guid(feed_url))
    return channel


def _show_cover(show_dir: Path, base: str, episodes: list[FeedEpisode]) -> str | None:
    for name in ("cover.png", "cover.jpg"):
        if (show_dir / name).is_file():
            return _url(base, name)
    for episode in episodes:
        cover = _episode_cover(episode.folder)
        if cover:
            return _url(base, episode.folder.name, "images", cover.name)
    return None


def _episode_cover(folder: Path) -> Path | None:
    found = sorted((folder / "images").glob("cover.*"))
    return found[0] if found else None


def _item(item: ET.Element, episode: FeedEpisode, slug: str, base: str, show: Show | None) -> None:
    folder = episode.folder.name
    _text(item, "title", episode.title)
    _text(item, "description", episode.description or episode.title)
    _text(item, "guid", episode_guid(slug, episode.script.episode_id), {"isPermaLink": "false"})
    _text(item, "pubDate", format_datetime(episode.published))
    ET.SubElement(
        item,
        "enclosure",
        {"url": _url(base, folder, "episode.mp3"), "length": str(episode.mp3_bytes), "type": "audio/mpeg"},
    )
    _text(item, f"{{{ITUNES}}}duration", str(round(episode.duration_s)))
    _text(item, f"{{{ITUNES}}}explicit", "true" if show and show.publishing.explicit else "false")
    _text(item, f"{{{ITUNES}}}episodeType", "full")
    cover = _episode_cover(episode.folder)
    if cover:
        ET.SubElement(item, f"{{{ITUNES}}}image", {"href": _url(base, folder, "images", cover.name)})
    if (episode.folder / "chapters.json").is_file():
        ET.SubElement(
            item,
            f"{{{PODCAST}}}chapters",
            {"url": _url(base, folder, "chapters.json"), "type": "application/json+chapters"},
        )
    for name, mime in _TRANSCRIPTS:
        if (episode.folder / name).is_file():
            attrs = {"url": _url(base, folder, name), "type": mime, "language": episode.script.language}
            ET.SubElement(item, f"{{{PODCAST}}}transcript", attrs)
