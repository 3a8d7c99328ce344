"""Script stage: a naive pipeline vs podwright's, side by side against one loopback provider.

Both write a 10-minute episode of the starter show through the same HTTP client, retry and
ledger stack, against ``FakeChatServer`` with a latency model (time to first token + tokens/s) and
its simulated prompt cache; cost comes from one price table (podwright.llm.pricing).

- naive: every call in sequence; the prompt is one user message with the per-call instruction
  first (so no two calls share a prefix); intro, conclusion, metadata and image prompts read the
  full dialogue; one (primary) model for every task.
- podwright: ScriptPipeline as shipped — static prefix first and byte-identical, the first
  segment primes the cache, the rest concurrently; a light-model summary feeds intro ∥ conclusion ∥
  metadata ∥ image prompts; formulaic tasks routed to the light model.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from tests.stages.shows import starter_show
from tests.support.fake_openai import FakeChatServer
from tests.support.script_responder import script_responder

from bench.report import Section, fmt
from podwright.core import (
    CallRecord,
    EpisodeRequest,
    LLMClient,
    LLMRequest,
    LLMResponse,
    Message,
    ModelTier,
    Segment,
    Show,
    Task,
)
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.pricing import PRICE_TABLE_DATE
from podwright.llm.stack import build_stack
from podwright.llm.structured import complete_json
from podwright.pipeline.script import ScriptPipeline
from podwright.stages import bookends, dialogue, image_prompts, metadata, outline, research, summary
from podwright.stages.sizing import size_episode

MINUTES = 10.0
TTFT_S = 0.5
TOKENS_PER_S = 120.0
"""Latency model of the provider: a mid-size frontier model's typical streaming speed."""


class ListLedger:
    """Call records kept in memory (the CLI keeps them in SQLite)."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    def record_call(self, record: CallRecord) -> None:
        self.records.append(record)


def _show(base_url: str, *, naive: bool) -> Show:
    show = starter_show()
    llm = show.llm.model_copy(
        update={
            "provider": "openai_compat",
            "base_url": base_url,
            # naive: one model for every task
            "tasks": {task: ModelTier.PRIMARY for task in Task} if naive else {},
        }
    )
    return show.model_copy(update={"llm": llm, "budget_usd": None})


class ScrambledPrefix:
    """The naive prompt layout: one user message, per-call instruction first, static context after."""

    def __init__(self, inner: LLMClient) -> None:
        self.inner = inner

    async def complete(self, request: LLMRequest) -> LLMResponse:
        parts = [message.content for message in request.messages]
        merged = "\n\n".join([parts[-1], *parts[:-1]])
        return await self.inner.complete(
            request.model_copy(update={"messages": (Message(role="user", content=merged),)})
        )


async def naive_write(client: LLMClient, show: Show, request: EpisodeRequest) -> None:
    """The naive pipeline: every call in sequence, full dialogue everywhere, no summary."""
    size = size_episode(show, request.target_minutes)
    brief, _ = await complete_json(client, research.build_request(show, request, (), size), research.RESPONSE)
    draft, _ = await complete_json(
        client, outline.build_request(show, request, brief, size), outline.OutlineDraft
    )
    plan = outline.parse(draft, show, size)
    answer_model = dialogue.dialogue_model(show)
    body: list[Segment] = []
    for index in range(1, len(plan.segments) + 1):
        segment_request = dialogue.build_request(
            show,
            brief,
            plan,
            index,
            episode_id=request.episode_id,
            previous_turns=body[-1].turns if body else (),
        )
        answer, _ = await complete_json(client, segment_request, answer_model)
        spec = plan.segments[index - 1]
        body.append(dialogue.parse(answer, kind=spec.kind, title=spec.title))
    full = summary.transcript(show, body)
    titles = ["Intro", *(segment.title for segment in body), "Conclusion"]
    for which, words in (("intro", size.intro_words), ("conclusion", size.conclusion_words)):
        bookend = bookends.build_request(
            show, which, title=plan.title, body=body, summary=full, words=words, episode_id=request.episode_id
        )
        await complete_json(client, bookend, answer_model)
    meta = metadata.build_request(
        show, working_title=plan.title, segment_titles=titles, summary=full, episode_id=request.episode_id
    )
    await complete_json(client, meta, metadata.MetadataDraft)
    prompts = image_prompts.build_request(
        show, title=plan.title, segment_titles=titles, summary=full, episode_id=request.episode_id
    )
    await complete_json(client, prompts, image_prompts.ImagePromptsDraft)


@dataclass
class Outcome:
    """One pipeline's figures."""

    wall_s: float
    critical_path_s: float
    calls: int
    input_tokens: int
    cached_tokens: int
    output_tokens: int
    cost_usd: float | None


def _totals(ledger: ListLedger, wall_s: float, critical_path_s: float) -> Outcome:
    records = [r for r in ledger.records if r.error_class is None]
    costs = [r.usage.cost_usd for r in records]
    return Outcome(
        wall_s=wall_s,
        critical_path_s=critical_path_s,
        calls=len(records),
        input_tokens=sum(r.usage.input_tokens for r in records),
        cached_tokens=sum(r.usage.cached_tokens for r in records),
        output_tokens=sum(r.usage.output_tokens for r in records),
        cost_usd=None if any(c is None for c in costs) else sum(c for c in costs if c is not None),
    )


