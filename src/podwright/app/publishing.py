"""The show folder a feed is written into, and the show's own artwork in it."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from podwright.core import ConfigError, Show
from podwright.core.lifecycle import EpisodeRecord

__all__ = ["show_folder", "write_show_cover"]


def show_folder(show: Show, records: Sequence[EpisodeRecord], out_root: Path) -> Path:
    """Where the show's episode folders are (the newest episode's parent), else ``<out>/<show slug>``."""
    folder = Path(records[0].folder).parent if records else out_root / show.slug
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_show_cover(show: Show, show_dir: Path) -> Path:
    """Put the show's artwork at ``<show_dir>/cover.png|jpg``: its ``[publishing] cover``, or a title card.

    A title card is drawn once (the show's name on its palette); a producer's own file always wins.
    """
    from podwright.core.images import ImageRequest
    from podwright.images.titlecard import draw_title_card

    own = show.publishing.cover
    if own:
        source = Path(own)
        if not source.is_file() or source.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            raise ConfigError(
                f"[publishing] cover {own!r} is not a PNG or JPEG file",
                hint="point cover at a square PNG or JPEG (1400–3000 px), relative to the show file",
            )
        target = show_dir / ("cover.png" if source.suffix.lower() == ".png" else "cover.jpg")
        if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
            shutil.copyfile(source, target)
        return target
    target = show_dir / "cover.png"
    if not target.is_file():
        request = ImageRequest(
            target="cover",
            width=3000,
            height=3000,
            show_name=show.name,
            episode_title=show.publishing.description or show.name,
            palette=show.publishing.palette,
        )
        partial = target.with_name(".cover.png.partial")
        draw_title_card(request).save(partial, format="PNG")
        partial.replace(target)
    return target
