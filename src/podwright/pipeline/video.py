"""``<tier>/episode.mp4``: a rendered tier as a YouTube video, the segment images as chapter slides.

The slides come from the render's own ``chapters.json`` (start times of the real audio, each
chapter's image from ``images/``); a chapter without an image gets a title card of its title drawn
in the show's palette. The sound is the tier's mastered ``episode.mp3``; the captions are the
render's ``transcript.srt``/``.vtt``, uploaded beside the video and, when the show asks
(``[youtube] burn_captions``), burned into the picture. ``youtube.json`` then names the video.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from podwright.audio.tags import mp3_duration_s
from podwright.audio.video import Slide, render_slideshow
from podwright.core import EpisodeError, Show, Tier
from podwright.core.images import ImageRequest
from podwright.images.titlecard import draw_title_card
from podwright.pipeline.episode_folder import read_chapters, read_script
from podwright.pipeline.images import SEGMENT_SIZE
from podwright.pipeline.renders import render_dir

__all__ = ["VIDEO_FILE", "EpisodeVideo", "remove_stale_video", "write_episode_video"]

VIDEO_FILE = "episode.mp4"


@dataclass(frozen=True, slots=True)
class EpisodeVideo:
    """A written ``episode.mp4``: where, how long, how it was made and how fast."""

    path: Path
    duration_s: float
    slides: int
    fps: int
    burned_captions: bool
    seconds: float
    """Wall seconds the encode took."""

    @property
    def real_time(self) -> float:
        """Seconds of video made per second of wall time."""
        return self.duration_s / self.seconds if self.seconds > 0 else float("inf")


def _card(show: Show, title: str, segment: str | None, dest: Path) -> Path:
    width, height = SEGMENT_SIZE
    request = ImageRequest(
        target="slide",
        width=width,
        height=height,
        show_name=show.name,
        episode_title=title,
        segment_title=segment,
        palette=show.publishing.palette,
    )
    draw_title_card(request).save(dest, format="PNG", compress_level=1)
    return dest


def _slides(episode_dir: Path, tier_dir: Path, show: Show, work: Path) -> list[Slide]:
    """One slide per chapter: its image when it is a file of the episode, else a title card."""
    script = read_script(episode_dir)
    title = script.metadata.title if script.metadata else script.title
    slides: list[Slide] = []
    for number, chapter in enumerate(read_chapters(tier_dir), start=1):
        image = (tier_dir / chapter.image).resolve() if chapter.image and "://" not in chapter.image else None
        if image is None or not image.is_file():
            image = _card(show, title, chapter.title, work / f"chapter-{number}.png")
        slides.append(Slide(image=image, start_s=chapter.start_s))
    if not slides:
        thumbnails = sorted((episode_dir / "images").glob("thumbnail.*"))
        image = thumbnails[0] if thumbnails else _card(show, title, None, work / "title.png")
        slides.append(Slide(image=image, start_s=0.0))
    return slides


def write_episode_video(
    episode_dir: Path, tier: Tier, show: Show, *, burn_captions: bool | None = None, fps: int | None = None
) -> EpisodeVideo:
    """Write ``<tier>/episode.mp4`` from the tier's render; ``burn_captions`` and ``fps`` override the
    show's ``[youtube]`` settings."""
    tier_dir = render_dir(episode_dir, tier)
    audio = tier_dir / "episode.mp3"
    if not audio.is_file():
        raise EpisodeError(
            f"{episode_dir.name} has no {tier.value} render to make a video of",
            hint=f"render it first: `podwright render {episode_dir.name} --tier {tier.value}`",
        )
    settings = show.youtube
    burn = settings.burn_captions if burn_captions is None else burn_captions
    rate = fps or settings.model_copy(update={"burn_captions": burn}).frame_rate
    captions = tier_dir / "transcript.srt"
    if burn and not captions.is_file():
        raise EpisodeError(
            f"{tier_dir} has no transcript.srt to burn in",
            hint=f"re-render the tier (`podwright render {episode_dir.name} --tier {tier.value}`)",
        )
    started = time.perf_counter()
    duration_s = mp3_duration_s(audio)
    with tempfile.TemporaryDirectory(prefix=".slides-", dir=tier_dir) as work:
        slides = _slides(episode_dir, tier_dir, show, Path(work))
        path = tier_dir / VIDEO_FILE
        render_slideshow(
            slides,
            audio,
            path,
            duration_s=duration_s,
            fps=rate,
            captions=captions if burn else None,
            stereo=settings.stereo,
        )
    return EpisodeVideo(
        path=path,
        duration_s=duration_s,
        slides=len(slides),
        fps=rate,
        burned_captions=burn,
        seconds=time.perf_counter() - started,
    )


def remove_stale_video(episode_dir: Path, tier: Tier) -> bool:
    """Delete the tier's ``episode.mp4`` (made from audio a new render replaced); whether one was there."""
    path = render_dir(episode_dir, tier) / VIDEO_FILE
    existed = path.is_file()
    path.unlink(missing_ok=True)
    return existed
