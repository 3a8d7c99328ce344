"""MP3 frames: join separately encoded pieces into one gapless MP3 without re-encoding anything.

LAME (through ffmpeg) starts every stream with an empty bit reservoir, so the frames of two encodes
concatenate into a valid stream. What a join must get right is time: a decoder skips the encoder
delay (576 + 529 samples) once, at the start of the file, and trims the padding once, at its end.
So a piece of ``F`` frames occupies exactly ``F × 1152`` samples of the joined timeline when it is
fed ``F × 1152 − 1153`` samples (``piece_feed``): the encoder then adds its minimum padding (577),
and the dropped 1153 samples, together with the next piece's start-up, fall in silence that the
timeline guarantees between turns (``JOIN_SILENCE``). The first piece's Xing/LAME "Info" frame is
kept and patched for the whole file: frame and byte counts, seek table, end padding, and the two
CRC-16s of the LAME tag (the music CRC is combined from the pieces' own, so no byte is re-read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from podwright.core.errors import AudioError

__all__ = [
    "ENCODER_DELAY",
    "FRAME_SAMPLES",
    "JOIN_SILENCE",
    "Mp3Piece",
    "crc16",
    "crc16_combine",
    "join_pieces",
    "parse_piece",
    "piece_feed",
    "read_piece",
]

FRAME_SAMPLES = 1152
"""Samples per MPEG-1 Layer III frame (32, 44.1 and 48 kHz)."""
ENCODER_DELAY = 576
"""Start padding LAME writes in the Info frame (decoders add their own 529)."""
_MIN_PADDING = ENCODER_DELAY + 1
"""End padding LAME adds to the last input sample (measured: 577 to 1728)."""
_DROPPED = ENCODER_DELAY + _MIN_PADDING
"""Samples of a piece's span that are not fed to the encoder (they fall in silence)."""
JOIN_SILENCE = _DROPPED + ENCODER_DELAY
"""Silence a join needs before the next piece's start: the dropped samples plus a granule of reach."""

_ID3_HEADER = 10
_TOC_FLAG, _FRAMES_FLAG, _BYTES_FLAG, _QUALITY_FLAG = 0x4, 0x1, 0x2, 0x8
_LAME_TAG = 36
_TAG_CRC_SPAN = 190


def piece_feed(frames: int) -> int:
    """Samples to feed the encoder so that a piece decodes to exactly ``frames × 1152`` samples."""
    return frames * FRAME_SAMPLES - _DROPPED


@dataclass(frozen=True, slots=True)
class Mp3Piece:
    """One encoded piece: its Info frame, its audio frames, and what the Info frame says of them."""

    info_frame: bytes
    audio: bytes
    frames: int
    """Audio frames (the Info frame excluded)."""
    music_crc: int
    """CRC-16 of ``audio`` as the encoder wrote it in the LAME tag."""
    tag_offset: int
    """Where the LAME tag starts inside ``info_frame``."""
    toc_offset: int | None
    """Where the 100-byte seek table starts inside ``info_frame`` (``None`` without one)."""
    frames_offset: int
    bytes_offset: int


def _bad(path: object, why: str) -> AudioError:
    return AudioError(
        f"the encoded piece {path} is not an MP3 this joiner understands ({why})",
        hint="delete the episode's .stems folder; the next render re-encodes every piece",
    )


def _frame_length(header: int, where: object) -> int:
    version, layer = (header >> 19) & 3, (header >> 17) & 3
    bitrate_index, rate_index, padding = (header >> 12) & 15, (header >> 10) & 3, (header >> 9) & 1
    if header >> 21 != 0x7FF or version != 3 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        raise _bad(where, "no MPEG-1 Layer III frame header")
    kbps = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)[bitrate_index]
    rate = (44_100, 48_000, 32_000)[rate_index]
    return 144 * kbps * 1000 // rate + padding


def parse_piece(data: bytes, where: object = "<bytes>", *, check: bool = True) -> Mp3Piece:
    """Split ffmpeg's MP3 output into its Info frame and audio frames.

    ``check`` walks every frame header to confirm the Info frame's count (done once, when the piece
    is encoded; a stored piece is trusted).
    """
    start = 0
    if data[:3] == b"ID3" and len(data) >= _ID3_HEADER:
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        start = _ID3_HEADER + size
    if len(data) < start + 4:
        raise _bad(where, "too short")
    header = int.from_bytes(data[start : start + 4], "big")
    length = _frame_length(header, where)
    info = data[start : start + length]
    side_info = 17 if (header >> 6) & 3 == 3 else 32
    tag = 4 + side_info
    if info[tag : tag + 4] not in (b"Info", b"Xing"):
        raise _bad(where, "no Info frame")
    flags = int.from_bytes(info[tag + 4 : tag + 8], "big")
    if flags & (_FRAMES_FLAG | _BYTES_FLAG) != _FRAMES_FLAG | _BYTES_FLAG:
        raise _bad(where, "the Info frame lacks frame and byte counts")
    frames_offset, bytes_offset = tag + 8, tag + 12
    cursor = tag + 16
    toc_offset = None
    if flags & _TOC_FLAG:
        toc_offset, cursor = cursor, cursor + 100
    if flags & _QUALITY_FLAG:
        cursor += 4
    if len(info) < cursor + _LAME_TAG or cursor + 34 > _TAG_CRC_SPAN:
        raise _bad(where, "no LAME tag")
    audio = data[start + length :]
    frames = int.from_bytes(info[frames_offset : frames_offset + 4], "big")
    counted, position = (frames, len(audio)) if not check else (0, 0)
    while check and position + 4 <= len(audio):
        position += _frame_length(int.from_bytes(audio[position : position + 4], "big"), where)
        counted += 1
    if counted != frames or position != len(audio):
        raise _bad(where, f"the Info frame counts {frames} frames, the file holds {counted}")
    music_crc = int.from_bytes(info[cursor + 32 : cursor + 34], "big")
    return Mp3Piece(
        info_frame=info,
        audio=audio,
        frames=frames,
        music_crc=music_crc,
        tag_offset=cursor,
        toc_offset=toc_offset,
        frames_offset=frames_offset,
        bytes_offset=bytes_offset,
    )


