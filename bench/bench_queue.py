"""Production queue: warm render session vs cold runs (real voices), and the simulated backlog.

Real: six short episodes (staged scripts, the starter show's hibari + piper cast) rendered in one
warm session vs six fresh worker processes, each with its own empty chunk cache, so every run
synthesizes every chunk. Billed seconds are what a per-second machine bills: the session for the
warm run, the whole process (interpreter, imports, engine load, render) for a cold one.

Simulated: a 50-episode backlog shaped like production (20-minute standard episodes on an A100,
30–60 s cold starts, a short/medium/long mix) under FIFO, shortest-first and shortest-first with
aging on two GPUs, and the planner's serverless vs dedicated cost.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

from tests.stages.shows import starter_show

from bench.report import Section, fmt
from podwright.core import Script, Segment, Turn
from podwright.pipeline.run_record import atomic_write_text
from podwright.scheduler.simulate import run_production_scenario
from podwright.scheduler.warm_cold import RunFigures, WarmColdFigures, cold_run, stage_episode, warm_run
from podwright.scheduler.work import pipeline_renderer
from podwright.store.db import connect
from podwright.store.jobs import JobStore

EPISODES = 6
ROOT = Path(__file__).resolve().parents[1]
LINES = [
    "Light leaves a star and travels for thousands of years before it reaches us.",
    "So when you look up, you are seeing the sky as it was, not as it is.",
    "If the universe were infinite and ancient, every line of sight would end on a star.",
    "That is the puzzle: the night would blaze like the surface of the sun.",
    "The answer is that the universe has an age, and light has a speed.",
    "Most of the light that could reach us simply has not arrived yet.",
    "And the expansion of space stretches the light that does arrive into the infrared.",
    "Darkness, it turns out, is a measurement of the age of everything.",
]


def _script(index: int) -> Script:
    lines = itertools.cycle(LINES[index % len(LINES) :] + LINES[: index % len(LINES)])
    hosts = itertools.cycle(["maya", "joe"])
    segments = tuple(
        Segment(
            kind="body",
            title=f"Part {n}",
            turns=tuple(Turn(host=next(hosts), text=f"{next(lines)} {next(lines)}") for _ in range(3)),
        )
        for n in range(1, 4)
    )
    return Script(
        episode_id=f"ep-{index}",
        show_slug="curious-minutes",
        title=f"Episode {index}",
        hosts={"maya": "Maya", "joe": "Joe"},
        segments=segments,
    )


def _stage(db: Path, root: Path, indexes: list[int]) -> None:
    show = starter_show()
    jobs = JobStore(connect(db))
    try:
        for index in indexes:
            script = _script(index)
            folder = root / script.episode_id
            folder.mkdir(parents=True)
            atomic_write_text(folder / "script.json", script.model_dump_json())
            atomic_write_text(folder / "show.json", show.model_dump_json())
            stage_episode(
                jobs,
                folder,
                episode_id=script.episode_id,
                show_path=folder / "show.json",
                word_count=script.word_count,
            )
    finally:
        jobs.conn.close()


def _real(overlap: bool) -> WarmColdFigures:
    with tempfile.TemporaryDirectory(prefix="podwright-bench-queue-") as tmp:
        base = Path(tmp)
        _stage(base / "warm.db", base / "warm", list(range(EPISODES)))
        renderer = pipeline_renderer(str(base / "warm-chunks"), preload="hibari,piper", overlap=str(overlap))
        warm = warm_run(base / "warm.db", renderer)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
        cold: list[RunFigures] = []
        for index in range(EPISODES):
            db = base / f"cold-{index}.db"
            _stage(db, base / f"cold-{index}", [index])
            options = {"cache_dir": str(base / f"cold-{index}-chunks"), "preload": "hibari,piper"}
            cold.append(
                cold_run(db, "podwright.scheduler.work:pipeline_renderer", renderer_options=options, env=env)
            )
    return WarmColdFigures(warm, tuple(cold))


def run() -> Section:
    """Measure the real warm-vs-cold runs, then the simulated backlog."""
    rows = []
    real = {}
    for overlap in (False, True):
        figures = _real(overlap)
        real[overlap] = figures
        cold_wall = sum(r.wall_s for r in figures.cold)
        cold_billed = sum(r.billed_s for r in figures.cold)
        label = "warm session, packaging beside voicing" if overlap else "warm session, packaging inline"
        rows.append(
            [
                label,
                fmt(figures.warm.wall_s, 1, " s"),
                fmt(figures.warm.billed_s, 1, " s"),
                fmt(figures.warm.active_s, 1, " s"),
                fmt(figures.warm.cold_start_s, 2, " s"),
                fmt(figures.warm.utilization * 100, 1, "%"),
            ]
        )
        rows.append(
            [
                f"{EPISODES} cold runs (fresh process each), same {label.split(', ')[1]}",
                fmt(cold_wall, 1, " s"),
                fmt(cold_billed, 1, " s"),
                fmt(sum(r.active_s for r in figures.cold), 1, " s"),
                fmt(sum(r.cold_start_s for r in figures.cold), 2, " s"),
                fmt(figures.cold_utilization * 100, 1, "%"),
            ]
        )
    scenario = run_production_scenario()
    results = scenario.results
    sim_rows = [
        [
            name,
            fmt(result.mean_completion_s / 60, 1, " min"),
            fmt(result.p95_completion_s / 60, 1, " min"),
            fmt(result.max_wait_s / 60, 1, " min"),
            fmt(result.makespan_s / 60, 1, " min"),
            fmt(result.utilization * 100, 1, "%"),
            fmt(scenario.serverless_usd(name), 2, " $"),
        ]
        for name, result in results.items()
    ]
    plan = scenario.plan
    notes = [
        f"Real: {EPISODES} episodes of about {_script(0).word_count} words (hibari + piper, CPU). "
        f"Warm vs cold wall time: {real[False].wall_ratio:.2f}× (inline packaging), "
        f"{real[True].wall_ratio:.2f}× (packaging beside voicing). Utilization = active synthesis "
        "seconds ÷ billed seconds; goal for the warm session ≥ 95%.",
        f"Shortest-first with aging cuts mean completion time by {scenario.mean_completion_gain * 100:.1f}% "
        f"vs FIFO (goal ≥ 25%), on {scenario.machines} × {scenario.gpu.name} with a "
        f"{scenario.cold_start_s:.0f} s cold start.",
        f"Planner for this backlog: serverless {fmt(plan.serverless_usd, 2, ' $')} vs dedicated "
        f"{fmt(plan.dedicated_usd, 2, ' $')}; dedicated wins above "
        f"{fmt(None if plan.break_even_utilization is None else plan.break_even_utilization * 100, 1, '%')} "
        "busy (prices: src/podwright/data/prices.toml).",
    ]
    section = Section(
        name="queue",
        title="Production queue: warm sessions and render order",
        summary="Real runs on this machine with the offline voices, then the simulated production backlog.",
        header=["run", "wall", "billed", "active", "cold start", "utilization"],
        rows=rows,
        notes=notes,
    )
    simulated = [
        "",
        "| policy | mean completion | p95 | longest wait | makespan | utilization | serverless $ |",
    ]
    simulated.append("|---|---|---|---|---|---|---|")
    simulated += ["| " + " | ".join(row) + " |" for row in sim_rows]
    section.notes.append("Simulated 50-episode backlog:\n" + "\n".join(simulated))
    return section
