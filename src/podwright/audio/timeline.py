"""The episode timeline: turns laid end to end with natural gaps, cues and chapters from real offsets.

Gaps come from the show's settings: a short one when the same host goes on, a longer one when the
speaker changes, the longest at a segment break. Every cue and chapter is timed from where its
clip actually landed, never from an estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from podwright.audio.resample import resample, resampled_length
from podwright.core.errors import AudioError
from podwright.core.timeline import Chapter, Cue

if TYPE_CHECKING:
    from podwright.core.episode import Script
    from podwright.core.show import AudioSettings
    from podwright.core.speech import AudioClip

__all__ = ["Layout", "Mixdown", "Piece", "check_clips", "clip_lengths", "lay_out", "mix_piece", "plan_layout"]


@dataclass(frozen=True, slots=True)
class Mixdown:
    """The episode's mono mix with its transcript cues and chapters, timed in seconds."""

    samples: npt.NDArray[np.float32]
    sample_rate: int
    cues: list[Cue]
    chapters: list[Chapter]

    @property
    def duration_s(self) -> float:
        """Length of the mix in seconds."""
        return len(self.samples) / self.sample_rate


def _clip_samples(clip: AudioClip, key: tuple[int, int], rate: int) -> npt.NDArray[np.float32]:
    samples = np.asarray(clip.samples)
    if samples.ndim != 1 or samples.size == 0 or not np.all(np.isfinite(samples)):
        raise AudioError(
            f"the clip for segment {key[0]}, turn {key[1]} is not mono, finite, non-empty audio",
            hint="re-synthesize that turn; the engine returned unusable samples",
        )
    return resample(samples, clip.sample_rate, rate)


def _gap_before(settings: AudioSettings, previous_host: str | None, host: str, new_segment: bool) -> float:
    if previous_host is None:
        return 0.0
    if new_segment:
        return settings.gap_segment_s
    return settings.gap_same_speaker_s if host == previous_host else settings.gap_speaker_change_s


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the episode that is mastered and encoded on its own: whole turns and the silence after.

    Pieces tile the episode: each starts where the previous one stops. ``turns`` are the
    (segment, turn) keys whose audio it holds, ``offsets`` where each starts inside the piece.
    """

    start: int
    stop: int
    turns: tuple[tuple[int, int], ...]
    offsets: tuple[int, ...]

    @property
    def length(self) -> int:
        """Samples the piece spans."""
        return self.stop - self.start


@dataclass(frozen=True, slots=True)
class Layout:
    """Where every turn goes, computed from clip lengths alone: cues, chapters and the pieces."""

    sample_rate: int
    length: int
    cues: list[Cue]
    chapters: list[Chapter]
    pieces: list[Piece]


def plan_layout(
    script: Script,
    lengths: Mapping[tuple[int, int], int],
    settings: AudioSettings,
    *,
    frame: int | None = None,
    join_silence: int = 0,
) -> Layout:
    """Place every turn (``lengths`` are its samples at ``settings.sample_rate``) with natural gaps.

    Without ``frame`` the whole episode is one piece. With it, a turn whose gap is at least
    ``join_silence`` + ``frame`` samples starts a new piece: the piece starts on a multiple of
    ``frame`` (an MP3 frame, so pieces encoded apart join without shifting anything) and the turn one
    ``frame`` later; that gap grows by less than one frame (26 ms at 44.1 kHz) over the natural one.
    """
    rate = settings.sample_rate
    cues: list[Cue] = []
    segment_starts: list[int] = []
    pieces: list[tuple[int, list[tuple[int, int]], list[int]]] = [(0, [], [])]
    cursor = 0
    previous_host: str | None = None
    for s, segment in enumerate(script.segments):
        for t, turn in enumerate(segment.turns):
            gap = round(_gap_before(settings, previous_host, turn.host, t == 0) * rate)
            start = cursor + gap
            if frame and previous_host is not None and gap >= join_silence + frame:
                piece_start = -(-(start - frame) // frame) * frame
                start = piece_start + frame
                pieces.append((piece_start, [], []))
            if t == 0:
                segment_starts.append(0 if s == 0 else start)
            pieces[-1][1].append((s, t))
            pieces[-1][2].append(start - pieces[-1][0])
            cues.append(
                Cue(
                    start_s=start / rate,
                    end_s=(start + lengths[(s, t)]) / rate,
                    host=turn.host,
                    speaker=script.hosts[turn.host],
                    text=turn.text,
                    segment_index=s,
                )
            )
            cursor = start + lengths[(s, t)]
            previous_host = turn.host
    bounds = [*segment_starts, cursor]
    chapters = [
        Chapter(index=s, title=segment.title, start_s=bounds[s] / rate, end_s=bounds[s + 1] / rate)
        for s, segment in enumerate(script.segments)
    ]
    stops = [start for start, _, _ in pieces[1:]] + [cursor]
    placed = [
        Piece(start=start, stop=stop, turns=tuple(turns), offsets=tuple(offsets))
        for (start, turns, offsets), stop in zip(pieces, stops, strict=True)
    ]
    return Layout(sample_rate=rate, length=cursor, cues=cues, chapters=chapters, pieces=placed)


def check_clips(script: Script, clips: Mapping[tuple[int, int], AudioClip]) -> None:
    """Raise a clear error when any turn of ``script`` has no clip."""
    missing = [
        (s, t)
        for s, segment in enumerate(script.segments)
        for t in range(len(segment.turns))
        if (s, t) not in clips
    ]
    if missing:
        shown = ", ".join(f"{s}/{t}" for s, t in missing[:5])
        raise AudioError(
            f"{len(missing)} turn(s) have no audio clip (segment/turn: {shown})",
            hint="voice the whole script before packaging; resume the render to fill the missing turns",
        )


def clip_lengths(clips: Mapping[tuple[int, int], AudioClip], rate: int) -> dict[tuple[int, int], int]:
    """Each clip's length in samples once resampled to ``rate`` (nothing is resampled)."""
    return {
        key: resampled_length(np.asarray(clip.samples).size, clip.sample_rate, rate)
        for key, clip in clips.items()
    }


def mix_piece(
    piece: Piece, clips: Mapping[tuple[int, int], AudioClip], rate: int, *, length: int | None = None
) -> npt.NDArray[np.float32]:
    """The mixed samples of ``piece`` (its first ``length`` samples, all of them by default)."""
    mix = np.zeros(piece.length if length is None else length, dtype=np.float32)
    for key, offset in zip(piece.turns, piece.offsets, strict=True):
        audio = _clip_samples(clips[key], key, rate)
        end = min(mix.size, offset + audio.size)
        if end > offset:
            mix[offset:end] += audio[: end - offset]
    return mix


def lay_out(script: Script, clips: Mapping[tuple[int, int], AudioClip], settings: AudioSettings) -> Mixdown:
    """Place every turn's clip, in air order, at ``settings.sample_rate`` with natural gaps.

    ``clips`` maps (segment index, turn index) to that turn's clip, at any engine rate. Chapters
    are contiguous: each starts where its segment's first turn starts (the first at 0) and ends
    where the next begins, the last at the end of the mix.
    """
    check_clips(script, clips)
    rate = settings.sample_rate
    layout = plan_layout(script, clip_lengths(clips, rate), settings)
    (whole,) = layout.pieces
    return Mixdown(
        samples=mix_piece(whole, clips, rate), sample_rate=rate, cues=layout.cues, chapters=layout.chapters
    )
