"""Voice benchmark: engine speed, what the chunk cache saves on a one-line edit, and engine concurrency.

Run with `.venv/bin/python -m bench voice`. Everything is measured in this one run, side by side:

1. real-time factor and cold start of each embedded engine (hibari, piper) on ~60 s of audio each,
   one chunk from each engine in turn so both see the same machine load;
2. a 10-minute script voiced into an empty chunk cache, then re-voiced after one turn is edited,
   each followed by packaging (mix, master, MP3, tags);
3. voicing throughput with one worker, one worker per engine (the default) and piper's
   ``parallel=2`` on top, each config repeated and interleaved with the others; median reported.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import ROOT, Section, fmt
from bench.voice_script import edit_one_line, lighthouse_script
from podwright.audio.ffmpeg import decode, measure_loudness
from podwright.config import load_show
from podwright.core.episode import Script
from podwright.core.show import Show, Tier, VoiceRef
from podwright.core.speech import AudioClip, SpeechRequest, TTSEngine
from podwright.core.timeline import Cue
from podwright.pipeline.package import PackageResult, package_episode
from podwright.pipeline.voicing import ScriptVoicer, VoicingStats, build_engines, cast_for
from podwright.stages.chunking import chunk_text
from podwright.tts.cache import ChunkCache
from podwright.tts.registry import create_engine

SHOW = ROOT / "examples" / "show.toml"
SPEED_AUDIO_S = 60.0
EPISODE_WORDS = 1_500
CONCURRENCY_WORDS = 450
REPEATS = 3


@contextmanager
def _scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="podwright-bench-voice-") as folder:
        yield Path(folder)


def _load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


# -- 1. engine speed ------------------------------------------------------------------------------


@dataclass
class _EngineRun:
    engine: TTSEngine
    voice: VoiceRef
    load_s: float
    audio_s: float = 0.0
    compute_s: float = 0.0


def engine_speed(cast: Mapping[str, VoiceRef], script: Script) -> list[list[str]]:
    """Cold start and real-time factor per engine; the engines take turns speaking the script's chunks."""
    runs: dict[str, _EngineRun] = {}
    for ref in sorted(cast.values(), key=lambda ref: ref.engine):
        engine = create_engine(ref.engine)
        runs[ref.engine] = _EngineRun(engine=engine, voice=ref, load_s=engine.load())
    longest = min(run.engine.max_chars for run in runs.values())
    texts = [chunk for turn in script.turns for chunk in chunk_text(turn.text, longest)]
    for index, text in enumerate(texts):
        pending = [run for run in runs.values() if run.audio_s < SPEED_AUDIO_S]
        if not pending:
            break
        for run in pending:
            request = SpeechRequest(text=text, voice=run.voice, key=f"speed{index}")
            started = time.perf_counter()
            (clip,) = run.engine.synthesize([request])
            run.compute_s += time.perf_counter() - started
            run.audio_s += clip.duration_s
    rows = []
    for name, run in runs.items():
        rtf = run.compute_s / run.audio_s
        rows.append(
            [
                f"{name} ({run.voice.voice}): speed",
                f"{fmt(run.audio_s, 1)} s of audio, one chunk at a time",
                f"{fmt(rtf, 4)} s compute per s of audio = **{fmt(1 / rtf, 0)}× real time**; "
                f"cold start (load + warm-up) {fmt(run.load_s, 2)} s",
            ]
        )
    return rows


# -- 2. the chunk cache on a one-line edit --------------------------------------------------------


@dataclass(frozen=True)
class _Render:
    stats: VoicingStats
    cpu_s: float
    """CPU seconds the whole process spent voicing (every thread), engine loads excluded."""
    clips: Mapping[tuple[int, int], AudioClip]
    packaged: PackageResult | None = None
    package_s: float = 0.0

    @property
    def compute_s(self) -> float:
        return sum(engine.compute_s for engine in self.stats.engines.values())

    @property
    def load_s(self) -> float:
        return sum(engine.load_s for engine in self.stats.engines.values())

    @property
    def wall_s(self) -> float:
        """What the producer waits for: voicing (engine loads included) plus packaging."""
        return self.stats.wall_s + self.package_s


