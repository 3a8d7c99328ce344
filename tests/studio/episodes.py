"""Real episode folders for the studio tests: script.json, chapters.json, a real MP3, transcripts, a cover."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np

from podwright.audio.chapters import to_podcasting20_json
from podwright.audio.ffmpeg import encode_mp3
from podwright.core import EpisodeMetadata, ImagePrompt, Script, Segment, Show, Tier, Turn
from podwright.core.timeline import Chapter
from podwright.pipeline.renders import render_dir, script_sha, write_render_manifest
from tests.stages.shows import starter_show

SEGMENT_TITLES = ("Welcome", "Why the sky is dark", "Olbers' paradox", "What we learned")


def make_script(
    episode_id: str = "ep-1",
    *,
    show_slug: str = "curious-minutes",
    titles: tuple[str, ...] = SEGMENT_TITLES,
    metadata: EpisodeMetadata | None = None,
    created_at: datetime | None = None,
    prompts: bool = True,
) -> Script:
    segments = tuple(
        Segment(kind="body", title=title, turns=(Turn(host="maya", text=f"Let's talk about {title}."),))
        for title in titles
    )
    image_prompts: tuple[ImagePrompt, ...] = ()
    if prompts:
        image_prompts = (
            ImagePrompt(target="cover", prompt="a night sky over a quiet town"),
            *(ImagePrompt(target=f"segment-{n}", prompt=f"scene {n}") for n in range(1, len(titles) + 1)),
        )
    return Script(
        episode_id=episode_id,
        show_slug=show_slug,
        title=f"Episode {episode_id}",
        hosts={"maya": "Maya", "joe": "Joe"},
        segments=segments,
        summary="Why the night sky is dark.",
        metadata=metadata
        or EpisodeMetadata(
            title=f"Why the night sky is dark ({episode_id})",
            description="Maya and Joe explain Olbers' paradox.",
            tags=("astronomy", "olbers paradox", "night sky"),
        ),
        image_prompts=image_prompts,
        created_at=created_at,
    )


def write_episode_folder(
    show_dir: Path,
    episode_id: str,
    *,
    seconds: float = 45.0,
    starts: tuple[float, ...] = (0.0, 12.5, 24.0, 36.2),
    created_at: datetime | None = None,
    mp3: bool = True,
    tiers: tuple[Tier, ...] = (Tier.DRAFT,),
    show: Show | None = None,
) -> Path:
    """An episode folder as a render leaves it: shared files at its root, one folder per ``tiers``."""
    show = show or starter_show()
    folder = show_dir / episode_id
    folder.mkdir(parents=True)
    script = make_script(episode_id, created_at=created_at, titles=SEGMENT_TITLES[: len(starts)])
    (folder / "script.json").write_text(script.model_dump_json(indent=2), encoding="utf-8")
    (folder / "show.json").write_text(show.model_dump_json(indent=2), encoding="utf-8")
    (folder / "images").mkdir()
    (folder / "images" / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for tier in tiers:
        write_render(folder, tier, show, script, seconds=seconds, starts=starts, mp3=mp3)
    return folder


def write_render(
    folder: Path,
    tier: Tier,
    show: Show,
    script: Script,
    *,
    seconds: float = 45.0,
    starts: tuple[float, ...] = (0.0, 12.5, 24.0, 36.2),
    mp3: bool = True,
) -> Path:
    """A tier's render folder with a real MP3 (a tone of ``seconds``), chapters, a transcript, a manifest."""
    tier_dir = render_dir(folder, tier)
    tier_dir.mkdir(parents=True, exist_ok=True)
    ends = (*starts[1:], seconds)
    chapters = [
        Chapter(index=i, title=script.segments[i].title, start_s=start, end_s=end)
        for i, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]
    (tier_dir / "chapters.json").write_text(json.dumps(to_podcasting20_json(chapters)), encoding="utf-8")
    if mp3:
        rate = 22_050
        t = np.arange(round(seconds * rate)) / rate
        pitch = 220 if tier is Tier.DRAFT else 330
        encode_mp3((0.2 * np.sin(2 * np.pi * pitch * t)).astype(np.float32), rate, tier_dir / "episode.mp3")
    (tier_dir / "transcript.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Maya>Hello.\n", encoding="utf-8"
    )
    write_render_manifest(folder, tier, show, sha=script_sha(folder))
    return tier_dir