def _provider_critical_path(requests: list[Any], *, naive: bool) -> float:
    """The call graph's lower bound from the provider's own per-call durations (arrival → answer)."""
    calls = sorted((r for r in requests if r.status == 200 and r.finished), key=lambda r: r.arrived)
    durations = [(r.body["response_format"]["json_schema"]["name"], r.finished - r.arrived) for r in calls]
    if naive:
        return sum(d for _, d in durations)
    by_name: dict[str, list[float]] = {}
    for name, duration in durations:
        by_name.setdefault(name, []).append(duration)
    dialogue_calls = by_name["dialogue"]
    segments, bookend_calls = dialogue_calls[:-2], dialogue_calls[-2:]
    return (
        max(by_name["research_brief"])
        + max(by_name["outline"])
        + segments[0]
        + max(segments[1:])
        + max(by_name["summary"])
        + max([*bookend_calls, *by_name["metadata"], *by_name["image_prompts"]])
    )


async def _run(base_url: str, *, naive: bool, episode_id: str) -> Outcome:
    show = _show(base_url, naive=naive)
    request = EpisodeRequest(episode_id=episode_id, topic="Why the night sky is dark", target_minutes=MINUTES)
    ledger = ListLedger()
    provider = OpenAICompatClient(base_url, "bench-key", timeout_s=60)
    inner: LLMClient = ScrambledPrefix(provider) if naive else provider
    client = build_stack(inner, show.llm, provider="openai_compat", ledger=ledger, budget_usd=None)
    started = time.perf_counter()
    try:
        if naive:
            await naive_write(client, show, request)
        else:
            await ScriptPipeline(client, show).write(request)
    finally:
        await provider.aclose()
    return _totals(ledger, time.perf_counter() - started, 0.0)


def run() -> Section:
    """Measure both pipelines against one server, alternating, and return the table."""
    show = starter_show()
    with FakeChatServer(script_responder(show), ttft_s=TTFT_S, tokens_per_s=TOKENS_PER_S) as server:
        naive = asyncio.run(_run(server.base_url, naive=True, episode_id="bench-naive"))
        naive.critical_path_s = _provider_critical_path(server.requests, naive=True)
        server.reset()
        ours = asyncio.run(_run(server.base_url, naive=False, episode_id="bench-podwright"))
        ours.critical_path_s = _provider_critical_path(server.requests, naive=False)
    saving = None
    if naive.cost_usd and ours.cost_usd is not None:
        saving = 1 - ours.cost_usd / naive.cost_usd
    rows = []
    for label, outcome in (("naive", naive), ("podwright", ours)):
        rows.append(
            [
                label,
                str(outcome.calls),
                fmt(outcome.wall_s, 1, " s"),
                fmt(outcome.critical_path_s, 1, " s"),
                fmt(outcome.wall_s / outcome.critical_path_s, 2, "×"),
                f"{outcome.input_tokens:,}",
                f"{outcome.cached_tokens:,}",
                f"{outcome.output_tokens:,}",
                fmt(outcome.cost_usd, 4, " $") if outcome.cost_usd is not None else "unknown",
            ]
        )
    notes = [
        f"Provider latency model: {TTFT_S} s to first token + {TOKENS_PER_S:g} tokens/s; prompt cache "
        "from 1,024 tokens (FakeChatServer); prices from podwright's table dated "
        f"{PRICE_TABLE_DATE} (primary anthropic/claude-sonnet-4.5, light google/gemini-2.5-flash-lite).",
        f"Wall time: podwright {ours.wall_s:.1f} s vs naive {naive.wall_s:.1f} s "
        f"({naive.wall_s / ours.wall_s:.2f}× faster); podwright within "
        f"{ours.wall_s / ours.critical_path_s:.2f}× of its call graph's critical path (goal ≤ 1.15×).",
        "Critical path = the longest chain of the pipeline's call graph, from the provider's own "
        "per-call durations (arrival → answer at the server): research + outline + segment 1 + the "
        "slowest other segment + summary + the slowest of intro/conclusion/metadata/image prompts for "
        "podwright; the sum of all calls for the sequential naive pipeline.",
        f"Cost: {fmt(saving * 100 if saving is not None else None, 1, '%')} lower than naive "
        "(goal ≥ 12%, the figure production pipelines report).",
    ]
    return Section(
        name="script",
        title=f"Script stage: naive vs podwright ({MINUTES:g}-minute episode, loopback provider)",
        summary="One run, both pipelines against the same server and price table.",
        header=[
            "pipeline",
            "calls",
            "wall",
            "critical path",
            "wall ÷ path",
            "input tok",
            "cached tok",
            "output tok",
            "cost",
        ],
        rows=rows,
        notes=notes,
    )


if __name__ == "__main__":
    print(json.dumps(run().rows, indent=2))
