"""ID3 tags for the episode MP3: title, show, author, episode number (when given), notes, cover, chapters.

Chapters are ID3v2 ``CHAP`` frames (one per chapter, element ids ``chp0``, ``chp1``...) listed by one
top-level, ordered ``CTOC`` table, the form podcast apps and ffmpeg's MP3 demuxer read. Tags are
saved as ID3v2.3, which Apple Podcasts and older players read as well as v2.4.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from podwright.core.errors import AudioError
from podwright.core.timeline import Chapter

__all__ = ["image_mime", "mp3_duration_s", "write_id3"]


def image_mime(image: Path) -> str:
    """``image/jpeg`` or ``image/png`` from the file's magic bytes; AudioError for anything else."""
    try:
        head = Path(image).read_bytes()[:8]
    except OSError as exc:
        raise AudioError(f"cannot read cover image {image}: {exc}", hint="check the cover path") from exc
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    raise AudioError(
        f"cover image {image} is neither JPEG nor PNG",
        hint="podcast apps only show JPEG or PNG covers; convert it",
    )


def write_id3(
    mp3: Path,
    *,
    title: str,
    show: str,
    episode_number: int | None,
    artist: str,
    description: str,
    chapters: Sequence[Chapter],
    cover: Path | None = None,
) -> None:
    """Write the episode's ID3 tags into ``mp3`` in place, replacing any tags it had.

    Tags are written in place: call it on the file before it is moved to its final name.
    """
    # mutagen's frame classes are untyped; reach them through one Any-typed module handle.
    id3 = cast(Any, importlib.import_module("mutagen.id3"))
    APIC, CHAP, COMM, CTOC, TIT2 = id3.APIC, id3.CHAP, id3.COMM, id3.CTOC, id3.TIT2
    TALB, TCON, TPE1, TRCK, WXXX = id3.TALB, id3.TCON, id3.TPE1, id3.TRCK, id3.WXXX
    CTOCFlags, PictureType = id3.CTOCFlags, id3.PictureType

    tags = id3.ID3()
    tags.add(TIT2(encoding=3, text=[title]))
    tags.add(TALB(encoding=3, text=[show]))
    tags.add(TPE1(encoding=3, text=[artist]))
    tags.add(TCON(encoding=3, text=["Podcast"]))
    if episode_number is not None:
        tags.add(TRCK(encoding=3, text=[str(episode_number)]))
    if description:
        tags.add(COMM(encoding=3, lang="eng", desc="", text=[description]))
    if cover is not None:
        tags.add(
            APIC(
                encoding=3,
                mime=image_mime(cover),
                type=PictureType.COVER_FRONT,
                desc="Cover",
                data=Path(cover).read_bytes(),
            )
        )
    element_ids = [f"chp{i}" for i in range(len(chapters))]
    for element_id, chapter in zip(element_ids, chapters, strict=True):
        sub_frames: list[Any] = [TIT2(encoding=3, text=[chapter.title])]
        if chapter.url:
            sub_frames.append(WXXX(encoding=3, desc="chapter url", url=chapter.url))
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=round(chapter.start_s * 1000),
                end_time=round(chapter.end_s * 1000),
                # 0xFFFFFFFF: byte offsets unused; players seek by time.
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=sub_frames,
            )
        )
    if chapters:
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=element_ids,
                sub_frames=[TIT2(encoding=3, text=["Chapters"])],
            )
        )
    try:
        tags.save(str(mp3), v2_version=3)
    except Exception as exc:  # mutagen raises its own MutagenError, OSError, or struct errors
        raise AudioError(
            f"could not write ID3 tags to {mp3}: {exc}", hint="check that the MP3 exists and is writable"
        ) from exc


def mp3_duration_s(mp3: Path) -> float:
    """Playing time of an MP3 in seconds, from its Xing/LAME header (as players show it)."""
    mp3_module = cast(Any, importlib.import_module("mutagen.mp3"))
    try:
        return float(mp3_module.MP3(str(mp3)).info.length)
    except Exception as exc:  # mutagen.MutagenError or OSError
        raise AudioError(
            f"cannot read MP3 {mp3}: {exc}", hint="check that the file is a complete MP3"
        ) from exc
