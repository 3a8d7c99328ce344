"""A music bed: the show's music under the whole episode, alone at the ends, ducked under speech.

Ducking is sidechain-style: speech activity (10 ms frames above a floor relative to the speech's
own level, held across pauses between words) sets a target gain, and a raised-cosine ramp smooths
it. The activity is widened by the ramp's length before smoothing, so the music is already fully
down when a word starts and only rises once the pause is long enough (look-ahead, no pumping).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from podwright.audio.ffmpeg import decode
from podwright.audio.timeline import Mixdown
from podwright.core.errors import AudioError

__all__ = ["add_music", "duck_envelope"]

_FRAME_S = 0.01


def duck_envelope(
    speech: npt.NDArray[np.floating],
    rate: int,
    *,
    duck_db: float = -18.0,
    ramp_s: float = 0.3,
    hold_s: float = 0.6,
    floor_db: float = -35.0,
) -> npt.NDArray[np.float32]:
    """Per-sample music gain: 1 where there is no speech, ``duck_db`` under speech, smooth ramps between."""
    frame = max(1, round(_FRAME_S * rate))
    count = -(-speech.size // frame)
    padded = np.zeros(count * frame, dtype=np.float64)
    padded[: speech.size] = speech
    rms = np.sqrt(np.mean(padded.reshape(count, frame) ** 2, axis=1))
    loudest = float(rms.max()) if rms.size else 0.0
    if loudest <= 0:
        return np.ones(speech.size, dtype=np.float32)
    active = rms > loudest * 10.0 ** (floor_db / 20.0)
    ramp = max(1, round(ramp_s / _FRAME_S))
    hold = max(0, round(hold_s / _FRAME_S))
    # Widen each active stretch by the ramp (before and after) and the hold (after) so the smoothed
    # gain is fully ducked for every active frame.
    widened = np.convolve(active.astype(np.float64), np.ones(2 * ramp + hold + 1), mode="full")
    widened = widened[ramp : ramp + count] > 0
    target_db = np.where(widened, duck_db, 0.0)
    window = np.hanning(ramp + 2)[1:-1]
    edge = len(window) // 2
    smooth_db = np.convolve(np.pad(target_db, edge, mode="edge"), window / window.sum(), mode="same")
    smooth_db = smooth_db[edge : edge + count]
    centres = (np.arange(count) + 0.5) * frame
    gain_db = np.interp(np.arange(speech.size), centres, smooth_db)
    return np.asarray(10.0 ** (gain_db / 20.0), dtype=np.float32)


def _speech_rms(speech: npt.NDArray[np.floating]) -> float:
    loud = np.abs(speech) > 1e-4
    return float(np.sqrt(np.mean(np.square(speech[loud], dtype=np.float64)))) if loud.any() else 0.0


def add_music(
    mix: Mixdown,
    music_path: Path,
    *,
    duck_db: float = -18.0,
    intro_s: float = 4.0,
    outro_s: float = 4.0,
    music_db: float = -6.0,
    fade_s: float = 1.5,
) -> Mixdown:
    """``mix`` with a music bed: ``intro_s`` of music before the first word, ``outro_s`` after the last.

    The music (decoded with ffmpeg, looped if shorter than the episode) plays at ``music_db``
    relative to the speech's RMS where nobody speaks and ``duck_db`` lower under speech; it fades in
    and out over ``fade_s``. Cues and chapters move by ``intro_s``; the first chapter still starts at 0.
    """
    if duck_db > 0 or intro_s < 0 or outro_s < 0:
        raise AudioError(
            f"invalid music bed settings (duck_db={duck_db}, intro_s={intro_s}, outro_s={outro_s})",
            hint="duck_db must be ≤ 0 dB and the intro/outro lengths ≥ 0 s",
        )
    rate = mix.sample_rate
    music, _ = decode(Path(music_path), rate=rate)
    if music.size == 0 or not np.any(music):
        raise AudioError(f"the music file {music_path} is silent or empty", hint="choose another music file")
    lead, tail = round(intro_s * rate), round(outro_s * rate)
    speech = np.concatenate([np.zeros(lead, np.float32), mix.samples, np.zeros(tail, np.float32)])
    bed = np.resize(music, speech.size).astype(np.float64)
    music_rms = float(np.sqrt(np.mean(np.square(music, dtype=np.float64))))
    level = _speech_rms(mix.samples) * 10.0 ** (music_db / 20.0) / max(music_rms, 1e-9)
    bed *= level * duck_envelope(speech, rate, duck_db=duck_db)
    fade = min(round(fade_s * rate), speech.size // 2)
    if fade:
        bed[:fade] *= np.linspace(0.0, 1.0, fade)
        bed[-fade:] *= np.linspace(1.0, 0.0, fade)
    shift = lead / rate
    cues = [
        cue.model_copy(update={"start_s": cue.start_s + shift, "end_s": cue.end_s + shift})
        for cue in mix.cues
    ]
    chapters = [
        chapter.model_copy(
            update={
                "start_s": 0.0 if chapter.index == 0 else chapter.start_s + shift,
                "end_s": chapter.end_s + shift + (outro_s if chapter is mix.chapters[-1] else 0.0),
            }
        )
        for chapter in mix.chapters
    ]
    return Mixdown(samples=(speech + bed).astype(np.float32), sample_rate=rate, cues=cues, chapters=chapters)
