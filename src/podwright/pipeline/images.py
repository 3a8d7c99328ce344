"""An episode's images: a cover, a YouTube thumbnail and one card per segment, made by the pool.

Sizes are what podcast apps and YouTube expect: a 3000×3000 cover (Apple's maximum, accepted
everywhere), a 1280×720 thumbnail and 1280×720 segment cards. Prompts come from the script's
``image_prompts`` (``cover`` and ``segment-<n>``, 1-based); card text from the script and show.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from podwright.core import Script, Show
from podwright.core.images import COVER, ImageEngine, ImageRequest, segment_target
from podwright.images.titlecard import TitleCardEngine
from podwright.pipeline.image_pool import ImageOutcome, ImageRetry, render_images

__all__ = [
    "COVER_SIZE",
    "SEGMENT_SIZE",
    "THUMBNAIL",
    "THUMBNAIL_SIZE",
    "EpisodeImages",
    "existing_images",
    "image_requests_for",
    "make_episode_images",
]

COVER_SIZE = (3000, 3000)
THUMBNAIL_SIZE = (1280, 720)
SEGMENT_SIZE = (1280, 720)
THUMBNAIL = "thumbnail"
"""The target name of the episode's YouTube thumbnail."""


@dataclass(frozen=True, slots=True)
class EpisodeImages:
    """Where an episode's images landed."""

    cover: Path
    thumbnail: Path
    segments: dict[int, Path]
    """Segment index (0-based, air order, like ``Chapter.index``) → its card."""
    outcomes: list[ImageOutcome]

    def chapter_images(self, relative_to: Path) -> dict[int, str]:
        """Segment index → card path relative to ``relative_to`` (a tier's folder: ``../images/...``)."""
        return {
            index: Path(os.path.relpath(path, relative_to)).as_posix()
            for index, path in self.segments.items()
        }

    @property
    def fell_back(self) -> int:
        """How many images are title cards standing in for a failed image."""
        return sum(outcome.fell_back for outcome in self.outcomes)


def image_requests_for(script: Script, show: Show | None) -> list[ImageRequest]:
    """The cover, the thumbnail, then one request per segment, in air order.

    Without ``show`` the card names the show from the script's slug, in the default palette.
    """
    prompts = {prompt.target: prompt.prompt for prompt in script.image_prompts}
    title = script.metadata.title if script.metadata else script.title
    cover_prompt = prompts.get(COVER, "")
    show_name = show.name if show else script.show_slug.replace("-", " ").replace("_", " ").title()
    common: dict[str, object] = {"show_name": show_name, "episode_title": title}
    if show is not None:
        common["palette"] = show.publishing.palette
    requests = [
        ImageRequest(target=COVER, prompt=cover_prompt, width=COVER_SIZE[0], height=COVER_SIZE[1], **common),
        ImageRequest(
            target=THUMBNAIL, prompt=cover_prompt, width=THUMBNAIL_SIZE[0], height=THUMBNAIL_SIZE[1], **common
        ),
    ]
    for number, segment in enumerate(script.segments, start=1):
        target = segment_target(number)
        requests.append(
            ImageRequest(
                target=target,
                prompt=prompts.get(target, cover_prompt),
                width=SEGMENT_SIZE[0],
                height=SEGMENT_SIZE[1],
                segment_title=segment.title,
                **common,
            )
        )
    return requests


def existing_images(script: Script, show: Show | None, episode_dir: Path) -> EpisodeImages | None:
    """The episode's images already in ``episode_dir/images`` when every one is there, else ``None``.

    A render keeps what ``podwright images`` made (perhaps with a paid engine) instead of redrawing.
    """
    found: dict[str, Path] = {}
    for request in image_requests_for(script, show):
        candidates = sorted((episode_dir / "images").glob(f"{request.target}.*"))
        paths = [path for path in candidates if path.suffix in (".png", ".jpg")]
        if not paths:
            return None
        found[request.target] = paths[0]
    segments = {index: found[segment_target(index + 1)] for index in range(len(script.segments))}
    return EpisodeImages(cover=found[COVER], thumbnail=found[THUMBNAIL], segments=segments, outcomes=[])


async def make_episode_images(
    script: Script,
    show: Show | None,
    episode_dir: Path,
    engine: ImageEngine,
    *,
    fallback: ImageEngine | None = None,
    workers: int = 4,
    timeout_s: float = 120.0,
    retry: ImageRetry | None = None,
) -> EpisodeImages:
    """Make every image of the episode into ``episode_dir/images``; failed ones become title cards."""
    if fallback is None:
        fallback = TitleCardEngine()
    outcomes = await render_images(
        image_requests_for(script, show),
        engine,
        out_dir=episode_dir / "images",
        fallback=fallback,
        workers=workers,
        timeout_s=timeout_s,
        retry=retry,
    )
    by_target = {outcome.target: outcome.path for outcome in outcomes}
    segments = {index: by_target[segment_target(index + 1)] for index in range(len(script.segments))}
    return EpisodeImages(
        cover=by_target[COVER], thumbnail=by_target[THUMBNAIL], segments=segments, outcomes=outcomes
    )