def _render(
    script: Script,
    show: Show,
    cast: Mapping[str, VoiceRef],
    cache: ChunkCache,
    *,
    engines: Mapping[str, TTSEngine] | None = None,
    out: Path | None = None,
) -> _Render:
    """One render as `podwright render` does it: new engines (a cold process) unless given warm ones."""
    voicer = ScriptVoicer(engines or build_engines(cast), cache, lexicon=show.lexicon)
    cpu = time.process_time()
    voiced = voicer.voice(script, cast)
    # Loads run on one thread, so their wall seconds are their CPU seconds.
    cpu_s = time.process_time() - cpu - sum(e.load_s for e in voiced.stats.engines.values())
    if out is None:
        return _Render(voiced.stats, cpu_s, voiced.clips)
    started = time.perf_counter()
    packaged = package_episode(script, voiced.clips, show, out)
    return _Render(voiced.stats, cpu_s, voiced.clips, packaged, time.perf_counter() - started)


def _package_note(render: _Render) -> str:
    assert render.packaged is not None
    timings, rebuild = render.packaged.timings, render.packaged.rebuild
    return (
        f"packaging {fmt(render.package_s, 2)} s ({rebuild.mode}: {rebuild.pieces_encoded} of "
        f"{rebuild.pieces_total} pieces encoded; mix {fmt(timings.mix_s, 2)}, "
        f"master {fmt(timings.master_s, 2)}, encode {fmt(timings.encode_s, 2)}, "
        f"check {fmt(timings.measure_s, 2)}, join {fmt(timings.join_s, 2)} s)"
    )


def _render_row(label: str, setting: str, render: _Render) -> list[str]:
    stats = render.stats
    return [
        label,
        setting,
        f"**{fmt(render.wall_s, 2)} s** wall: {stats.chunks_synthesized} of {stats.chunks_total} chunks "
        f"synthesized, voicing {fmt(stats.wall_s, 2)} s (engine cold start {fmt(render.load_s, 2)} s of it, "
        f"synthesis {fmt(render.compute_s, 2)} s compute, {fmt(render.cpu_s, 2)} CPU-s); "
        f"{_package_note(render)}",
    ]


def _ratio_row(label: str, full: _Render, again: _Render) -> list[str]:
    compute = again.compute_s / full.compute_s
    cpu = again.cpu_s / full.cpu_s
    wall = again.stats.wall_s / full.stats.wall_s
    warm_wall = (again.stats.wall_s - again.load_s) / full.stats.wall_s
    return [
        label,
        "voicing only",
        f"**{fmt(100 * cpu, 1)} %** of the CPU work, {fmt(100 * compute, 1)} % of engine compute "
        f"seconds, {fmt(100 * wall, 1)} % of voicing wall time ({fmt(100 * warm_wall, 1)} % without "
        "the engine's cold start); goal ≤ 3 %",
    ]


def _wall_ratio_row(label: str, full: _Render, again: _Render) -> list[str]:
    share = again.wall_s / full.wall_s
    verdict = "met" if share <= 0.10 else "not met in this run"
    return [
        label,
        "voicing + packaging (mix, master, encode, tags, transcripts, chapters)",
        f"**{fmt(100 * share, 1)} %** of the full render's wall time "
        f"({fmt(again.wall_s, 2)} s ÷ {fmt(full.wall_s, 2)} s); goal ≤ 10 %: {verdict}",
    ]


