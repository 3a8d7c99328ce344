from __future__ import annotations

from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from PIL import Image

from podwright.audio.ffmpeg import encode_mp3
from podwright.audio.tags import mp3_duration_s, write_id3
from podwright.core.errors import AudioError
from podwright.core.timeline import Chapter
from tests.audio.episode_audio import ffmetadata, voiced

CHAPTERS = [
    Chapter(index=0, title="Welcome", start_s=0.0, end_s=2.5),
    Chapter(index=1, title="Mapping the bends", start_s=2.5, end_s=6.0, url="https://example.org/bends"),
    Chapter(index=2, title="Goodbye", start_s=6.0, end_s=8.0),
]


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    path = tmp_path / "episode.mp3"
    encode_mp3(voiced(8.0, 44_100), 44_100, path)
    return path


@pytest.fixture
def cover(tmp_path: Path) -> Path:
    path = tmp_path / "cover.png"
    Image.new("RGB", (64, 64), "#457b9d").save(path)
    return path


def test_tags_chapters_and_cover_read_back_with_mutagen(mp3: Path, cover: Path) -> None:
    write_id3(
        mp3,
        title="Following a river",
        show="Field Notes",
        episode_number=7,
        artist="podwright",
        description="Rivers, maps, and the people between.",
        chapters=CHAPTERS,
        cover=cover,
    )
    tags = ID3(mp3)
    assert tags.version[:2] == (2, 3)
    assert tags["TIT2"].text == ["Following a river"]
    assert tags["TALB"].text == ["Field Notes"]
    assert tags["TPE1"].text == ["podwright"]
    assert tags["TRCK"].text == ["7"]
    assert tags.getall("COMM")[0].text == ["Rivers, maps, and the people between."]
    picture = tags.getall("APIC")[0]
    assert picture.mime == "image/png" and picture.data == cover.read_bytes()

    chaps = sorted(tags.getall("CHAP"), key=lambda frame: frame.start_time)
    assert [frame.element_id for frame in chaps] == ["chp0", "chp1", "chp2"]
    assert [frame.sub_frames["TIT2"].text[0] for frame in chaps] == [c.title for c in CHAPTERS]
    assert [(frame.start_time, frame.end_time) for frame in chaps] == [(0, 2500), (2500, 6000), (6000, 8000)]
    assert chaps[1].sub_frames.getall("WXXX")[0].url == "https://example.org/bends"
    (toc,) = tags.getall("CTOC")
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    assert toc.flags & 0x03 == 0x03  # top-level and ordered
    assert MP3(mp3).info.length == pytest.approx(8.0, abs=0.05)
    assert mp3_duration_s(mp3) == pytest.approx(8.0, abs=0.05)


def test_ffmpeg_demuxer_reads_the_chapters(mp3: Path) -> None:
    write_id3(
        mp3,
        title="T",
        show="S",
        episode_number=None,
        artist="A",
        description="",
        chapters=CHAPTERS,
        cover=None,
    )
    metadata = ffmetadata(mp3)
    found = []
    for block in metadata.split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in block.strip().splitlines())
        numerator, denominator = (int(part) for part in fields["TIMEBASE"].split("/"))
        scale = numerator / denominator
        found.append((int(fields["START"]) * scale, int(fields["END"]) * scale, fields["title"]))
    found.sort()
    assert [title for _, _, title in found] == [chapter.title for chapter in CHAPTERS]
    for (start, end, _), chapter in zip(found, CHAPTERS, strict=True):
        # ffmpeg's demuxer shifts chapter times by the encoder delay it trims (~25 ms).
        assert start == pytest.approx(chapter.start_s, abs=0.05)
        assert end == pytest.approx(chapter.end_s, abs=0.05)
    assert "TRCK" not in metadata and "track=" not in metadata  # no episode number given


def test_a_cover_that_is_not_an_image_is_refused(mp3: Path, tmp_path: Path) -> None:
    fake = tmp_path / "cover.png"
    fake.write_text("<svg/>")
    with pytest.raises(AudioError, match="neither JPEG nor PNG") as raised:
        write_id3(
            mp3, title="T", show="S", episode_number=1, artist="A", description="", chapters=[], cover=fake
        )
    assert "convert" in raised.value.hint


def test_jpeg_covers_are_tagged_as_jpeg(mp3: Path, tmp_path: Path) -> None:
    cover = tmp_path / "cover.jpg"
    Image.new("RGB", (32, 32), "red").save(cover, format="JPEG")
    write_id3(
        mp3, title="T", show="S", episode_number=1, artist="A", description="", chapters=[], cover=cover
    )
    tags = ID3(mp3)
    assert tags.getall("APIC")[0].mime == "image/jpeg"
    assert not tags.getall("CTOC") and not tags.getall("CHAP")
