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

from podwright.audio.resample import resample
from podwright.core.errors import AudioError
from podwright.core.timeline import Chapter, Cue

if TYPE_CHECKING:
    from podwright.core.episode import Script
    from podwright.core.show import AudioSettings
    from podwright.core.speech import AudioClip

__all__ = ["Mixdown", "lay_out"]


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


def lay_out(script: Script, clips: Mapping[tuple[int, int], AudioClip], settings: AudioSettings) -> Mixdown:
    """Place every turn's clip, in air order, at ``settings.sample_rate`` with natural gaps.

    ``clips`` maps (segment index, turn index) to that turn's clip, at any engine rate. Chapters
    are contiguous: each starts where its segment's first turn starts (the first at 0) and ends
    where the next begins, the last at the end of the mix.
    """
    rate = settings.sample_rate
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
    placed: list[tuple[int, npt.NDArray[np.float32]]] = []
    cues: list[Cue] = []
    segment_starts: list[int] = []
    cursor = 0
    previous_host: str | None = None
    for s, segment in enumerate(script.segments):
        for t, turn in enumerate(segment.turns):
            cursor += round(_gap_before(settings, previous_host, turn.host, t == 0) * rate)
            audio = _clip_samples(clips[(s, t)], (s, t), rate)
            if t == 0:
                segment_starts.append(0 if s == 0 else cursor)
            placed.append((cursor, audio))
            cues.append(
                Cue(
                    start_s=cursor / rate,
                    end_s=(cursor + audio.size) / rate,
                    host=turn.host,
                    speaker=script.hosts[turn.host],
                    text=turn.text,
                    segment_index=s,
                )
            )
            cursor += audio.size
            previous_host = turn.host
    mix = np.zeros(cursor, dtype=np.float32)
    for offset, audio in placed:
        mix[offset : offset + audio.size] += audio
    bounds = [*segment_starts, cursor]
    chapters = [
        Chapter(index=s, title=segment.title, start_s=bounds[s] / rate, end_s=bounds[s + 1] / rate)
        for s, segment in enumerate(script.segments)
    ]
    return Mixdown(samples=mix, sample_rate=rate, cues=cues, chapters=chapters)
