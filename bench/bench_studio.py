"""Studio benchmark: from saving an edited line to hearing it, and the server time of the queue and
episode pages with a small and a large backlog / script, side by side in one run.

- edit → hear: POST the edited line, then GET its audio (what the page's *Save & hear* does), with
  the offline voices, against a full draft render of the same episode measured in the same run.
- queue page: GET /queue with 10 and with 10,000 queued jobs.
- episode page: GET /e/... for a 5-minute and a 60-minute script (≈150 words a minute).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from tests.support.fake_openai import FakeChatServer
from tests.support.loopback_show import answer_any_stage, loopback_show_file

from bench.report import Section, fmt
from podwright.app import Studio
from podwright.config import load_show, resolve_settings
from podwright.core import EpisodeRequest, Script, Segment, Tier, Turn
from podwright.store.jobs import JobStore
from podwright.web.app import create_app

SENTENCE = "the night sky is dark because the universe is young and light travels at a finite speed"
WORDS = SENTENCE.split(" ")


def _script(show_slug: str, episode_id: str, minutes: float) -> Script:
    turns_needed = max(1, round(minutes * 150 / 45))
    segments = []
    per_segment = max(1, turns_needed // 6)
    for s in range(6):
        turns = tuple(
            Turn(
                host="maya" if t % 2 == 0 else "joe",
                text=" ".join(WORDS[(t + i) % len(WORDS)] for i in range(45)) + ".",
            )
            for t in range(per_segment)
        )
        segments.append(Segment(kind="deep_dive", title=f"Part {s + 1}", turns=turns))
    return Script(
        episode_id=episode_id,
        show_slug=show_slug,
        title=f"A {minutes:g}-minute episode",
        hosts={"maya": "Maya", "joe": "Joe"},
        segments=tuple(segments),
    )


async def _time(client: httpx.AsyncClient, path: str, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = await client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return statistics.median(times)


async def _bench(root: Path) -> Section:
    os.environ["PODWRIGHT_HOME"] = str(root / "home")
    os.environ["OPENROUTER_API_KEY"] = "sk-bench"
    rows: list[list[str]] = []
    with FakeChatServer(answer_any_stage) as server:
        shows = root / "shows"
        shows.mkdir()
        show_file = loopback_show_file(shows, server.base_url, name="curious-minutes.toml")
        settings = dataclasses.replace(resolve_settings(out_root=root / "out"), private_sources=False)
        studio = Studio(settings, show_loader=load_show)
        app = create_app(studio, shows_dir=shows)
        token = app.state.web.locks.start_token
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
            page = await client.get(f"/episodes?token={token}", follow_redirects=True)
            csrf = page.text.split('name="csrf" content="', 1)[1].split('"', 1)[0]
            show = studio.load_show(show_file)
            key = (await studio.write_script(show, topic="Why the night sky is dark", minutes=2)).episode.key

            started = time.perf_counter()
            await studio.render(key, Tier.DRAFT)
            render_s = time.perf_counter() - started
            await client.get(
                f"/e/{key}/lines/0/0/audio?tier=draft"
            )  # engines loaded once, like a warm studio
            hears = []
            for n in range(5):
                started = time.perf_counter()
                saved = await client.post(
                    f"/e/{key}/lines/1/{n % 2}",
                    data={"text": f"Edit number {n + 1}: the sky is dark because the universe is young."},
                    headers={"X-CSRF-Token": csrf},
                )
                assert saved.status_code == 200, saved.text
                audio = await client.get(f"/e/{key}/lines/1/{n % 2}/audio?tier=draft")
                assert audio.content[:4] == b"RIFF"
                hears.append(time.perf_counter() - started)
            hear_s = statistics.median(hears)
            rows.append(
                [
                    "edit → hear one line (median of 5)",
                    fmt(hear_s, 2, " s"),
                    "full draft render",
                    fmt(render_s, 2, " s"),
                    fmt(render_s / hear_s, 1, "×"),
                ]
            )

            jobs = JobStore(studio.conn)

            def add_jobs(count: int, start: int) -> None:
                for i in range(start, start + count):
                    request = EpisodeRequest(
                        episode_id=f"job-{i:05d}", topic=f"Topic {i}", target_minutes=5 + i % 30
                    )
                    jobs.add(request, str(show_file), review=False, estimate_audio_s=300.0, rtf=0.05)

            add_jobs(10, 0)
            small = await _time(client, "/queue")
            add_jobs(9_990, 10)
            large = await _time(client, "/queue", repeat=3)
            rows.append(
                [
                    "queue page, 10 jobs",
                    fmt(small * 1000, 1, " ms"),
                    "10,000 jobs",
                    fmt(large * 1000, 1, " ms"),
                    fmt(large / small, 1, "×"),
                ]
            )

            times = {}
            for minutes in (5, 60):
                folder = root / "out" / "curious-minutes" / f"long-{minutes}"
                folder.mkdir(parents=True)
                script = _script("curious-minutes", f"long-{minutes}", minutes)
                (folder / "script.json").write_text(script.model_dump_json(indent=2), encoding="utf-8")
                (folder / "show.json").write_text(show.model_dump_json(indent=2), encoding="utf-8")
                record = studio.episode(folder)
                times[minutes] = await _time(client, f"/e/{record.key}")
            rows.append(
                [
                    "episode page, 5-minute script",
                    fmt(times[5] * 1000, 1, " ms"),
                    "60-minute script",
                    fmt(times[60] * 1000, 1, " ms"),
                    fmt(times[60] / times[5], 1, "×"),
                ]
            )
        studio.close()
    return Section(
        name="studio",
        title="Studio: edit → hear, and page server time",
        summary=(
            "Saving an edited line and fetching its audio, as the episode page's *Save & hear* does "
            "(offline voices, engines warm), against a full draft render of the same 2-minute episode; "
            "and the server time of the queue and episode pages (httpx against the app, no network)."
        ),
        header=["measure", "small", "against", "large", "ratio"],
        rows=rows,
        notes=[
            "Only the edited line's sentences are synthesized; the rest of the episode stays in the cache.",
            "The queue page lists 200 jobs per state but reads every job once and orders the waiting"
            " ones for their render positions: its time grows linearly with the backlog.",
        ],
    )


def run() -> Section:
    with tempfile.TemporaryDirectory(prefix="bench-studio-") as tmp:
        return asyncio.run(_bench(Path(tmp)))
