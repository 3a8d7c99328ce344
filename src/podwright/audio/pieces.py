"""An episode as pieces: laid out on MP3 frames, each piece mastered and encoded on its own, then joined.

A piece is a turn (or a run of turns whose gaps are too short to cut in) with the silence after it.
Its bytes depend only on its own clips and the episode's gain and ceiling, so a render after an
edit re-masters and re-encodes only the pieces whose clips changed; the rest are the stored MP3
frames of the render before, byte for byte. Loudness of the whole is re-gated from every piece's
stored block energies, so no unchanged sample is read again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from podwright.audio.ffmpeg import decode, encode_mp3_pieces
from podwright.audio.loudness import (
    MasteredStem,
    master_stem,
    measure_stem,
    measure_true_peak,
    stem_floor,
    weigh,
)
from podwright.audio.mp3frames import ENCODER_DELAY, FRAME_SAMPLES, JOIN_SILENCE, join_pieces, piece_feed
from podwright.audio.music import add_music
from podwright.audio.stems import StemStore, StoredStem
from podwright.audio.timeline import Layout, Piece, check_clips, clip_lengths, lay_out, mix_piece, plan_layout
from podwright.core.errors import AudioError

if TYPE_CHECKING:
    from podwright.core.episode import Script
    from podwright.core.show import AudioSettings
    from podwright.core.speech import AudioClip

__all__ = [
    "EpisodePieces",
    "encode_pieces",
    "join_episode",
    "master_piece",
    "piece_key",
    "plan_pieces",
]

FORMAT = 1
"""Bump when a piece's bytes would change for the same inputs (layout, mastering, encoding)."""
_FRAME_RATES = (32_000, 44_100, 48_000)
"""Rates whose MP3 frames hold 1152 samples (MPEG-1); others are encoded as one piece."""


@dataclass(frozen=True, slots=True)
class EpisodePieces:
    """The episode laid out in pieces: timing, what each piece feeds the encoder, and its content digest."""

    layout: Layout
    feeds: tuple[int, ...]
    """Samples of each piece given to the encoder (the rest of its span is dropped silence)."""
    digests: tuple[str, ...]
    """Hash of everything a piece's unmastered samples depend on."""
    mixer: Callable[[int], npt.NDArray[np.float32]]
    """Piece index → its unmastered samples (``feeds[index]`` of them)."""

    @property
    def starts(self) -> list[int]:
        """Where each piece starts in the episode, in samples."""
        return [piece.start for piece in self.layout.pieces]


def _clip_digest(clip: AudioClip) -> bytes:
    samples = np.ascontiguousarray(clip.samples, dtype=np.float32)
    return hashlib.sha256(samples.tobytes() + str(clip.sample_rate).encode()).digest()