def read_piece(path: Path, *, check: bool = True) -> Mp3Piece:
    """Read one encoded piece from disk (see :func:`parse_piece` for ``check``)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _bad(path, exc.strerror or str(exc)) from exc
    return parse_piece(data, path, check=check)


# -- CRC-16/ARC (the LAME tag's): reflected polynomial 0x8005, no init, no final xor -------------------


def _table() -> tuple[int, ...]:
    entries = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        entries.append(crc)
    return tuple(entries)


_CRC_TABLE = _table()


def crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC of ``data`` (continuing from ``crc``); pure Python, for short spans."""
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def _apply(columns: Sequence[int], value: int) -> int:
    out = 0
    for bit, column in enumerate(columns):
        if value >> bit & 1:
            out ^= column
    return out


@lru_cache(maxsize=64)
def _zeros_power(power: int) -> tuple[int, ...]:
    """The linear map "feed 2**power zero bytes" on the 16-bit register, as its 16 column images."""
    if power == 0:
        return tuple(crc16(b"\0", 1 << bit) for bit in range(16))
    half = _zeros_power(power - 1)
    return tuple(_apply(half, column) for column in half)


def crc16_combine(first: int, second: int, second_length: int) -> int:
    """CRC of ``A + B`` from ``crc(A)``, ``crc(B)`` and ``len(B)`` (the CRC is linear: no init, no xor)."""
    power = 0
    while second_length:
        if second_length & 1:
            first = _apply(_zeros_power(power), first)
        second_length >>= 1
        power += 1
    return first ^ second


def join_pieces(pieces: Sequence[Mp3Piece], *, total_padding: int) -> bytes:
    """One MP3 from ``pieces`` in order: the first Info frame, patched, then every piece's frames.

    ``total_padding`` is the end padding of the last piece (what the decoder trims at the end).
    """
    if not pieces:
        raise AudioError("there are no encoded pieces to join", hint="render the episode again")
    if not 0 <= total_padding < 1 << 12:
        raise AudioError(f"end padding {total_padding} does not fit the LAME tag", hint="render again")
    first = pieces[0]
    info = bytearray(first.info_frame)
    frames = sum(piece.frames for piece in pieces)
    size = len(info) + sum(len(piece.audio) for piece in pieces)
    info[first.frames_offset : first.frames_offset + 4] = frames.to_bytes(4, "big")
    info[first.bytes_offset : first.bytes_offset + 4] = size.to_bytes(4, "big")
    if first.toc_offset is not None:
        info[first.toc_offset : first.toc_offset + 100] = _seek_table(pieces, len(info), size)
    tag = first.tag_offset
    delay_padding = int.from_bytes(info[tag + 21 : tag + 24], "big")
    info[tag + 21 : tag + 24] = ((delay_padding >> 12) << 12 | total_padding).to_bytes(3, "big")
    info[tag + 28 : tag + 32] = size.to_bytes(4, "big")
    music = pieces[0].music_crc
    for piece in pieces[1:]:
        music = crc16_combine(music, piece.music_crc, len(piece.audio))
    info[tag + 32 : tag + 34] = music.to_bytes(2, "big")
    info[tag + 34 : tag + 36] = b"\0\0"
    info[tag + 34 : tag + 36] = crc16(bytes(info[:_TAG_CRC_SPAN])).to_bytes(2, "big")
    return b"".join([bytes(info), *(piece.audio for piece in pieces)])


def _seek_table(pieces: Sequence[Mp3Piece], info_size: int, size: int) -> bytes:
    """Xing TOC: for each percent of the frames, the byte position as a 1/256 fraction of the file."""
    total = sum(piece.frames for piece in pieces)
    marks: list[tuple[int, int]] = [(0, info_size)]
    frames, offset = 0, info_size
    for piece in pieces:
        frames, offset = frames + piece.frames, offset + len(piece.audio)
        marks.append((frames, offset))
    table = bytearray()
    index = 0
    for percent in range(100):
        target = total * percent / 100
        while index + 1 < len(marks) - 1 and marks[index + 1][0] <= target:
            index += 1
        (f0, b0), (f1, b1) = marks[index], marks[index + 1]
        position = b0 + (b1 - b0) * (target - f0) / max(1, f1 - f0)
        table.append(min(255, int(256 * position / size)))
    return bytes(table)
