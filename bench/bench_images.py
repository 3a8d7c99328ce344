"""Studio: the image phase (sequential vs the 4-worker pool) and light-model routing savings.

Images: six images against the loopback image server at a production-like latency (several
seconds each), one worker then the pool, in one run.

Routing: the same episode's script written twice against the loopback chat server, once with the
shipped routing (metadata and image prompts on the light model) and once with every task on the
primary model; the two stages' cost and latency are read back from the SQLite ledger.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from tests.stages.shows import starter_show
from tests.support.fake_images import image_phase_benchmark
from tests.support.fake_openai import FakeChatServer
from tests.support.script_responder import script_responder

from bench.report import Section, fmt
from podwright.core import EpisodeRequest, ModelTier, Show, Task
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.pricing import PRICE_TABLE_DATE
from podwright.llm.stack import build_stack
from podwright.pipeline.script import ScriptPipeline
from podwright.store.db import connect
from podwright.store.ledger import SQLiteLedger, stage_totals

IMAGE_LATENCY_S = 4.0
LIGHT_STAGES = ("metadata", "image-prompts")


def _show(base_url: str, *, routed: bool) -> Show:
    show = starter_show()
    tasks = {} if routed else {task: ModelTier.PRIMARY for task in Task}
    llm = show.llm.model_copy(update={"provider": "openai_compat", "base_url": base_url, "tasks": tasks})
    return show.model_copy(update={"llm": llm, "budget_usd": None})


async def _script(base_url: str, db: Path, *, routed: bool, episode_id: str) -> None:
    show = _show(base_url, routed=routed)
    conn = connect(db)
    provider = OpenAICompatClient(base_url, "bench-key", timeout_s=60)
    try:
        client = build_stack(
            provider, show.llm, provider="openai_compat", ledger=SQLiteLedger(conn), budget_usd=None
        )
        request = EpisodeRequest(episode_id=episode_id, topic="Why the night sky is dark", target_minutes=10)
        await ScriptPipeline(client, show).write(request)
    finally:
        await provider.aclose()
        conn.close()


def _routing() -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="podwright-bench-routing-") as tmp:
        db = Path(tmp) / "ledger.db"
        with FakeChatServer(script_responder(starter_show()), ttft_s=0.5, tokens_per_s=120.0) as server:
            asyncio.run(_script(server.base_url, db, routed=False, episode_id="primary-only"))
            asyncio.run(_script(server.base_url, db, routed=True, episode_id="routed"))
        conn = connect(db)
        try:
            totals = {
                episode: {t.stage: t for t in stage_totals(conn, episode)}
                for episode in ("primary-only", "routed")
            }
        finally:
            conn.close()
    for stage in LIGHT_STAGES:
        primary, light = totals["primary-only"][stage], totals["routed"][stage]
        saving = None
        if primary.cost_usd and light.cost_usd is not None:
            saving = primary.cost_usd - light.cost_usd
        rows.append(
            [
                stage,
                ", ".join(primary.models),
                fmt(primary.cost_usd, 5, " $"),
                ", ".join(light.models),
                fmt(light.cost_usd, 5, " $"),
                fmt(saving, 5, " $"),
            ]
        )
    return rows


def run() -> Section:
    """Time the image phase both ways, then the routing comparison."""
    timings = asyncio.run(image_phase_benchmark(latency_s=IMAGE_LATENCY_S, images=6, workers=4))
    rows = [
        ["sequential (1 worker)", fmt(timings.sequential_s, 1, " s"), "1.00×"],
        [
            f"pool ({timings.workers} workers)",
            fmt(timings.pool_s, 1, " s"),
            fmt(timings.sequential_s / timings.pool_s, 2, "×"),
        ],
    ]
    routing = _routing()
    table = [
        "| stage | model (all primary) | cost | model (routed) | cost | saving per episode |",
        "|---|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in routing),
    ]
    notes = [
        f"Image phase: {timings.images} images at {IMAGE_LATENCY_S:g} s each against the loopback image "
        f"server; the pool is {timings.saving * 100:.0f}% faster than one at a time (production "
        "pipelines report ~66%).",
        "Light vs primary routing for the formulaic stages, read back from the SQLite ledger "
        f"(`podwright costs` shows the same rows; prices dated {PRICE_TABLE_DATE}):\n\n" + "\n".join(table),
    ]
    return Section(
        name="images",
        title="Studio: image pool and light-model routing",
        summary="One run: the image phase both ways, then one 10-minute script with and without routing.",
        header=["image phase", "wall", "speed-up"],
        rows=rows,
        notes=notes,
    )
