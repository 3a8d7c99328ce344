"""The YouTube video: a real episode.mp4 decoded back with ffmpeg — streams, length, slide times."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from podwright.audio.ffmpeg import ffmpeg_binary
from podwright.audio.tags import mp3_duration_s
from podwright.audio.video import Slide, probe_media, render_slideshow, slide_frames, video_frames
from podwright.core import AudioError, Show, Tier
from podwright.pipeline.episode import produce_episode, render_episode
from podwright.pipeline.video import write_episode_video
from podwright.tts.cache import ChunkCache
from tests.pipeline.test_episode import tone_show
from tests.stages.shows import episode
from tests.support.scripted_llm import ScriptedLLM
from tests.support.tone_engine import ToneEngine

THUMB = (64, 36)


def _thumbnails(path: Path) -> np.ndarray:
    """Every frame of the video, decoded and shrunk to a 64×36 grey thumbnail."""
    scale = f"scale={THUMB[0]}:{THUMB[1]}"
    done = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-i", str(path), "-map", "0:v:0", "-vf", scale,
         "-pix_fmt", "gray", "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    return np.frombuffer(done.stdout, np.uint8).reshape(-1, THUMB[1], THUMB[0]).astype(np.float32)


def _changes(thumbs: np.ndarray, threshold: float = 20.0) -> list[int]:
    """Frames that look different from the one before (a new slide's text, not encoder noise: a
    keyframe's refresh moves a thumbnail pixel by 1–2 levels, a new title by 50 or more)."""
    diffs = np.abs(np.diff(thumbs, axis=0)).max(axis=(1, 2))
    return [int(index) + 1 for index in np.flatnonzero(diffs > threshold)]


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Show]:
    tmp = tmp_path_factory.mktemp("video")
    show = tone_show()
    show = show.model_copy(update={"youtube": show.youtube.model_copy(update={"video": True})})
    result = asyncio.run(
        produce_episode(
            show,
            episode(minutes=1.0),
            client=ScriptedLLM(show.host_ids, segments=len(show.template)),
            out_root=tmp / "out",
            engines={"tone": ToneEngine()},
            cache=ChunkCache(tmp / "chunks"),
        )
    )
    return result.folder, show


def test_a_render_with_video_writes_a_youtube_ready_mp4(produced: tuple[Path, Show]) -> None:
    folder, _ = produced
    tier_dir = folder / "draft"
    video = tier_dir / "episode.mp4"
    info = probe_media(video)
    assert (info.video_codec, info.video_profile, info.pixel_format) == ("h264", "High", "yuv420p")
    assert (info.width, info.height, info.fps) == (1920, 1080, 1.0)
    assert (info.audio_codec, info.audio_profile, info.audio_rate, info.audio_channels) == (
        "aac", "LC", 48000, "mono",
    )  # fmt: skip
    audio_s = mp3_duration_s(tier_dir / "episode.mp3")
    assert abs(info.duration_s - audio_s) < 1.1  # at most one frame of 1 s, plus AAC framing
    # The MP4's index comes first (+faststart): the moov box precedes the media data.
    head = video.read_bytes()[:4096]
    assert 0 <= head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head
    document = json.loads((tier_dir / "youtube.json").read_text(encoding="utf-8"))
    assert document["video"] == "episode.mp4"
    assert {caption["file"] for caption in document["captions"]} == {"transcript.srt", "transcript.vtt"}
    assert all(caption["language"] == "en" for caption in document["captions"])
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["render"]["video"]["fps"] == 1 and run["render"]["video"]["burned_captions"] is False


def test_slides_change_exactly_at_the_chapters_on_keyframes(produced: tuple[Path, Show]) -> None:
    folder, _ = produced
    tier_dir = folder / "draft"
    chapters = json.loads((tier_dir / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    assert len(chapters) >= 3 and all(chapter.get("img") for chapter in chapters)
    starts = [round(chapter["startTime"] * 1) for chapter in chapters]  # frame of each chapter at 1 fps
    frames = video_frames(tier_dir / "episode.mp4")
    keyframes = {round(frame.time_s) for frame in frames if frame.key}
    assert set(starts) <= keyframes
    # Every slide is a different picture, and the picture changes nowhere else.
    assert _changes(_thumbnails(tier_dir / "episode.mp4")) == [start for start in starts if start > 0]


def test_burned_captions_draw_the_transcript_on_the_slides(produced: tuple[Path, Show]) -> None:
    folder, show = produced
    burned = show.youtube.model_copy(update={"burn_captions": True})
    assert burned.frame_rate == 2  # captions follow speech more closely than slides need
    stereo = show.model_copy(update={"youtube": show.youtube.model_copy(update={"stereo": True})})
    made = write_episode_video(folder, Tier.DRAFT, stereo, burn_captions=True, fps=2)
    assert made.burned_captions and made.fps == 2
    thumbs = _thumbnails(made.path)
    chapters = json.loads((folder / "draft" / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    first_slide = thumbs[: round(chapters[1]["startTime"] * 2)]
    # The first cue starts with the episode; the slide's pixels vary while captions come and go.
    assert np.abs(first_slide - first_slide.mean(axis=0)).max() > 20
    info = probe_media(made.path)
    assert info.fps == 2.0 and (info.audio_channels, info.audio_rate) == ("stereo", 48000)


def test_a_render_without_video_removes_the_stale_one(produced: tuple[Path, Show], tmp_path: Path) -> None:
    folder, show = produced
    assert (folder / "draft" / "episode.mp4").is_file()
    plain = show.model_copy(update={"youtube": show.youtube.model_copy(update={"video": False})})
    render_episode(folder, plain, Tier.DRAFT, engines={"tone": ToneEngine()}, cache=ChunkCache(tmp_path))
    assert not (folder / "draft" / "episode.mp4").exists()
    document = json.loads((folder / "draft" / "youtube.json").read_text(encoding="utf-8"))
    assert document["video"] is None


def test_slide_frames_round_to_frames_and_drop_slides_shorter_than_one(tmp_path: Path) -> None:
    a, b, c = (
        Slide(tmp_path / f"{name}.png", start) for name, start in (("a", 0.4), ("b", 10.1), ("c", 10.2))
    )
    planned = slide_frames([a, b, c], 20.0, 2)
    assert [(slide.image.name, first, count) for slide, first, count in planned] == [
        ("a.png", 0, 20), ("c.png", 20, 20),
    ]  # fmt: skip


def test_burning_captions_without_libass_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "ffmpeg"
    fake.parent.mkdir()
    # An ffmpeg built without libass: it lists libx264 but no subtitles filter.
    fake.write_text(
        "#!/bin/sh\n"
        'case "$*" in *-filters*) echo " ... scale V->V Scale";; '
        '*-encoders*) echo " V....D libx264 libx264 H.264";; esac\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(AudioError) as caught:
        render_slideshow(
            [Slide(tmp_path / "a.png", 0.0)], tmp_path / "a.mp3", tmp_path / "out.mp4",
            duration_s=5.0, captions=tmp_path / "c.srt",
        )  # fmt: skip
    assert "no subtitles filter (no libass)" in caught.value.message
    assert "burn_captions = false" in (caught.value.hint or "")
    assert not (tmp_path / "out.mp4").exists()
