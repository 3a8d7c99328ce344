"""Take-QA benchmark: how well QA hears faults, and what it adds to a render's wall time on this CPU.

Run with `.venv/bin/python -m bench qa`. Measured in this one run:

1. the take-QA set (tests/support/qa_set.py): every line of it voiced by the draft cast (hibari and
   piper), one chunk in five spoiled (truncation, repetition, trailing noise, silence, garble), heard
   by the bundled Whisper-base: faults caught on their first take, clean first takes failed, clean
   lines flagged after retakes;
2. a ~300-word two-host script rendered (voiced and packaged) into an empty chunk cache with QA off,
   with every take heard alone (one Whisper call per take) and with the default packed QA (takes in
   30-second windows, the windows batched), alternating, twice each; the median wall time of each, QA's
   added share and its compute seconds; the load average, since the machine may be shared;
3. the same, with the voice off this CPU: the ``openai_speech`` engine against a loopback server that
   answers real takes of the draft cast after ``audio seconds × REMOTE_RTF`` (bench/remote_voice.py, a
   GPU voice's pace), rendered with QA off, with the default batches (one window, since no voice
   shares the CPU) and with a CPU voice's 240-second batches, alternating: what QA adds when Whisper
   has the CPU to itself while the voice speaks.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from tests.support.faulty_engine import FaultyEngine
from tests.support.qa_set import CAST, LINES, fault_rates, faulty_set

from bench.remote_voice import RemoteVoiceServer
from bench.report import ROOT, Section, fmt
from bench.voice_script import lighthouse_script
from podwright.audio.speech_check import assemble_whisper
from podwright.audio.whisper_checker import WhisperChecker
from podwright.config import data_dir, load_show
from podwright.core.show import QASettings, Tier, VoiceRef
from podwright.core.speech import TTSEngine
from podwright.pipeline.package import package_episode
from podwright.pipeline.take_review import CPU_BATCH_S, LineCheck, QAReport, TakeReview
from podwright.pipeline.voicing import ScriptVoicer, build_engines, cast_for
from podwright.tts.cache import ChunkCache
from podwright.tts.openai_speech import OpenAISpeechEngine
from podwright.tts.registry import create_engine

SHOW = ROOT / "examples" / "show.toml"
RENDER_WORDS = 300
REPEATS = 2
CPU_REPEATS = 3
"""The CPU renders compete with whatever else the 2 cores run: one more round, for a steadier median."""


def _models_dir() -> Path:
    """Where a studio assembles the bundled Whisper-base: the data dir's ``models/``."""
    return data_dir() / "models"


def detection(checker: WhisperChecker) -> tuple[list[list[str]], list[str]]:
    """Rows for the fault set: caught, false alarms, flags, and QA's own seconds."""
    qa_set = faulty_set(lines=len(LINES))
    engines: dict[str, TTSEngine] = {
        name: FaultyEngine(create_engine(name), qa_set.faults, stubborn=qa_set.stubborn)
        for name in ("hibari", "piper")
    }
    with (
        tempfile.TemporaryDirectory(prefix="podwright-bench-qa-") as folder,
        TakeReview(checker, QASettings()) as review,
    ):
        voicer = ScriptVoicer(engines, ChunkCache(Path(folder)), lexicon={}, review=review)
        voiced = voicer.voice(qa_set.script, CAST)
    assert voiced.qa is not None
    rates = fault_rates(voiced.qa, qa_set)
    qa = voiced.qa
    flagged_stubborn = sum(line.flagged for line in qa.lines if line.text in qa_set.stubborn)
    rows = [
        [
            "Faults caught (first take failed)",
            f"{rates.faults} faulty chunks",
            _share(rates.detected, rates.faults),
        ],
        ["Clean first takes failed", f"{rates.clean} clean chunks", _share(rates.clean_failed, rates.clean)],
        [
            "Clean lines flagged after retakes",
            f"{rates.clean} clean chunks",
            _share(rates.clean_flagged, rates.clean),
        ],
        [
            "Fixable faults fixed by a retake",
            f"{rates.faults - len(qa_set.stubborn)} chunks",
            _share(
                sum(not qa_by(qa, t).flagged for t in qa_set.faults if t not in qa_set.stubborn),
                rates.faults - len(qa_set.stubborn),
            ),
        ],
        ["Always-bad line flagged", f"{len(qa_set.stubborn)} chunk", f"{flagged_stubborn}, after 3 takes"],
        ["QA compute", f"{qa.takes_heard} takes in {qa.batches} batches", fmt(qa.compute_s, 1, " s")],
    ]
    notes = [f"missed: {m}" for m in rates.missed] + [f"false alarm: {a}" for a in rates.false_alarms]
    return rows, notes


def qa_by(report: QAReport, text: str) -> LineCheck:
    """The line of ``report`` whose text is ``text``."""
    return next(line for line in report.lines if line.text == text)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "—"