def _publishable_row(
    again: _Render, scratch: PackageResult, before: Path, before_cues: tuple[Cue, ...]
) -> list[str]:
    """The incremental MP3 against the from-scratch render of the same edited script."""
    assert again.packaged is not None
    mine = again.packaged
    meter = measure_loudness(mine.episode_mp3)
    theirs = measure_loudness(scratch.episode_mp3)
    cue_ms = 1000 * max(
        max(abs(a.start_s - b.start_s), abs(a.end_s - b.end_s))
        for a, b in zip(mine.cues, scratch.cues, strict=True)
    )
    chapter_ms = 1000 * max(
        abs(a.start_s - b.start_s) for a, b in zip(mine.chapters, scratch.chapters, strict=True)
    )
    incremental, rate = decode(mine.episode_mp3)
    previous, _ = decode(before)
    scratch_audio, _ = decode(scratch.episode_mp3)
    changed = [cue for cue in mine.cues if cue.text not in {c.text for c in before_cues}]
    lo, hi = round((changed[0].start_s - 0.5) * rate), round((changed[-1].end_s + 0.5) * rate)
    moved = incremental.size - previous.size
    same = max(
        float(np.abs(incremental[:lo] - previous[:lo]).max()),
        float(np.abs(incremental[hi:] - previous[hi - moved :]).max()),
    )
    outside = np.concatenate([np.arange(lo), np.arange(hi, incremental.size)])
    gain = 10 ** ((scratch.mastering.gain_db - mine.mastering.gain_db) / 20)
    residual = incremental[outside] * gain - scratch_audio[outside]
    residual_db = 10 * np.log10(np.sum(residual**2) / np.sum(scratch_audio[outside] ** 2))
    return [
        "edited MP3 vs a from-scratch render of the edited script",
        "ffmpeg ebur128 meter; decoded audio",
        f"incremental **{fmt(meter.integrated_lufs, 1)} LUFS, {fmt(meter.true_peak_dbtp, 1)} dBTP** "
        f"(predicted {fmt(mine.loudness.integrated_lufs, 2)}), "
        f"from scratch {fmt(theirs.integrated_lufs, 1)} LUFS, "
        f"{fmt(theirs.true_peak_dbtp, 1)} dBTP; gains {fmt(mine.mastering.gain_db, 3)} vs "
        f"{fmt(scratch.mastering.gain_db, 3)} dB; cues within {fmt(cue_ms, 1)} ms, chapters within "
        f"{fmt(chapter_ms, 1)} ms; outside the edited turn the samples equal the previous render's "
        f"(max difference {same:.1g}) and sit {fmt(-residual_db, 1)} dB above their difference from the "
        "from-scratch MP3 (two MP3 encodes of one programme)",
    ]