def plan_pieces(
    script: Script, clips: Mapping[tuple[int, int], AudioClip], settings: AudioSettings
) -> EpisodePieces:
    """Lay the episode out in pieces; with a music bed (it runs under everything) it is one piece."""
    check_clips(script, clips)
    rate = settings.sample_rate
    if settings.music:
        mix = add_music(lay_out(script, clips, settings), Path(settings.music))
        whole = Piece(start=0, stop=mix.samples.size, turns=(), offsets=())
        layout = Layout(rate, mix.samples.size, mix.cues, mix.chapters, [whole])
        digest = hashlib.sha256(f"{FORMAT}:{rate}:music".encode() + mix.samples.tobytes()).hexdigest()
        return EpisodePieces(layout, (mix.samples.size,), (digest,), lambda _: mix.samples)
    frame = FRAME_SAMPLES if rate in _FRAME_RATES else None
    layout = plan_layout(script, clip_lengths(clips, rate), settings, frame=frame, join_silence=JOIN_SILENCE)
    turn_digests = {key: _clip_digest(clip) for key, clip in clips.items()}
    feeds: list[int] = []
    digests: list[str] = []
    last = len(layout.pieces) - 1
    for index, piece in enumerate(layout.pieces):
        feed = piece.length if index == last else piece_feed(piece.length // FRAME_SAMPLES)
        head = f"{FORMAT}:{rate}:{piece.length}:{feed}:{piece.offsets}".encode()
        digests.append(hashlib.sha256(head + b"".join(turn_digests[key] for key in piece.turns)).hexdigest())
        feeds.append(feed)

    def mixer(index: int) -> npt.NDArray[np.float32]:
        return mix_piece(layout.pieces[index], clips, rate, length=feeds[index])

    return EpisodePieces(layout, tuple(feeds), tuple(digests), mixer)


def piece_key(digest: str, *, gain_db: float, ceiling_db: float, fingerprint: str) -> str:
    """The stored name of a piece mastered at ``gain_db`` under ``ceiling_db`` with these settings."""
    text = f"{digest}:{gain_db!r}:{ceiling_db!r}:{fingerprint}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def master_piece(
    pieces: EpisodePieces, index: int, rate: int, *, gain_db: float, limit_db: float
) -> MasteredStem:
    """Piece ``index`` mixed, measured and mastered at ``gain_db`` under ``limit_db`` (dBTP)."""
    source, weighted = weigh(pieces.mixer(index), rate)
    floor = stem_floor(-gain_db, 0.0, limit_db)
    return master_stem(
        measure_stem(source, weighted, floor=floor), rate, gain_db=gain_db, ceiling_db=limit_db
    )


def encode_pieces(
    store: StemStore,
    work: Sequence[tuple[str, MasteredStem]],
    rate: int,
    *,
    bitrate_kbps: int,
    check_peaks: bool = False,
) -> dict[str, float]:
    """Encode and store ``work`` (key, mastered stem) in one ffmpeg run; their loudness figures too.

    With ``check_peaks`` each new MP3 is decoded and its true peak measured (the encoder adds a few
    tenths of a dB); the result maps key → that peak in dBTP.
    """
    # Identical pieces (the same clips in the same place) share one key and one file.
    work = list({key: stem for key, stem in work}.items())
    if not work:
        return {}
    paths = [store.mp3_path(key) for key, _ in work]
    encode_mp3_pieces([stem.samples for _, stem in work], rate, paths, bitrate_kbps=bitrate_kbps)
    peaks: dict[str, float] = {}
    for (key, stem), path in zip(work, paths, strict=True):
        store.piece(key, check=True)  # a piece that does not parse is never stored as usable
        store.put_stem(key, StoredStem(stem.cells, stem.true_peak_dbtp, stem.reduction_db))
        if check_peaks:
            peaks[key] = measure_true_peak(_decoded(path, rate))
    return peaks


def _decoded(path: Path, rate: int) -> npt.NDArray[np.float32]:
    """A piece's MP3 decoded in-process (libsndfile reads MP3 since 1.1), else by ffmpeg."""
    import soundfile

    try:
        samples, found = soundfile.read(str(path), dtype="float32", always_2d=False)
    except (RuntimeError, TypeError, ValueError):  # libsndfile without MP3 raises LibsndfileError
        found = 0
    if found != rate:
        samples, _ = decode(path, rate=rate)
    return np.asarray(samples, dtype=np.float32).reshape(-1)


def join_episode(store: StemStore, pieces: EpisodePieces, keys: Sequence[str]) -> bytes:
    """The episode MP3 (no tags yet) from the stored pieces ``keys``, in order."""
    encoded = [store.piece(key) for key in keys]
    for piece, mp3 in zip(pieces.layout.pieces[:-1], encoded, strict=False):
        if mp3.frames * FRAME_SAMPLES != piece.length:
            raise AudioError(
                f"the encoder made {mp3.frames} frames of a piece planned as {piece.length // FRAME_SAMPLES}",
                hint="this ffmpeg's LAME frames differently; use imageio-ffmpeg's and delete .stems",
            )
    padding = encoded[-1].frames * FRAME_SAMPLES - ENCODER_DELAY - pieces.feeds[-1]
    return join_pieces(encoded, total_padding=padding)
