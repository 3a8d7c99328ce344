from __future__ import annotations

import json
from pathlib import Path

import pytest

from podwright.core import ConfigError
from podwright.pipeline.youtube import write_youtube_json, youtube_metadata_for
from podwright.stages.youtube import (
    MAX_TAGS_CHARS,
    YouTubeChapter,
    YouTubeMetadata,
    format_timestamp,
    repair_youtube,
    tags_length,
    youtube_problems,
)
from tests.studio.episodes import write_episode_folder

CHAPTERS = [(0.0, "Welcome"), (65.4, "How it works"), (300.9, "Wrap-up")]


def test_good_metadata_passes_unchanged() -> None:
    meta = repair_youtube(title="A fine title", description="About it.", tags=["a", "b c"], chapters=CHAPTERS)
    assert meta.repairs == ()
    assert meta.title == "A fine title"
    assert meta.description == "About it.\n\nChapters:\n0:00 Welcome\n1:05 How it works\n5:00 Wrap-up"
    assert meta.tags == ("a", "b c")
    assert youtube_problems(meta, duration_s=400) == []


def test_long_title_is_shortened_at_a_word_and_angle_brackets_replaced() -> None:
    meta = repair_youtube(title="<b>" + "word " * 40, description="", tags=[], chapters=[])
    assert len(meta.title) <= 100
    assert meta.title.endswith("…")
    assert "<" not in meta.title and ">" not in meta.title
    assert any("shortened" in repair for repair in meta.repairs)


def test_empty_title_falls_back_to_the_script_title() -> None:
    meta = repair_youtube(title="   ", description="", tags=[], chapters=[], fallback_title="Night sky")
    assert meta.title == "Night sky"


def test_chapters_are_sorted_start_at_zero_and_short_ones_merge() -> None:
    raw = [(40.0, "Third"), (2.0, "First"), (25.0, "Second"), (31.0, "Too short"), (95.0, "Last")]
    meta = repair_youtube(title="t", description="d", tags=[], chapters=raw, duration_s=100)
    assert [(c.start_s, c.title) for c in meta.chapters] == [(0, "First"), (25, "Second"), (40, "Third")]
    assert "Too short" in " ".join(meta.repairs)
    assert "Last" in " ".join(meta.repairs)  # ends 5 s before the audio does
    assert "first chapter moved to 0:00" in meta.repairs
    assert youtube_problems(meta, duration_s=100) == []


def test_fewer_than_three_chapters_leaves_the_list_out() -> None:
    meta = repair_youtube(title="t", description="About.", tags=[], chapters=[(0, "A"), (5, "B"), (30, "C")])
    assert meta.chapters == ()
    assert meta.description == "About."
    assert any("left out" in repair for repair in meta.repairs)


def test_tags_fit_500_characters_counting_quotes_and_commas() -> None:
    tags = [f"tag number {n}" for n in range(60)] + ["dup", "DUP", " ", "a,b"]
    meta = repair_youtube(title="t", description="", tags=tags, chapters=[])
    assert tags_length(meta.tags) <= MAX_TAGS_CHARS
    assert len(meta.tags) < 60
    assert tags_length(["a b", "c"]) == len('"a b",c')
    assert youtube_problems(meta) == []


def test_long_description_is_shortened_but_keeps_every_chapter() -> None:
    meta = repair_youtube(title="t", description="x " * 4000, tags=[], chapters=CHAPTERS)
    assert len(meta.description) <= 5000
    assert meta.description.endswith("5:00 Wrap-up")


def test_hour_long_episodes_use_hour_timestamps() -> None:
    meta = repair_youtube(
        title="t", description="", tags=[], chapters=[(0, "A"), (1800, "B"), (3700, "C")], duration_s=4000
    )
    assert [c.line(hours=True) for c in meta.chapters][-1] == "1:01:40 C"
    assert "0:00:00 A" in meta.description
    assert format_timestamp(75) == "1:15"


def test_problems_are_named_for_broken_metadata() -> None:
    broken = YouTubeMetadata(
        title="x" * 101,
        description="<script>",
        tags=("t" * 501,),
        chapters=(YouTubeChapter(start_s=5, title="A"), YouTubeChapter(start_s=8, title="B")),
    )
    problems = " | ".join(youtube_problems(broken, duration_s=20))
    for expected in (
        "title is 101",
        "'<' or '>'",
        "tags are",
        "0:00",
        "only 2 chapters",
        "shorter than 10 s",
    ):
        assert expected in problems


def test_youtube_json_uses_the_real_chapter_times(tmp_path: Path) -> None:
    folder = write_episode_folder(tmp_path, "ep-7", seconds=50, starts=(0.0, 12.5, 24.0, 36.2))
    (folder / "images" / "thumbnail.png").write_bytes(b"png")
    path = write_youtube_json(folder)
    assert path == folder / "draft" / "youtube.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["title"] == "Why the night sky is dark (ep-7)"
    assert document["description"].endswith(
        "Chapters:\n0:00 Welcome\n0:12 Why the sky is dark\n0:24 Olbers' paradox\n0:36 What we learned"
    )
    assert document["tags"] == ["astronomy", "olbers paradox", "night sky"]
    assert document["thumbnail"] == "../images/thumbnail.png"
    assert document["repairs"] == []


def test_youtube_metadata_checks_the_last_chapter_against_the_mp3(tmp_path: Path) -> None:
    # chapters.json claims 60 s, but the MP3 is 40 s long: the last chapter would be 4 s and is merged.
    folder = write_episode_folder(tmp_path, "ep-8", seconds=40, starts=(0.0, 12.0, 24.0, 36.0))
    document = json.loads((folder / "draft" / "chapters.json").read_text(encoding="utf-8"))
    document["chapters"][-1]["endTime"] = 60.0
    (folder / "draft" / "chapters.json").write_text(json.dumps(document), encoding="utf-8")
    meta = youtube_metadata_for(folder)
    assert [c.title for c in meta.chapters] == ["Welcome", "Why the sky is dark", "Olbers' paradox"]


def test_a_folder_without_chapters_is_a_config_error(tmp_path: Path) -> None:
    folder = write_episode_folder(tmp_path, "ep-9", mp3=False)
    (folder / "draft" / "chapters.json").unlink()
    with pytest.raises(ConfigError, match=r"chapters\.json") as caught:
        youtube_metadata_for(folder)
    assert "render" in caught.value.hint