def cache_on_edit(show: Show, cast: Mapping[str, VoiceRef]) -> tuple[list[list[str]], list[str]]:
    script = lighthouse_script(EPISODE_WORDS)
    edited, where = edit_one_line(script)
    with _scratch() as scratch:
        cold = ChunkCache(scratch / "cold-chunks")
        full = _render(script, show, cast, cold, out=scratch / "cold")
        assert full.packaged is not None
        before = scratch / "before-edit.mp3"
        shutil.copyfile(full.packaged.episode_mp3, before)
        again = _render(edited, show, cast, cold, out=scratch / "cold")
        engines = build_engines(cast)
        for engine in engines.values():
            engine.load()
        warm = ChunkCache(scratch / "warm-chunks")
        warm_full = _render(script, show, cast, warm, engines=engines, out=scratch / "warm")
        warm_again = _render(edited, show, cast, warm, engines=engines, out=scratch / "warm")
        scratch_package = package_episode(edited, again.clips, show, scratch / "from-scratch")
        publishable = _publishable_row(again, scratch_package, before, full.packaged.cues)
    assert warm_full.packaged is not None
    timings = full.packaged.timings
    minutes = full.packaged.duration_s / 60
    warm_speed = warm_full.packaged.duration_s / warm_full.packaged.timings.master_s
    rows = [
        _render_row(
            "10-minute script, full render, cold process",
            f"{script.word_count:,} words, {len(script.turns)} turns, {fmt(minutes, 1)} min episode, "
            "empty cache",
            full,
        ),
        _render_row("same, one line edited, cold process", f"{where}: first sentence reworded", again),
        _wall_ratio_row("re-render ÷ full render, cold process", full, again),
        _render_row("full render, warm process (engines loaded)", "empty cache", warm_full),
        _render_row("one line edited, warm process", "the same edit", warm_again),
        _wall_ratio_row("re-render ÷ full render, warm process", warm_full, warm_again),
        _ratio_row("re-render ÷ full render", full, again),
        [
            "mastering speed (full render)",
            f"{fmt(minutes, 1)} min mix, -16 LUFS / -1 dBTP",
            f"**{fmt(full.packaged.duration_s / timings.master_s, 0)}× real time** by wall "
            f"({fmt(timings.master_s, 2)} s; warm run {fmt(warm_speed, 0)}×), "
            f"{fmt(full.packaged.duration_s / timings.master_cpu_s, 0)}× by this process's CPU time "
            f"({fmt(timings.master_cpu_s, 2)} CPU-s: what it costs on an idle machine); goal ≥ 150×; "
            f"the MP3 on ffmpeg's meter {fmt(full.packaged.loudness.integrated_lufs, 1)} LUFS, "
            f"{fmt(full.packaged.loudness.true_peak_dbtp, 1)} dBTP",
        ],
        publishable,
    ]
    notes = [
        "An edit re-synthesizes only the chunks whose text changed; the rest comes from the chunk cache. "
        "The edited turn is Joe's (piper, the slower engine: the costlier case). A chunk is one sentence, "
        "so the edit re-voices the reworded sentence only; sentences are never packed together, so an "
        "edit cannot shift the chunks after it. The full render spreads its chunks over both cores "
        "(piper runs two at once), the re-render's single chunk cannot, so its share of wall and of "
        "per-engine compute seconds is about twice its share of the CPU work.",
        "Packaging works in pieces: each turn with the silence after it starts on an MP3 frame, is mastered "
        "at the episode's gain and encoded on its own, and the pieces' frames are joined. A re-render keeps "
        "the previous gain while the episode's loudness, re-gated from every piece's stored block energies, "
        "stays within -16 ± 0.3 LU, so it masters and encodes only the edited turn's piece and reuses the "
        "others' frames byte for byte; the cold process pays the engine load again, the warm one does not. "
        f"In the full render: mix {fmt(timings.mix_s, 1)} s (resampling and K-weighting), master "
        f"{fmt(timings.master_s, 1)} s, MP3 encode {fmt(timings.encode_s, 1)} s, ffmpeg loudness check "
        f"{fmt(timings.measure_s, 1)} s, {timings.passes} pass(es).",
    ]
    return rows, notes


# -- 3. concurrency ---------------------------------------------------------------------------------

_SEQUENTIAL = "sequential (workers=1, piper parallel=1)"
_PIPER_PARALLEL = "default: one worker per engine + piper parallel=2"
_CONFIGS: dict[str, tuple[int | None, dict[str, dict[str, Any]]]] = {
    _SEQUENTIAL: (1, {"piper": {"parallel": 1}}),
    "one worker per engine, piper parallel=1": (None, {"piper": {"parallel": 1}}),
    _PIPER_PARALLEL: (None, {}),
}
"""Label → (ScriptVoicer workers, per-engine options)."""


def _machine_busy_s() -> float | None:
    """CPU seconds every process on the machine has used since boot (Linux), to see what others took."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class _Run:
    throughput: float
    """Seconds of audio per wall second."""
    cores: float
    """This process's CPU seconds per wall second."""
    others: float | None
    """Other processes' CPU seconds per wall second (``None`` off Linux)."""


def _timed_voicing(
    voicer: ScriptVoicer, script: Script, cast: Mapping[str, VoiceRef]
) -> tuple[_Run, VoicingStats]:
    machine_before, cpu_before, started = _machine_busy_s(), time.process_time(), time.perf_counter()
    stats = voicer.voice(script, cast).stats
    wall_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_before
    machine_after = _machine_busy_s()
    others = None
    if machine_before is not None and machine_after is not None:
        others = max(0.0, machine_after - machine_before - cpu_s) / wall_s
    return _Run(throughput=stats.audio_s / stats.wall_s, cores=cpu_s / wall_s, others=others), stats


