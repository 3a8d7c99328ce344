"""Packaging: a voiced script becomes an episode folder (tagged MP3, transcripts, chapters.json).

The episode is laid out in pieces on MP3 frames (a turn and the silence after it; see
``audio/pieces.py``), each mastered at one episode gain and encoded on its own, then joined frame by
frame. Two paths share that machinery:

- **global** (a first render, a changed show, or a fall-back): measure every piece, find the gain
  that brings the whole episode to the target under the true-peak ceiling, encode every piece, and
  check the joined MP3 with ffmpeg's independent EBU R128 meter; one corrected pass follows when it
  misses (the encoder shifts loudness by a few tenths of a dB).
- **incremental** (a re-render after an edit): keep the gain of the MP3 published before; re-master
  and re-encode only the pieces whose clips changed; re-gate the episode's loudness from every
  piece's stored block energies plus the encoder offset ffmpeg measured last time. If that leaves the
  target ± ``KEEP_GAIN_LU``, the render falls back to the global path by itself and says why.

Every file is written under a temporary name and renamed, and the record of the pieces is updated
only once the MP3 is in place, so a kill leaves the previous ``episode.mp3`` intact and the next run
finishes the job (reusing whatever pieces were already stored).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from podwright.audio.blocks import cell_energies, gated_lufs
from podwright.audio.chapters import to_podcasting20_json
from podwright.audio.ffmpeg import LoudnessMeasurement, ffmpeg_binary, measure_loudness
from podwright.audio.loudness import (
    MasteringReport,
    master_stems,
    measure_stem,
    place_cells,
    stem_floor,
    weigh,
)
from podwright.audio.pieces import (
    FORMAT,
    EpisodePieces,
    encode_pieces,
    join_episode,
    master_piece,
    piece_key,
    plan_pieces,
)
from podwright.audio.stems import Manifest, StemStore
from podwright.audio.tags import write_id3
from podwright.audio.transcript import to_srt, to_webvtt
from podwright.core.errors import AudioError
from podwright.core.files import atomic_write_text
from podwright.core.timeline import Chapter, Cue

if TYPE_CHECKING:
    from podwright.core.episode import Script
    from podwright.core.show import AudioSettings, Show
    from podwright.core.speech import AudioClip

__all__ = ["KEEP_GAIN_LU", "PackageResult", "PackageTimings", "Rebuild", "package_episode"]

KEEP_GAIN_LU = 0.3
"""How far an edit may move the episode's loudness (as ffmpeg will read it) before the gain is redone.

Platforms accept ±1 LU around -16 LUFS and this project promises ±0.5; 0.3 leaves room for the
error of the prediction (ffmpeg's meter prints tenths)."""
_LOUDNESS_TOLERANCE_LU = 0.2
"""How far the global path's MP3 may miss the target before a corrected pass re-encodes it: tight,
so that later edits have ``KEEP_GAIN_LU`` of room to move in."""
_FIRST_ENCODER_OFFSET_LU = -0.4
"""The encoder's loudness shift assumed before one was measured in this folder (LAME at 128 kbps
mono read -0.43 LU on the starter show's speech); the measured one replaces it."""
_PEAK_MARGIN_DB = 0.1
"""A re-encoded piece whose decoded true peak comes within this of the ceiling is limited again."""
_HEADROOM_DB = 0.5


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
    join_s: float = 0.0
    """Joining the pieces' frames into one MP3 (and reading the stored pieces)."""
    master_cpu_s: float = 0.0
    """CPU seconds of this process spent mastering (``master_s`` is wall time; on a busy machine the
    two part, and the CPU figure is what the work costs)."""


@dataclass(frozen=True, slots=True)
class Rebuild:
    """Which path made the MP3 and why: what a producer reads in ``run.json`` after an edit."""

    mode: Literal["incremental", "global"]
    reason: str
    fell_back: bool
    """True when an incremental render gave way to the global path (the loudness moved too far)."""
    pieces_total: int
    pieces_encoded: int

    def as_json(self) -> dict[str, Any]:
        """The ``render.package.rebuild`` record of ``run.json``."""
        return {
            "mode": self.mode,
            "reason": self.reason,
            "fell_back": self.fell_back,
            "pieces_total": self.pieces_total,
            "pieces_encoded": self.pieces_encoded,
        }


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
    """The global path: ffmpeg's EBU R128 meter on the final MP3. The incremental path: the loudness
    re-gated from the pieces' block energies plus the encoder offset ffmpeg measured last time, and
    an upper bound of the true peak (the previous MP3's and each new piece's, decoded)."""
    mastering: MasteringReport
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    """One per turn, timed in the episode audio."""
    timings: PackageTimings
    rebuild: Rebuild


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
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise AudioError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint=f"check free space and permissions of {path.parent}",
        ) from exc


