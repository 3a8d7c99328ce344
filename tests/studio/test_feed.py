from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from podwright.core import ConfigError
from podwright.pipeline.feed import build_feed, episode_guid, show_guid, write_feed
from tests.stages.shows import starter_show
from tests.studio.episodes import write_episode_folder

BASE = "https://cdn.example.com/shows/curious-minutes"


def _parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_feed_round_trips_through_a_real_parser(tmp_path: Path) -> None:
    show_dir = tmp_path / "curious-minutes"
    write_episode_folder(show_dir, "ep-1", seconds=30, created_at=datetime(2026, 1, 5, 6, 0, tzinfo=UTC))
    (show_dir / "drafts").mkdir()  # an unfinished folder is not an episode
    parsed = _parse(write_feed(show_dir, base_url=BASE + "/", show=starter_show()))

    channel = parsed.feed
    assert channel.title == "Curious Minutes"
    assert channel.author == "Curious Minutes"
    assert channel.tags[0].term == "Science"
    assert channel.podcast_guid == show_guid(BASE + "/feed.xml")
    assert parsed.namespaces["itunes"] == "http://www.itunes.com/dtds/podcast-1.0.dtd"
    assert parsed.namespaces["podcast"] == "https://podcastindex.org/namespace/1.0"

    [entry] = parsed.entries
    mp3 = show_dir / "ep-1" / "episode.mp3"
    assert entry.title == "Why the night sky is dark (ep-1)"
    assert entry.id == episode_guid("curious-minutes", "ep-1")
    assert entry.published_parsed[:4] == (2026, 1, 5, 6)
    [enclosure] = entry.enclosures
    assert enclosure.href == f"{BASE}/ep-1/episode.mp3"
    assert int(enclosure.length) == mp3.stat().st_size
    assert enclosure.type == "audio/mpeg"
    assert int(entry.itunes_duration) == 30
    assert entry.image.href == f"{BASE}/ep-1/images/cover.png"
    xml = (show_dir / "feed.xml").read_text(encoding="utf-8")
    assert f'<podcast:chapters url="{BASE}/ep-1/chapters.json" type="application/json+chapters"' in xml
    assert f'<podcast:transcript url="{BASE}/ep-1/transcript.vtt" type="text/vtt"' in xml


def test_second_run_adds_new_episodes_and_keeps_old_guids(tmp_path: Path) -> None:
    show_dir = tmp_path / "curious-minutes"
    write_episode_folder(show_dir, "ep-1", seconds=20, created_at=datetime(2026, 1, 5, tzinfo=UTC))
    first = _parse(write_feed(show_dir, base_url=BASE))
    write_episode_folder(show_dir, "ep-2", seconds=20, created_at=datetime(2026, 1, 12, tzinfo=UTC))
    second = _parse(write_feed(show_dir, base_url=BASE))

    old = {entry.title: entry.id for entry in first.entries}
    new = {entry.title: entry.id for entry in second.entries}
    assert len(new) == 2
    assert new["Why the night sky is dark (ep-1)"] == old["Why the night sky is dark (ep-1)"]
    assert second.entries[0].title.endswith("(ep-2)")  # newest first
    assert second.feed.podcast_guid == first.feed.podcast_guid
    # Without a show file the name comes from the slug.
    assert second.feed.title == "Curious Minutes"


def test_unchanged_show_gives_a_byte_identical_feed(tmp_path: Path) -> None:
    show_dir = tmp_path / "curious-minutes"
    write_episode_folder(show_dir, "ep-1", seconds=20, created_at=datetime(2026, 1, 5, tzinfo=UTC))
    assert build_feed(show_dir, base_url=BASE) == build_feed(show_dir, base_url=BASE)


def test_guids_are_stable_and_distinct() -> None:
    assert episode_guid("a", "ep-1") == episode_guid("a", "ep-1")
    assert len({episode_guid("a", "ep-1"), episode_guid("a", "ep-2"), episode_guid("b", "ep-1")}) == 3
    # Values published by other Podcasting 2.0 feeds (scheme and trailing slash stripped before hashing).
    assert show_guid("https://bigal.github.io/breakfast-wrap-feed/breakfast-wrap.xml") == (
        "f95d7b89-e1ee-554c-be7f-f126f0b92dae"
    )
    assert show_guid("https://smartnuf.github.io/stanford-cs229-audio/feed.xml/") == (
        "469b7cc4-06ab-5668-9474-0d72dac20367"
    )
    assert uuid.UUID(show_guid("http://example.com/feed.xml/")).version == 5


def test_bad_base_url_and_missing_folder_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="base-url"):
        build_feed(tmp_path, base_url="cdn.example.com")
    with pytest.raises(ConfigError, match="not found"):
        build_feed(tmp_path / "nope", base_url=BASE)