def _render(
    engines: Mapping[str, TTSEngine],
    review: TakeReview | None,
    *,
    words: int = RENDER_WORDS,
    cast: Mapping[str, VoiceRef] | None = None,
) -> tuple[float, QAReport | None]:
    show = load_show(SHOW)
    script = lighthouse_script(words)
    with tempfile.TemporaryDirectory(prefix="podwright-bench-qa-") as folder:
        started = time.perf_counter()
        voicer = ScriptVoicer(
            engines, ChunkCache(Path(folder) / "chunks"), lexicon=show.lexicon, review=review
        )
        voiced = voicer.voice(script, cast if cast is not None else cast_for(show, Tier.DRAFT))
        package_episode(script, voiced.clips, show, Path(folder) / "episode")
        return time.perf_counter() - started, voiced.qa


PER_CHUNK = QASettings(draft=True, batch_s=0.1)
"""Every take heard alone, the moment it exists: one Whisper window (and call) per take."""
PACKED = QASettings(draft=True)
"""The default: takes packed into 30-second windows, the windows of a batch through the model together."""


def _qa_rows(
    name: str, label: str, walls: list[float], off_s: float, compute: list[float], *, where: str = ""
) -> list[list[str]]:
    """The render, added-share and compute rows of one QA configuration (medians of its runs)."""
    on_s = statistics.median(walls)
    render = f"Render, {where}, QA {name}" if where else f"Render, QA {name}"
    tag = f"{where}, {name}" if where else name
    return [
        [render, label, fmt(on_s, 1, " s")],
        [f"QA's added wall time, {tag}", "on ÷ off − 1", f"{100 * (on_s / off_s - 1):.0f}%"],
        [f"QA compute, {tag}", "Whisper-base, int8, CPU", fmt(statistics.median(compute), 1, " s")],
    ]


def _runs(walls: Mapping[str, list[float]]) -> str:
    """Every configuration's runs, for the notes."""
    return "; ".join(
        f"{name} " + ", ".join(fmt(v, 1) for v in values) + " s" for name, values in walls.items()
    )


def wall_time(checker: WhisperChecker) -> tuple[list[list[str]], list[str]]:
    """QA off, per-chunk and packed for the draft cast, alternating, median of ``CPU_REPEATS`` each."""
    show = load_show(SHOW)
    engines = build_engines(cast_for(show, Tier.DRAFT))
    for engine in engines.values():
        engine.load()
    configs: dict[str, QASettings | None] = {"off": None, "per-chunk": PER_CHUNK, "packed": PACKED}
    walls: dict[str, list[float]] = {name: [] for name in configs}
    compute: dict[str, list[float]] = {name: [] for name in configs}
    windows: dict[str, int] = {}
    loads = [os.getloadavg()[0]]
    for _ in range(CPU_REPEATS):
        for name, settings in configs.items():
            if settings is None:
                walls[name].append(_render(engines, None)[0])
                continue
            before = checker.windows_heard
            with TakeReview(checker, settings) as review:
                wall, qa = _render(engines, review)
            walls[name].append(wall)
            compute[name].append(qa.compute_s if qa else 0.0)
            windows[name] = checker.windows_heard - before
            loads.append(os.getloadavg()[0])
    off_s = statistics.median(walls["off"])
    rows = [["Render, QA off", f"{RENDER_WORDS} words, draft cast", fmt(off_s, 1, " s")]]
    for name, label in (("per-chunk", "one Whisper call per take"), ("packed", "packed windows, batched")):
        rows += _qa_rows(name, f"{label}, {windows[name]} windows", walls[name], off_s, compute[name])
    runs = _runs(walls)
    notes = [
        f"Each configuration rendered {CPU_REPEATS}× into an empty chunk cache, alternating; medians. "
        f"Runs: {runs}.",
        "Load average (1 min) during the run: "
        + ", ".join(f"{value:.1f}" for value in loads)
        + f" on {os.cpu_count()} cores (the machine was shared); the ratios come from one run, side by side.",
        "Whisper runs beside synthesis on the same 2 cores, so on this CPU its compute mostly adds to the "
        "wall time; with a GPU or remote voice the CPU is idle while the voice speaks (the remote rows). "
        "Whisper's encoder reads a 30-second window whatever it holds: packing takes into full windows "
        "and batching the windows is what cuts its cost.",
    ]
    return rows, notes


REMOTE_WORDS = 200
REMOTE_LONG_WORDS = 600
REMOTE_RTF = 0.4
"""The stand-in GPU voice's real-time factor: seconds of work per second of speech (Chatterbox on a
consumer GPU runs at about 0.3-0.5), one request at a time."""
CPU_BATCHES = QASettings(draft=True, batch_s=CPU_BATCH_S)
"""The batches a voice on this CPU gets (240 s of takes), for comparison: Whisper hears after the voice."""


def remote_wall_time(checker: WhisperChecker) -> tuple[list[list[str]], list[str]]:
    """QA off, default batches (one window: the voice is off this CPU) and the CPU voices' 240-second
    batches, with the voice on a loopback 'GPU' server; then off and default on a longer script."""
    short_rows, short_notes = _remote_runs(
        checker, REMOTE_WORDS, {"off": None, "default": PACKED, "240-s batches": CPU_BATCHES}
    )
    long_rows, long_notes = _remote_runs(checker, REMOTE_LONG_WORDS, {"off": None, "default": PACKED})
    return short_rows + long_rows, short_notes + long_notes