def concurrency(show: Show, cast: Mapping[str, VoiceRef]) -> tuple[list[list[str]], list[str]]:
    script = lighthouse_script(CONCURRENCY_WORDS)
    # Engines are built and loaded up front, so the runs compare synthesis, not cold starts.
    engines = {label: build_engines(cast, options) for label, (_, options) in _CONFIGS.items()}
    for built in engines.values():
        for engine in built.values():
            engine.load()
    runs: dict[str, list[_Run]] = {label: [] for label in _CONFIGS}
    last: dict[str, VoicingStats] = {}
    with _scratch() as scratch:
        for repeat in range(REPEATS):
            for index, (label, (workers, _)) in enumerate(_CONFIGS.items()):
                cache = ChunkCache(scratch / f"run{repeat}-config{index}")
                voicer = ScriptVoicer(engines[label], cache, lexicon=show.lexicon, workers=workers)
                run, last[label] = _timed_voicing(voicer, script, cast)
                runs[label].append(run)
    medians = {label: statistics.median(run.throughput for run in values) for label, values in runs.items()}
    baseline = medians[_SEQUENTIAL]
    rows = []
    for label, values in runs.items():
        speedup = medians[label] / baseline
        others = [run.others for run in values if run.others is not None]
        busy = f", other processes {fmt(statistics.median(others), 2)} cores" if others else ""
        rows.append(
            [
                label,
                f"{fmt(last[label].audio_s, 0)} s of audio, empty cache, median of {len(values)}",
                f"{fmt(medians[label], 1)} s of audio per wall second = **{fmt(speedup, 2)}×** sequential "
                f"(runs: {', '.join(fmt(run.throughput, 1) for run in values)}); "
                f"used {fmt(statistics.median(run.cores for run in values), 2)} cores{busy}",
            ]
        )
    return rows, _concurrency_notes(last[_SEQUENTIAL], medians[_PIPER_PARALLEL] / baseline)


def _concurrency_notes(sequential: VoicingStats, best: float) -> list[str]:
    """Why the speed-up is what it is: the slowest engine's share bounds one-worker-per-engine."""
    total = sum(stats.compute_s for stats in sequential.engines.values())
    slowest, slowest_s = max(
        ((name, stats.compute_s) for name, stats in sequential.engines.items()), key=lambda pair: pair[1]
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    verdict = "met" if best >= 1.5 else "not met in this run"
    return [
        f"Sequentially, {slowest} does {fmt(100 * slowest_s / total, 0)} % of the synthesis compute, so "
        f"one worker per engine can at best give {fmt(total / slowest_s, 2)}×: the engines overlap, but "
        "the run waits for the slowest. Only splitting piper's own chunks over two threads "
        "(`parallel=2`; onnxruntime releases the GIL, phonemizing stays serial) can go past that.",
        f"Goal ≥ 1.5× on 2 cores: {verdict} ({fmt(best, 2)}× with piper parallel=2, {cores} cores seen). "
        "That config runs three compute threads (hibari, two piper), so its gain is capped by the cores "
        "this process gets: compare 'used … cores' with 'other processes … cores' in the table; on a "
        "machine whose second core is busy with other work, no voicing concurrency can help.",
    ]


def run() -> Section:
    show = load_show(SHOW)
    cast = cast_for(show, Tier.DRAFT)
    load_before = _load_average()
    rows = engine_speed(cast, lighthouse_script(600))
    edit_rows, edit_notes = cache_on_edit(show, cast)
    concurrency_rows, concurrency_notes = concurrency(show, cast)
    return Section(
        name="voice",
        title="Voice: engine speed, one-line re-render, concurrency",
        summary=(
            "The starter show's draft cast (Maya = hibari `heart`, Joe = piper `en_US-joe-medium`) voicing "
            "a deterministic two-host script about lighthouses (bench/voice_script.py) on the CPU."
        ),
        header=["Measure", "Setting", "Result"],
        rows=rows + edit_rows + concurrency_rows,
        notes=[
            *edit_notes,
            *concurrency_notes,
            f"Machine load average at the start: {load_before}; at the end: {_load_average()}.",
        ],
    )