def _chapters(
    chapters: list[Chapter], script: Script, segment_images: Mapping[int, str] | None
) -> tuple[Chapter, ...]:
    titles = script.metadata.chapter_titles if script.metadata else ()
    use_titles = len(titles) == len(chapters)
    images = segment_images or {}
    return tuple(
        chapter.model_copy(
            update={
                "title": titles[chapter.index] if use_titles else chapter.title,
                "image": images.get(chapter.index, chapter.image),
            }
        )
        for chapter in chapters
    )


def _clear_stale_stages(out_dir: Path) -> None:
    """Remove staged MP3s left by a render that was killed (their process is gone)."""
    for path in out_dir.glob(".episode.*.mp3"):
        pid = path.name.split(".")[2]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fingerprint(settings: AudioSettings) -> str:
    """Everything besides the clips that a stored piece's bytes depend on."""
    binary = ffmpeg_binary()
    try:
        size = os.stat(binary).st_size
    except OSError:
        size = -1
    targets = f"{settings.loudness_lufs!r}:{settings.true_peak_db!r}"
    return f"{FORMAT}:{settings.sample_rate}:{settings.bitrate_kbps}:{targets}:{binary}:{size}"


@dataclass
class _Clock:
    """Stage seconds, accumulated."""

    mix_s: float = 0.0
    master_s: float = 0.0
    master_cpu_s: float = 0.0
    encode_s: float = 0.0
    measure_s: float = 0.0
    join_s: float = 0.0
    passes: int = 0


@dataclass(frozen=True, slots=True)
class _Made:
    """A joined (untagged) MP3 and what describes it."""

    mp3: bytes
    loudness: LoudnessMeasurement
    mastering: MasteringReport
    manifest: Manifest
    keys: list[str]
    rebuild: Rebuild


def _global(
    pieces: EpisodePieces,
    settings: AudioSettings,
    store: StemStore,
    staged: Path,
    clock: _Clock,
    *,
    fingerprint: str,
    offset_lu: float,
    why: str,
    fell_back: bool,
) -> _Made:
    rate, length, target = settings.sample_rate, pieces.layout.length, settings.loudness_lufs
    step = time.perf_counter()
    weighed = [weigh(pieces.mixer(index), rate) for index in range(len(pieces.digests))]
    clock.mix_s += time.perf_counter() - step
    step, cpu = time.perf_counter(), time.process_time()
    cells = place_cells(
        [(s, cell_energies(w)) for s, (_, w) in zip(pieces.starts, weighed, strict=True)], length
    )
    measured = gated_lufs(cells, rate, length)
    floor = stem_floor(measured, target, settings.true_peak_db - _HEADROOM_DB)
    stems = [
        (start, measure_stem(source, weighted, floor=floor))
        for start, (source, weighted) in zip(pieces.starts, weighed, strict=True)
    ]
    clock.master_s += time.perf_counter() - step
    clock.master_cpu_s += time.process_time() - cpu
    aim, ceiling = target - offset_lu, settings.true_peak_db
    clock.passes = 0  # an incremental attempt that gave way counts for nothing here
    while True:
        clock.passes += 1
        step, cpu = time.perf_counter(), time.process_time()
        done = master_stems(
            stems, length, rate, target_lufs=aim, true_peak_db=ceiling, headroom_db=_HEADROOM_DB
        )
        clock.master_s += time.perf_counter() - step
        clock.master_cpu_s += time.process_time() - cpu
        gain = done.report.gain_db
        keys = [
            piece_key(d, gain_db=gain, ceiling_db=ceiling, fingerprint=fingerprint) for d in pieces.digests
        ]
        step = time.perf_counter()
        work = [(key, stem) for key, stem in zip(keys, done.stems, strict=True) if not store.has(key)]
        encode_pieces(store, work, rate, bitrate_kbps=settings.bitrate_kbps)
        clock.encode_s += time.perf_counter() - step
        step = time.perf_counter()
        mp3 = join_episode(store, pieces, keys)
        staged.write_bytes(mp3)
        clock.join_s += time.perf_counter() - step
        step = time.perf_counter()
        loudness = measure_loudness(staged)
        clock.measure_s += time.perf_counter() - step
        miss = target - loudness.integrated_lufs
        overshoot = loudness.true_peak_dbtp - settings.true_peak_db
        if clock.passes >= 2 or (abs(miss) <= _LOUDNESS_TOLERANCE_LU and overshoot <= 0):
            break
        # The encoder's shift is systematic: aim the second pass past it by the amount it missed.
        aim += miss
        ceiling -= max(0.0, overshoot + 0.1)
    manifest = Manifest(
        fingerprint=fingerprint,
        gain_db=gain,
        ceiling_db=ceiling,
        encoder_offset_lu=loudness.integrated_lufs - done.report.output_lufs,
        true_peak_dbtp=loudness.true_peak_dbtp,
        loudness_range_lu=loudness.loudness_range_lu,
        input_lufs=measured,
        pieces=dict(zip(pieces.digests, keys, strict=True)),
    )
    rebuild = Rebuild("global", why, fell_back, len(keys), len(work))
    return _Made(mp3, loudness, done.report, manifest, keys, rebuild)


