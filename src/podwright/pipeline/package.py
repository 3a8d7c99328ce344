"""Packaging: a voiced script becomes an episode folder (tagged MP3, transcripts, chapters.json).

Steps: lay the turns out on a timeline (plus the show's music bed), master to the show's loudness
and true-peak targets, encode MP3, check the MP3 with ffmpeg's independent EBU R128 meter (MP3
encoding shifts level and peaks by a few tenths of a dB, so one corrected pass follows when it
misses), tag it, and only then move it into place. Every file is written under a temporary name
and renamed, so a crash never leaves a partial ``episode.mp3`` that looks finished.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from podwright.audio.chapters import to_podcasting20_json
from podwright.audio.ffmpeg import LoudnessMeasurement, encode_mp3, measure_loudness
from podwright.audio.loudness import Mastered, MasteringReport, master
from podwright.audio.music import add_music
from podwright.audio.tags import write_id3
from podwright.audio.timeline import Mixdown, lay_out
from podwright.audio.transcript import to_srt, to_webvtt
from podwright.core.errors import AudioError
from podwright.core.timeline import Chapter, Cue

if TYPE_CHECKING:
    from podwright.core.episode import Script
    from podwright.core.show import Show
    from podwright.core.speech import AudioClip

__all__ = ["PackageResult", "PackageTimings", "package_episode"]

_LOUDNESS_TOLERANCE_LU = 0.5
"""How far the encoded MP3 may miss the loudness target before a corrected pass re-encodes it.

Platforms accept ±1 LU around -16 LUFS; half of that keeps a margin while sparing the second
master-and-encode pass that the encoder's usual ~0.4 dB drop on mono speech would otherwise cost.
"""


@dataclass(frozen=True, slots=True)
class PackageTimings:
    """Seconds spent in each packaging stage (summed over passes)."""

    mix_s: float
    master_s: float
    encode_s: float
    measure_s: float
    tag_s: float
    passes: int
    """Master-and-encode passes: 1, or 2 when the first MP3 missed its loudness target."""


@dataclass(frozen=True, slots=True)
class PackageResult:
    """The finished episode folder: paths, measurements and how long each stage took."""

    episode_mp3: Path
    transcript_vtt: Path
    transcript_srt: Path
    chapters_json: Path
    duration_s: float
    """Playing time of ``episode.mp3`` (gapless: without the encoder's delay and padding)."""
    speech_s: float
    """Seconds of voiced turns (clip lengths, without gaps or music)."""
    loudness: LoudnessMeasurement
    """Measured on the final MP3 by ffmpeg's EBU R128 meter."""
    mastering: MasteringReport
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    """One per turn, timed in the episode audio."""
    timings: PackageTimings


def _ready_dir(out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise AudioError(
            f"cannot write the episode into {out_dir}: {exc.strerror or exc}",
            hint="choose an output folder you can write to, or fix its permissions",
        ) from exc
    return out_dir


def _write_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise AudioError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint=f"check free space and permissions of {path.parent}",
        ) from exc


def _chapters(mix: Mixdown, script: Script, segment_images: Mapping[int, str] | None) -> tuple[Chapter, ...]:
    titles = script.metadata.chapter_titles if script.metadata else ()
    use_titles = len(titles) == len(mix.chapters)
    images = segment_images or {}
    return tuple(
        chapter.model_copy(
            update={
                "title": titles[chapter.index] if use_titles else chapter.title,
                "image": images.get(chapter.index, chapter.image),
            }
        )
        for chapter in mix.chapters
    )


def package_episode(
    script: Script,
    clips: Mapping[tuple[int, int], AudioClip],
    show: Show,
    out_dir: Path,
    *,
    cover: Path | None = None,
    episode_number: int | None = None,
    segment_images: Mapping[int, str] | None = None,
) -> PackageResult:
    """Mix, master, encode, tag and write an episode into ``out_dir``.

    ``clips`` maps (segment index, turn index) to each turn's clip at its engine's rate.
    ``segment_images`` maps a chapter's 0-based segment index to its image (path relative to
    ``out_dir`` or URL). ``show.audio.music``, when set, must be a path the caller has resolved.
    Writes ``episode.mp3``, ``transcript.vtt``, ``transcript.srt`` and ``chapters.json``.
    """
    out_dir = _ready_dir(Path(out_dir))
    settings = show.audio
    started = time.perf_counter()
    mix = lay_out(script, clips, settings)
    if settings.music:
        mix = add_music(mix, Path(settings.music))
    mix_s = time.perf_counter() - started
    chapters = _chapters(mix, script, segment_images)
    title = script.metadata.title if script.metadata else script.title
    description = script.metadata.description if script.metadata else script.summary

    staged = out_dir / f".episode.{os.getpid()}.{time.monotonic_ns()}.mp3"
    master_s = encode_s = measure_s = 0.0
    target, ceiling = settings.loudness_lufs, settings.true_peak_db
    try:
        passes = 0
        while True:
            passes += 1
            step = time.perf_counter()
            mastered: Mastered = master(
                mix.samples, mix.sample_rate, target_lufs=target, true_peak_db=ceiling
            )
            master_s += time.perf_counter() - step
            step = time.perf_counter()
            encode_mp3(mastered.samples, mastered.sample_rate, staged, bitrate_kbps=settings.bitrate_kbps)
            encode_s += time.perf_counter() - step
            step = time.perf_counter()
            loudness = measure_loudness(staged)
            measure_s += time.perf_counter() - step
            miss = settings.loudness_lufs - loudness.integrated_lufs
            overshoot = loudness.true_peak_dbtp - settings.true_peak_db
            if passes == 2 or (abs(miss) <= _LOUDNESS_TOLERANCE_LU and overshoot <= 0):
                break
            # The encoder's shift is systematic: aim the second pass past it by the amount it missed.
            target += miss
            ceiling -= max(0.0, overshoot + 0.1)
        step = time.perf_counter()
        write_id3(
            staged,
            title=title,
            show=show.name,
            episode_number=episode_number,
            artist=show.publishing.author,
            description=description,
            chapters=chapters,
            cover=cover,
        )
        tag_s = time.perf_counter() - step
        _write_text(out_dir / "transcript.vtt", to_webvtt(mix.cues))
        _write_text(out_dir / "transcript.srt", to_srt(mix.cues))
        document = to_podcasting20_json(chapters, title=title)
        _write_text(out_dir / "chapters.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        episode_mp3 = out_dir / "episode.mp3"
        try:
            os.replace(staged, episode_mp3)
        except OSError as exc:
            raise AudioError(
                f"cannot move the finished MP3 into {episode_mp3}: {exc.strerror or exc}",
                hint=f"check permissions of {out_dir}",
            ) from exc
    finally:
        staged.unlink(missing_ok=True)
    return PackageResult(
        episode_mp3=episode_mp3,
        transcript_vtt=out_dir / "transcript.vtt",
        transcript_srt=out_dir / "transcript.srt",
        chapters_json=out_dir / "chapters.json",
        duration_s=mastered.samples.size / mastered.sample_rate,
        speech_s=sum(cue.end_s - cue.start_s for cue in mix.cues),
        loudness=loudness,
        mastering=mastered.report,
        chapters=chapters,
        cues=tuple(mix.cues),
        timings=PackageTimings(
            mix_s=mix_s, master_s=master_s, encode_s=encode_s, measure_s=measure_s, tag_s=tag_s, passes=passes
        ),
    )
