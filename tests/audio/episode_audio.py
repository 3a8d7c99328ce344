"""Real-ish episode audio for the audio and packaging tests: scripts, shows and speech clips.

``voiced`` is a synthetic voice (a gliding harmonic stack with syllable-rate amplitude), fast and
deterministic; ``hibari_clips`` is real speech from the embedded hibari engine (24 kHz). Mixed
rates (24000 and 22050 Hz) reach the timeline like they do from hibari and piper.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from podwright.audio.ffmpeg import ffmpeg_binary
from podwright.core.episode import EpisodeMetadata, Script, Segment, Turn
from podwright.core.show import AudioSettings, Host, SegmentSpec, Show, Tier, VoiceRef
from podwright.core.speech import AudioClip

HOSTS = {"maya": "Maya", "joe": "Joe"}
RATES = {"maya": 24_000, "joe": 22_050}

DIALOGUE: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Welcome",
        (("maya", "Welcome to Field Notes. Today we follow a river."), ("joe", "And the people who map it.")),
    ),
    (
        "Mapping the bends",
        (
            ("maya", "Rivers move. A bend that was here ten years ago may be a lake today."),
            ("maya", "That is why surveyors come back, season after season."),
            ("joe", "So every map is a snapshot."),
        ),
    ),
    ("Goodbye", (("joe", "That's all for today."), ("maya", "Thanks for listening, see you next week."))),
)


def script(dialogue: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = DIALOGUE) -> Script:
    """A three-segment script (intro, one body segment, conclusion) by Maya and Joe."""
    segments = tuple(
        Segment(
            kind="intro" if i == 0 else "conclusion" if i == len(dialogue) - 1 else "deep_dive",
            title=title,
            turns=tuple(Turn(host=host, text=text) for host, text in turns),
        )
        for i, (title, turns) in enumerate(dialogue)
    )
    return Script(
        episode_id="ep-1",
        show_slug="field-notes",
        title="Following a river",
        hosts=HOSTS,
        segments=segments,
        summary="Maya and Joe follow a river and its mapmakers.",
        metadata=EpisodeMetadata(
            title="Following a river", description="Rivers, maps, and the people between."
        ),
    )


def show(**audio: object) -> Show:
    """The Field Notes show with ``audio`` settings overridden."""
    voices = {tier: VoiceRef(engine="hibari", voice="heart") for tier in Tier}
    return Show(
        name="Field Notes",
        slug="field-notes",
        hosts=tuple(Host(id=host, name=name, voices=voices) for host, name in HOSTS.items()),
        template=(SegmentSpec(kind="deep_dive", intent="explain", share=1.0),),
        audio=AudioSettings.model_validate(audio),
    )


def voiced(
    seconds: float, rate: int, *, pitch: float = 140.0, level: float = 0.3, seed: int = 0
) -> npt.NDArray[np.float32]:
    """A voice-like signal: harmonics of a gliding pitch, syllable-rate envelope, a little breath noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * rate)) / rate
    f0 = pitch * (1 + 0.12 * np.sin(2 * np.pi * 0.7 * t + seed))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    harmonics = sum(np.sin(k * phase) / k for k in range(1, 20) if k * pitch * 1.15 < rate / 2)
    syllables = np.clip(np.sin(2 * np.pi * 3.5 * t + seed), 0, None) ** 0.6
    edges = np.minimum(1, np.minimum(t, t[-1] - t) / 0.02)
    signal = (harmonics + 0.05 * rng.standard_normal(t.size)) * syllables * edges
    return (level * signal / np.max(np.abs(signal))).astype(np.float32)


def synthetic_clips(the_script: Script) -> dict[tuple[int, int], AudioClip]:
    """One voiced clip per turn at the host's engine rate; length follows the text (15 chars/s)."""
    clips: dict[tuple[int, int], AudioClip] = {}
    for s, segment in enumerate(the_script.segments):
        for t, turn in enumerate(segment.turns):
            rate = RATES[turn.host]
            pitch = 210.0 if turn.host == "maya" else 120.0
            samples = voiced(max(0.6, len(turn.text) / 15), rate, pitch=pitch, seed=s * 10 + t)
            clips[(s, t)] = AudioClip(samples=samples, sample_rate=rate)
    return clips


def hibari_clips(the_script: Script) -> dict[tuple[int, int], AudioClip]:
    """Real speech for Maya's turns (hibari, 24 kHz); Joe keeps the synthetic 22.05 kHz voice."""
    from hibari import Hibari

    speak = Hibari()
    clips = synthetic_clips(the_script)
    for s, segment in enumerate(the_script.segments):
        for t, turn in enumerate(segment.turns):
            if turn.host == "maya":
                clips[(s, t)] = AudioClip(
                    samples=speak(turn.text, seed=0).astype(np.float32), sample_rate=24_000
                )
    return clips


def rms_db(samples: npt.NDArray[np.floating]) -> float:
    """RMS level in dBFS."""
    return float(10 * np.log10(np.mean(np.square(samples, dtype=np.float64)) + 1e-20))


def ffmetadata(path: Path) -> str:
    """What ffmpeg's own demuxer reads from ``path`` as an FFMETADATA document (chapters included)."""
    done = subprocess.run(
        [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(path), "-f", "ffmetadata", "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def clip_lengths(clips: Mapping[tuple[int, int], AudioClip]) -> dict[tuple[int, int], float]:
    """Each clip's duration in seconds."""
    return {key: clip.duration_s for key, clip in clips.items()}