def _incremental(
    pieces: EpisodePieces,
    settings: AudioSettings,
    store: StemStore,
    manifest: Manifest,
    clock: _Clock,
) -> _Made | str:
    """The MP3 with only the changed pieces redone at the kept gain, or why the global path must run."""
    rate, length, target = settings.sample_rate, pieces.layout.length, settings.loudness_lufs
    gain, ceiling = manifest.gain_db, manifest.ceiling_db
    keys = [
        manifest.pieces.get(d)
        or piece_key(d, gain_db=gain, ceiling_db=ceiling, fingerprint=manifest.fingerprint)
        for d in pieces.digests
    ]
    changed = [index for index, key in enumerate(keys) if not store.has(key)]
    if 2 * len(changed) > len(keys):
        return f"{len(changed)} of {len(keys)} pieces changed"
    clock.passes = 1
    limits = {index: ceiling - _HEADROOM_DB for index in changed}
    peaks: dict[str, float] = {}
    redo = changed
    for _ in range(2):
        # A second round only for pieces whose encoder pushed a peak past the ceiling: harder, here only.
        step, cpu = time.perf_counter(), time.process_time()
        work = []
        for index in redo:
            keys[index] = piece_key(
                pieces.digests[index],
                gain_db=gain,
                ceiling_db=limits[index],
                fingerprint=manifest.fingerprint,
            )
            work.append(
                (keys[index], master_piece(pieces, index, rate, gain_db=gain, limit_db=limits[index]))
            )
        clock.master_s += time.perf_counter() - step
        clock.master_cpu_s += time.process_time() - cpu
        step = time.perf_counter()
        peaks.update(encode_pieces(store, work, rate, bitrate_kbps=settings.bitrate_kbps, check_peaks=True))
        clock.encode_s += time.perf_counter() - step
        redo = [i for i in redo if peaks[keys[i]] > settings.true_peak_db - _PEAK_MARGIN_DB]
        for index in redo:
            limits[index] -= peaks[keys[index]] - settings.true_peak_db + 2 * _PEAK_MARGIN_DB
        if not redo:
            break
    limit_db = ceiling - _HEADROOM_DB
    step = time.perf_counter()
    stored = [store.stem(key) for key in keys]
    output_lufs = gated_lufs(
        place_cells(list(zip(pieces.starts, (s.cells for s in stored), strict=True)), length), rate, length
    )
    predicted = output_lufs + manifest.encoder_offset_lu
    clock.measure_s += time.perf_counter() - step
    if abs(predicted - target) > KEEP_GAIN_LU:
        return (
            f"the edit moved the loudness to {predicted:.2f} LUFS, outside {target:g} ± {KEEP_GAIN_LU} LU: "
            "re-mastered the whole episode"
        )
    step = time.perf_counter()
    mp3 = join_episode(store, pieces, keys)
    clock.join_s += time.perf_counter() - step
    peak = max([manifest.true_peak_dbtp, *(peaks[keys[i]] for i in changed)])
    loudness = LoudnessMeasurement(predicted, peak, manifest.loudness_range_lu)
    report = MasteringReport(
        input_lufs=manifest.input_lufs,
        output_lufs=output_lufs,
        true_peak_dbtp=max(s.true_peak_dbtp for s in stored),
        gain_db=gain,
        max_reduction_db=max(s.reduction_db for s in stored),
        ceiling_db=limit_db,
    )
    new_manifest = Manifest(
        fingerprint=manifest.fingerprint,
        gain_db=gain,
        ceiling_db=ceiling,
        encoder_offset_lu=manifest.encoder_offset_lu,
        true_peak_dbtp=peak,
        loudness_range_lu=manifest.loudness_range_lu,
        input_lufs=manifest.input_lufs,
        pieces=dict(zip(pieces.digests, keys, strict=True)),
    )
    why = f"{len(changed)} of {len(keys)} pieces changed; gain kept (loudness {predicted:.2f} LUFS)"
    return _Made(
        mp3, loudness, report, new_manifest, keys, Rebuild("incremental", why, False, len(keys), len(changed))
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
    """Mix, master, encode, tag and write an episode into ``out_dir``, redoing only what changed.

    ``clips`` maps (segment index, turn index) to each turn's clip at its engine's rate.
    ``segment_images`` maps a chapter's 0-based segment index to its image (path relative to
    ``out_dir`` or URL). ``show.audio.music``, when set, must be a path the caller has resolved.
    Writes ``episode.mp3``, ``transcript.vtt``, ``transcript.srt`` and ``chapters.json``, and keeps
    the pieces a later render can reuse in ``out_dir/.stems/``.
    """
    out_dir = _ready_dir(Path(out_dir))
    _clear_stale_stages(out_dir)
    settings = show.audio
    clock = _Clock()
    step = time.perf_counter()
    pieces = plan_pieces(script, clips, settings)
    clock.mix_s += time.perf_counter() - step
    chapters = _chapters(pieces.layout.chapters, script, segment_images)
    title = script.metadata.title if script.metadata else script.title
    description = script.metadata.description if script.metadata else script.summary
    store = StemStore(out_dir)
    fingerprint = _fingerprint(settings)
    staged = out_dir / f".episode.{os.getpid()}.{time.monotonic_ns()}.mp3"
    try:
        manifest = store.manifest(fingerprint)
        made: _Made | str = (
            "the show's audio settings or the encoder changed since the last render"
            if store.recorded()
            else "no earlier render of this tier to build on"
        )
        if manifest is not None:
            made = _incremental(pieces, settings, store, manifest, clock)
        if isinstance(made, str):
            offset = manifest.encoder_offset_lu if manifest is not None else _FIRST_ENCODER_OFFSET_LU
            fell_back = made.startswith("the edit moved")
            made = _global(
                pieces,
                settings,
                store,
                staged,
                clock,
                fingerprint=fingerprint,
                offset_lu=offset,
                why=made,
                fell_back=fell_back,
            )
        else:
            staged.write_bytes(made.mp3)
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
        cues = pieces.layout.cues
        _write_text(out_dir / "transcript.vtt", to_webvtt(cues))
        _write_text(out_dir / "transcript.srt", to_srt(cues))
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
        store.save_manifest(made.manifest)
        store.prune(set(made.keys))
    finally:
        staged.unlink(missing_ok=True)
    return PackageResult(
        episode_mp3=episode_mp3,
        transcript_vtt=out_dir / "transcript.vtt",
        transcript_srt=out_dir / "transcript.srt",
        chapters_json=out_dir / "chapters.json",
        duration_s=pieces.layout.length / settings.sample_rate,
        speech_s=sum(cue.end_s - cue.start_s for cue in cues),
        loudness=made.loudness,
        mastering=made.mastering,
        chapters=chapters,
        cues=tuple(cues),
        timings=PackageTimings(
            mix_s=clock.mix_s,
            master_s=clock.master_s,
            encode_s=clock.encode_s,
            measure_s=clock.measure_s,
            tag_s=tag_s,
            passes=clock.passes,
            join_s=clock.join_s,
            master_cpu_s=clock.master_cpu_s,
        ),
        rebuild=made.rebuild,
    )
