from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from mutagen.mp3 import MP3

from podwright.audio.ffmpeg import decode, encode_mp3_pieces
from podwright.audio.mp3frames import (
    ENCODER_DELAY,
    FRAME_SAMPLES,
    JOIN_SILENCE,
    crc16,
    crc16_combine,
    join_pieces,
    parse_piece,
    piece_feed,
    read_piece,
)
from podwright.core.errors import AudioError
from tests.audio.episode_audio import voiced

RATE = 44_100


def test_crc16_is_the_lame_tags_crc_and_combines() -> None:
    assert crc16(b"123456789") == 0xBB3D  # CRC-16/ARC check value
    first, second = os.urandom(1000), os.urandom(777)
    assert crc16_combine(crc16(first), crc16(second), len(second)) == crc16(first + second)
    assert crc16_combine(crc16(first), crc16(b""), 0) == crc16(first)


@pytest.mark.parametrize("frames", [3, 40])
def test_a_piece_fed_its_planned_samples_encodes_to_exactly_its_frames(tmp_path: Path, frames: int) -> None:
    samples = voiced(piece_feed(frames) / RATE, RATE, level=0.4)
    samples = np.pad(samples, (0, piece_feed(frames) - samples.size))
    encode_mp3_pieces([samples], RATE, [tmp_path / "p.mp3"])
    assert read_piece(tmp_path / "p.mp3").frames == frames


def test_joined_pieces_decode_gapless_at_their_planned_places(tmp_path: Path) -> None:
    """Two turns, each on its own piece, land in the joined MP3 exactly where the timeline put them."""
    lead = FRAME_SAMPLES
    first = voiced(1.5, RATE, pitch=130, level=0.5, seed=1)
    second = voiced(1.2, RATE, pitch=220, level=0.5, seed=2)
    cut = -(-(first.size + JOIN_SILENCE) // FRAME_SAMPLES) * FRAME_SAMPLES
    timeline = np.zeros(cut + lead + second.size, np.float32)
    timeline[: first.size] = first
    timeline[cut + lead :] = second
    feeds = [timeline[: piece_feed(cut // FRAME_SAMPLES)], timeline[cut:]]
    paths = [tmp_path / "a.mp3", tmp_path / "b.mp3"]
    encode_mp3_pieces(feeds, RATE, paths)
    pieces = [read_piece(path) for path in paths]
    padding = pieces[1].frames * FRAME_SAMPLES - ENCODER_DELAY - feeds[1].size
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(join_pieces(pieces, total_padding=padding))

    decoded, _ = decode(joined)
    assert decoded.size == timeline.size  # start delay and end padding trimmed once
    for start, stop in [(0, first.size), (cut + lead, timeline.size)]:
        part, original = decoded[start:stop], timeline[start:stop]
        lags = np.correlate(part[2000:8000], original[2064:7936], mode="valid")
        assert abs(int(np.argmax(lags)) - 64) <= 1  # no shift (a frame or the encoder delay would show)
        assert 10 * np.log10(np.sum((part - original) ** 2) / np.sum(original**2)) < -15
    # The join sits in silence and stays silent.
    assert np.max(np.abs(decoded[first.size + 600 : cut + lead - 600])) < 2e-3

    whole = parse_piece(joined.read_bytes())
    assert whole.frames == sum(piece.frames for piece in pieces)
    assert whole.music_crc == crc16(whole.audio)
    info = bytearray(whole.info_frame)
    stored = info[whole.tag_offset + 34 : whole.tag_offset + 36]
    info[whole.tag_offset + 34 : whole.tag_offset + 36] = b"\0\0"
    assert int.from_bytes(stored, "big") == crc16(bytes(info[:190]))
    assert MP3(str(joined)).info.length == pytest.approx(timeline.size / RATE, abs=0.06)


def test_a_file_that_is_not_an_encoded_piece_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.mp3"
    bogus.write_bytes(b"\xff\xfb\x90\x00" + bytes(600))
    with pytest.raises(AudioError, match="not an MP3 this joiner understands") as raised:
        read_piece(bogus)
    assert ".stems" in raised.value.hint
    with pytest.raises(AudioError, match="no encoded pieces"):
        join_pieces([], total_padding=0)
