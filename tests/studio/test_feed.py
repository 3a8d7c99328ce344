from __future__ import annotations

import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from podwright import Studio, Tier
from podwright.core import ConfigError, EpisodeError, EpisodeState
from podwright.pipeline.feed import build_feed, episode_guid, show_guid
from tests.stages.shows import starter_show
from tests.studio.episodes import write_episode_folder

BASE = "https://cdn.example.com/shows/curious-minutes"


def _parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _published(studio: Studio, show_dir: Path, episode_id: str, **kwargs: object) -> Path:
    """An episode with a draft and a final render, approved and published (final)."""
    folder = write_episode_folder(show_dir, episode_id, tiers=(Tier.DRAFT, Tier.FINAL), **kwargs)  # type: ignore[arg-type]
    studio.approve(folder)
    studio.publish(folder)
    return folder


def test_feed_round_trips_through_a_real_parser(studio: Studio, tmp_path: Path) -> None:
    show_dir = tmp_path / "out" / "curious-minutes"
    _published(studio, show_dir, "ep-1", seconds=30)
    path = studio.write_feed("curious-minutes", base_url=BASE + "/")
    parsed = _parse(path)

    channel = parsed.feed
    assert channel.title == "Curious Minutes"
    assert channel.author == "Curious Minutes"
    assert channel.tags[0].term == "Science"
    assert channel.podcast_guid == show_guid(BASE + "/feed.xml")
    # The channel artwork is the show's own cover, drawn once into the show folder.
    assert channel.image.href == f"{BASE}/cover.png"
    assert (show_dir / "cover.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    [entry] = parsed.entries
    mp3 = show_dir / "ep-1" / "final" / "episode.mp3"
    assert entry.title == "Why the night sky is dark (ep-1)"
    assert entry.id == episode_guid("curious-minutes", "ep-1")
    [enclosure] = entry.enclosures
    assert enclosure.href == f"{BASE}/ep-1/final/episode.mp3"
    assert int(enclosure.length) == mp3.stat().st_size
    assert int(entry.itunes_duration) == 30
    assert entry.image.href == f"{BASE}/ep-1/images/cover.png"
    xml = path.read_text(encoding="utf-8")
    assert f'<podcast:chapters url="{BASE}/ep-1/final/chapters.json" type="application/json+chapters"' in xml
    assert f'<podcast:transcript url="{BASE}/ep-1/final/transcript.vtt" type="text/vtt"' in xml
    # World-readable like any static site: a web server running as another user can serve it.
    assert stat.S_IMODE(path.stat().st_mode) & 0o044 == 0o044


def test_only_published_episodes_reach_the_feed(studio: Studio, tmp_path: Path) -> None:
    show_dir = tmp_path / "out" / "curious-minutes"
    _published(studio, show_dir, "ep-live")
    studio.episode(write_episode_folder(show_dir, "ep-draft"))  # a draft nobody approved
    approved = write_episode_folder(show_dir, "ep-approved", tiers=(Tier.DRAFT, Tier.FINAL))
    studio.approve(approved)  # approved, final rendered, but not published
    failed = studio.episode(write_episode_folder(show_dir, "ep-failed"))
    studio.book.fail(failed.key, "engine crashed", actor="test")
    cancelled = studio.episode(write_episode_folder(show_dir, "ep-cancelled"))
    studio.book.cancel(cancelled.key, actor="test")

    parsed = _parse(studio.write_feed("curious-minutes", base_url=BASE))
    assert [entry.id for entry in parsed.entries] == [episode_guid("curious-minutes", "ep-live")]


def test_publishing_needs_approval_and_refuses_failed_episodes(studio: Studio, tmp_path: Path) -> None:
    show_dir = tmp_path / "out" / "curious-minutes"
    folder = write_episode_folder(show_dir, "ep-1", tiers=(Tier.DRAFT, Tier.FINAL))
    with pytest.raises(EpisodeError, match="not approved") as caught:
        studio.publish(folder)
    assert "podwright approve ep-1" in caught.value.hint
    draft_only = write_episode_folder(show_dir, "ep-2")
    studio.approve(draft_only)
    with pytest.raises(EpisodeError, match="no final render") as caught:
        studio.publish(draft_only)
    assert "allow_draft_publishing" in caught.value.hint
    failed = studio.episode(write_episode_folder(show_dir, "ep-3"))
    studio.book.fail(failed.key, "boom", actor="test")
    with pytest.raises(EpisodeError, match="failed"):
        studio.approve(failed.key)
    assert studio.episode("ep-1").state is EpisodeState.FINAL_RENDERED


def test_an_edit_after_approval_needs_approval_again(studio: Studio, tmp_path: Path) -> None:
    folder = write_episode_folder(
        tmp_path / "out" / "curious-minutes", "ep-1", tiers=(Tier.DRAFT, Tier.FINAL)
    )
    studio.approve(folder)
    script = folder / "script.json"
    script.write_text(script.read_text(encoding="utf-8").replace("Let's talk", "Now"), encoding="utf-8")
    with pytest.raises(EpisodeError, match="changed since"):
        studio.publish(folder)


def test_draft_publishing_is_explicit(studio: Studio, tmp_path: Path) -> None:
    show = starter_show()
    allowing = show.model_copy(
        update={"publishing": show.publishing.model_copy(update={"allow_draft_publishing": True})}
    )
    folder = write_episode_folder(tmp_path / "out" / "curious-minutes", "ep-1", show=allowing)
    with pytest.raises(EpisodeError, match="not approved"):
        studio.publish(folder, Tier.DRAFT)  # a draft is published only after a person heard it
    studio.approve(folder)
    record = studio.publish(folder, Tier.DRAFT)
    assert (record.state, record.published_tier) == (EpisodeState.PUBLISHED, Tier.DRAFT)
    parsed = _parse(studio.write_feed("curious-minutes", base_url=BASE))
    assert parsed.entries[0].enclosures[0].href == f"{BASE}/ep-1/draft/episode.mp3"
    studio.unpublish("ep-1")
    assert _parse(studio.write_feed("curious-minutes", base_url=BASE, show=allowing)).entries == []


def test_second_run_adds_new_episodes_and_keeps_old_guids(studio: Studio, tmp_path: Path) -> None:
    show_dir = tmp_path / "out" / "curious-minutes"
    _published(studio, show_dir, "ep-1", created_at=datetime(2026, 1, 5, tzinfo=UTC))
    first = _parse(studio.write_feed("curious-minutes", base_url=BASE))
    _published(studio, show_dir, "ep-2", created_at=datetime(2026, 1, 12, tzinfo=UTC))
    second = _parse(studio.write_feed("curious-minutes", base_url=BASE))
    old = {entry.title: entry.id for entry in first.entries}
    new = {entry.title: entry.id for entry in second.entries}
    assert len(new) == 2
    assert new["Why the night sky is dark (ep-1)"] == old["Why the night sky is dark (ep-1)"]
    assert second.entries[0].title.endswith("(ep-2)")  # newest published first
    assert second.feed.podcast_guid == first.feed.podcast_guid


def test_unchanged_show_gives_a_byte_identical_feed(studio: Studio, tmp_path: Path) -> None:
    show_dir = tmp_path / "out" / "curious-minutes"
    _published(studio, show_dir, "ep-1")
    first = studio.write_feed("curious-minutes", base_url=BASE).read_bytes()
    assert studio.write_feed("curious-minutes", base_url=BASE).read_bytes() == first


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


def test_a_show_without_author_or_category_is_refused(tmp_path: Path) -> None:
    show = starter_show()
    bare = show.model_copy(
        update={"publishing": show.publishing.model_copy(update={"author": "", "category": ""})}
    )
    with pytest.raises(ConfigError, match="author, category") as caught:
        build_feed(bare, [], base_url=BASE, show_dir=tmp_path)
    assert "[publishing] author" in caught.value.hint
    with pytest.raises(ConfigError, match="base-url"):
        build_feed(show, [], base_url="cdn.example.com", show_dir=tmp_path)
