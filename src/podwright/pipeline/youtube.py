"""``youtube.json`` for an episode folder: metadata repaired to YouTube's rules, chapters from the audio."""

from __future__ import annotations

import json
from pathlib import Path

from podwright.audio.tags import mp3_duration_s
from podwright.core import AudioError, PodwrightError, Tier
from podwright.pipeline.episode_folder import read_chapters, read_script
from podwright.pipeline.renders import render_dir
from podwright.pipeline.run_record import atomic_write_text
from podwright.stages.show_notes import show_notes
from podwright.stages.youtube import YouTubeMetadata, repair_youtube, youtube_problems

__all__ = ["write_youtube_json", "youtube_metadata_for"]


def youtube_metadata_for(episode_dir: Path, tier: Tier = Tier.DRAFT) -> YouTubeMetadata:
    """YouTube metadata from ``script.json`` (its show notes: description and sources) and the real
    chapter times of ``tier``'s render."""
    script = read_script(episode_dir)
    tier_dir = render_dir(episode_dir, tier)
    chapters = read_chapters(tier_dir)
    duration_s = _duration_s(tier_dir, chapters[-1].end_s if chapters else None)
    meta = script.metadata
    metadata = repair_youtube(
        title=meta.title if meta else script.title,
        description=show_notes(script),
        tags=meta.tags if meta else (),
        chapters=[(chapter.start_s, chapter.title) for chapter in chapters],
        duration_s=duration_s,
        fallback_title=script.title,
        language=script.language,
    )
    problems = youtube_problems(metadata, duration_s=duration_s)
    if problems:
        # repair_youtube guarantees the rules; reaching here is a bug, not a producer's mistake.
        raise PodwrightError(
            f"YouTube metadata for {episode_dir.name} still breaks YouTube's rules: {'; '.join(problems)}",
            hint="report this as a podwright bug",
        )
    return metadata


def _duration_s(episode_dir: Path, last_chapter_end: float | None) -> float | None:
    mp3 = episode_dir / "episode.mp3"
    if mp3.is_file():
        try:
            return mp3_duration_s(mp3)
        except AudioError:
            return last_chapter_end
    return last_chapter_end


def write_youtube_json(episode_dir: Path, tier: Tier = Tier.DRAFT) -> Path:
    """Write ``<tier>/youtube.json`` (title, description, tags, chapters, thumbnail, repairs); its path.

    The thumbnail is named relative to the tier's folder (``../images/thumbnail.png``); ``video`` names
    the tier's ``episode.mp4`` when there is one, ``captions`` its transcript sidecars and their language.
    """
    metadata = youtube_metadata_for(episode_dir, tier)
    document = metadata.model_dump(mode="json")
    tier_dir = render_dir(episode_dir, tier)
    thumbnails = sorted((episode_dir / "images").glob("thumbnail.*"))
    document["thumbnail"] = f"../images/{thumbnails[0].name}" if thumbnails else None
    # The upload: the video when one was made from this render, and its caption sidecars.
    document["video"] = "episode.mp4" if (tier_dir / "episode.mp4").is_file() else None
    language = read_script(episode_dir).language
    document["captions"] = [
        {"file": name, "language": language}
        for name in ("transcript.srt", "transcript.vtt")
        if (tier_dir / name).is_file()
    ]
    path = tier_dir / "youtube.json"
    atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path