def _remote_runs(
    checker: WhisperChecker, words: int, configs: Mapping[str, QASettings | None]
) -> tuple[list[list[str]], list[str]]:
    """``configs`` rendered alternately, ``REPEATS`` times each, with the voice on the loopback server."""
    show = load_show(SHOW)
    draft = cast_for(show, Tier.DRAFT)
    local = build_engines(draft)
    for engine in local.values():
        engine.load()
    cast = {host: VoiceRef(engine="openai_speech", voice=host) for host in draft}
    walls: dict[str, list[float]] = {name: [] for name in configs}
    compute: dict[str, list[float]] = {name: [] for name in configs}
    busy: dict[str, list[float]] = {name: [] for name in configs}
    reports: dict[str, QAReport] = {}
    loads = [os.getloadavg()[0]]
    with RemoteVoiceServer(local, draft, rtf=REMOTE_RTF) as server:
        engines: dict[str, TTSEngine] = {"openai_speech": OpenAISpeechEngine(server.base_url)}
        _render(engines, None, words=words, cast=cast)  # records every take, undelayed
        audio_s = sum(seconds for _, seconds in server.takes.values())
        server.play()
        for _ in range(REPEATS):
            for name, settings in configs.items():
                server.busy_s = 0.0
                if settings is None:
                    walls[name].append(_render(engines, None, words=words, cast=cast)[0])
                else:
                    with TakeReview(checker, settings) as review:
                        wall, qa = _render(engines, review, words=words, cast=cast)
                    walls[name].append(wall)
                    compute[name].append(qa.compute_s if qa else 0.0)
                    if qa is not None:
                        reports[name] = qa
                busy[name].append(server.busy_s)
                loads.append(os.getloadavg()[0])
    off_s = statistics.median(walls["off"])
    where = f"remote voice, {words} words"
    rows = [
        [
            f"Render, {where}, QA off",
            f"{audio_s:.0f} s of speech, RTF {REMOTE_RTF:g}",
            fmt(off_s, 1, " s"),
        ]
    ]
    labels = {
        "default": f"one window a batch ({PACKED.window_s:g} s): no voice on this CPU",
        "240-s batches": f"batch_s {CPU_BATCH_S:g}, a CPU voice's default",
    }
    for name in configs:
        if name == "off":
            continue
        qa = reports[name]
        label = labels[name] + (
            f", {qa.takes_heard} takes ({qa.retakes} retakes, {len(qa.flagged)} flagged)"
            f" in {qa.batches} batches"
        )
        on_s = statistics.median(walls[name])
        rows += _qa_rows(name, label, walls[name], off_s, compute[name], where=where)
        rows.append([f"QA's added seconds, {where}, {name}", "on − off", fmt(on_s - off_s, 1, " s")])
    runs = _runs(walls)
    gpu = "; ".join(f"{name} {statistics.median(values):.1f} s" for name, values in busy.items())
    notes = [
        f"Remote voice, {words} words: `openai_speech` against a loopback server (bench/remote_voice.py) "
        "that answers takes the draft cast voiced before the timed runs, each after sleeping its audio "
        f"seconds × {REMOTE_RTF:g} (a GPU voice's pace, one request at a time; 'GPU' time per render, "
        f"retakes included: {gpu}; a retake gets the same recorded take, so QA learns the voice ignores "
        "the seed and hears a failed line once more instead of retaking it), so the CPU is idle while "
        f"the voice speaks. Renders alternate, {REPEATS}× each, medians. Runs: {runs}. "
        "Load average (1 min): " + ", ".join(f"{value:.1f}" for value in loads) + ".",
    ]
    if "240-s batches" in configs:
        notes.append(
            "When no voice computes on this CPU, QA hears each 30-second window as soon as it fills "
            "(`TakeReview.fit_to`), while the voice is still speaking. With 240-second batches a short "
            "script's takes never fill one, so Whisper hears them all at the end: QA runs after the "
            "voice, not beside it. What stays serial either way is the last window and a failed take's "
            "loop (heard, confirmed alone, retaken, heard again): the voice waits on each verdict, so "
            "QA's added seconds are about the same for a longer script and its share falls."
        )
    return rows, notes


def run() -> Section:
    """The three measurements, as one section."""
    checker = WhisperChecker(assemble_whisper(_models_dir()))
    checker.load()
    detect_rows, detect_notes = detection(checker)
    wall_rows, wall_notes = wall_time(checker)
    remote_rows, remote_notes = remote_wall_time(checker)
    return Section(
        name="qa",
        title="Take QA: faults heard, clean takes passed, added wall time",
        summary=(
            "Every synthesized chunk heard back by the bundled Whisper-base (faster-whisper, int8, CPU) and "
            "checked (word errors after normalization, length for its words, silence, trailing noise, "
            "clipping) with the default `[qa]` thresholds; the draft cast (hibari `heart`, piper `joe`)."
        ),
        header=["Measure", "Setting", "Result"],
        rows=detect_rows + wall_rows + remote_rows,
        notes=[*detect_notes, *wall_notes, *remote_notes],
    )
