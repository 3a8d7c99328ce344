"""Take-QA benchmark: how well QA hears faults, and what it adds to a render's wall time on this CPU.

Run with `.venv/bin/python -m bench qa`. Measured in this one run:

1. the take-QA set (tests/support/qa_set.py): every line of it voiced by the draft cast (hibari and
   piper), one chunk in five spoiled (truncation, repetition, trailing noise, silence, garble), heard
   by the bundled Whisper-base: faults caught on their first take, clean first takes failed, clean
   lines flagged after retakes;
2. a ~300-word two-host script rendered (voiced and packaged) into an empty chunk cache with QA off,
   with every take heard alone (one Whisper call per take) and with the default packed QA (takes in
   30-second windows, the windows batched), alternating, twice each; the median wall time of each, QA's
   added share and its compute seconds; the load average, since the machine may be shared.
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

from bench.report import ROOT, Section, fmt
from bench.voice_script import lighthouse_script
from podwright.audio.speech_check import assemble_whisper
from podwright.audio.whisper_checker import WhisperChecker
from podwright.config import data_dir, load_show
from podwright.core.show import QASettings, Tier
from podwright.core.speech import TTSEngine
from podwright.pipeline.package import package_episode
from podwright.pipeline.take_review import LineCheck, QAReport, TakeReview
from podwright.pipeline.voicing import ScriptVoicer, build_engines, cast_for
from podwright.tts.cache import ChunkCache
from podwright.tts.registry import create_engine

SHOW = ROOT / "examples" / "show.toml"
RENDER_WORDS = 300
REPEATS = 2


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


def _render(engines: Mapping[str, TTSEngine], review: TakeReview | None) -> tuple[float, QAReport | None]:
    show = load_show(SHOW)
    script = lighthouse_script(RENDER_WORDS)
    with tempfile.TemporaryDirectory(prefix="podwright-bench-qa-") as folder:
        started = time.perf_counter()
        voicer = ScriptVoicer(
            engines, ChunkCache(Path(folder) / "chunks"), lexicon=show.lexicon, review=review
        )
        voiced = voicer.voice(script, cast_for(show, Tier.DRAFT))
        package_episode(script, voiced.clips, show, Path(folder) / "episode")
        return time.perf_counter() - started, voiced.qa


PER_CHUNK = QASettings(draft=True, batch_s=0.1)
"""Every take heard alone, the moment it exists: one Whisper window (and call) per take."""
PACKED = QASettings(draft=True)
"""The default: takes packed into 30-second windows, the windows of a batch through the model together."""


def wall_time(checker: WhisperChecker) -> tuple[list[list[str]], list[str]]:
    """QA off, per-chunk and packed for the draft cast, alternating, median of ``REPEATS`` each."""
    show = load_show(SHOW)
    engines = build_engines(cast_for(show, Tier.DRAFT))
    for engine in engines.values():
        engine.load()
    configs: dict[str, QASettings | None] = {"off": None, "per-chunk": PER_CHUNK, "packed": PACKED}
    walls: dict[str, list[float]] = {name: [] for name in configs}
    compute: dict[str, list[float]] = {name: [] for name in configs}
    windows: dict[str, int] = {}
    loads = [os.getloadavg()[0]]
    for _ in range(REPEATS):
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
        on_s = statistics.median(walls[name])
        rows += [
            [f"Render, QA {name}", f"{label}, {windows[name]} windows", fmt(on_s, 1, " s")],
            [f"QA's added wall time, {name}", "on ÷ off − 1", f"{100 * (on_s / off_s - 1):.0f}%"],
            [
                f"QA compute, {name}",
                "Whisper-base, int8, CPU",
                fmt(statistics.median(compute[name]), 1, " s"),
            ],
        ]
    runs = "; ".join(
        f"{name} " + ", ".join(fmt(v, 1) for v in values) + " s" for name, values in walls.items()
    )
    notes = [
        f"Each configuration rendered {REPEATS}× into an empty chunk cache, alternating; medians. "
        f"Runs: {runs}.",
        "Load average (1 min) during the run: "
        + ", ".join(f"{value:.1f}" for value in loads)
        + f" on {os.cpu_count()} cores (the machine was shared); the ratios come from one run, side by side.",
        "Whisper runs beside synthesis on the same 2 cores, so on this CPU its compute mostly adds to the "
        "wall time; with a GPU voice the CPU is idle while the GPU speaks and QA hides behind it. "
        "Whisper's encoder reads a 30-second window whatever it holds: packing takes into full windows "
        "and batching the windows is what cuts its cost.",
    ]
    return rows, notes


def run() -> Section:
    """Both measurements, as one section."""
    checker = WhisperChecker(assemble_whisper(_models_dir()))
    checker.load()
    detect_rows, detect_notes = detection(checker)
    wall_rows, wall_notes = wall_time(checker)
    return Section(
        name="qa",
        title="Take QA: faults heard, clean takes passed, added wall time",
        summary=(
            "Every synthesized chunk heard back by the bundled Whisper-base (faster-whisper, int8, CPU) and "
            "checked (word errors after normalization, length for its words, silence, trailing noise, "
            "clipping) with the default `[qa]` thresholds; the draft cast (hibari `heart`, piper `joe`)."
        ),
        header=["Measure", "Setting", "Result"],
        rows=detect_rows + wall_rows,
        notes=[*detect_notes, *wall_notes],
    )
