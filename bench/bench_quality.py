"""Segment quality: the share of segments passing each structure check, before and after the repair pass.

Ten fixed topics (bench/quality_topics.py) go through the real ScriptPipeline twice:

- embedded: the local llama.cpp model (Qwen2.5-Coder-1.5B, the offline default) writes every dialogue
  call (body segments, intro, conclusion and their repairs), the body segments one after another as
  the CLI has it write them (``sequential=True``). Research, outline, summary, metadata and
  image prompts are answered from the topic's fixed plan, so the model's time goes to what is
  measured; episodes are 1 minute long (five dialogue calls each, the same as a longer one, but
  shorter answers) so the ten fit in about an hour on 2 shared cores. The section is rewritten
  after every topic, so a run stopped early still reports what it finished, and says so.
- loopback: FakeChatServer (latency model and prompt cache) behind the real HTTP client stack; its
  writer plants one flaw in five of every six first drafts, in rotation (one turn, one host, a
  greeting, a cut-off turn, a sentence said twice) and answers repair requests cleanly, so this
  half measures the mechanism and its cost, not a model.

"First draft" counts each segment's first answer; "after repair" the draft that went into the script.
Extra tokens and seconds are those of the repair calls (provider-reported latency), next to what the
first drafts of the dialogue cost.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.stages.shows import starter_show
from tests.support.fake_openai import FakeChatServer
from tests.support.script_responder import script_responder

from bench.quality_topics import TOPICS, Topic
from bench.report import Section, fmt, write
from podwright.core import (
    EpisodeRequest,
    LLMClient,
    LLMRequest,
    LLMResponse,
    PodwrightError,
    Show,
    Task,
    Usage,
)
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.stack import build_stack
from podwright.pipeline.script import ScriptPipeline
from podwright.stages.quality import SEGMENT_CHECKS, check_length
from podwright.stages.review import REPAIR_SUFFIX, ScriptQuality

EMBEDDED_MINUTES = 1.0
EMBEDDED_TOPICS = int(os.environ.get("PODWRIGHT_BENCH_QUALITY_TOPICS", len(TOPICS)))
"""How many of the ten topics the embedded model writes (fewer on a machine too busy for ~15 minutes)."""
LOOPBACK_MINUTES = 10.0
TTFT_S = 0.5
TOKENS_PER_S = 120.0
DIALOGUE = (Task.SEGMENT, Task.INTRO, Task.CONCLUSION)


@dataclass
class CallLog:
    """Every dialogue call as the provider answered it: stage, tokens and latency."""

    calls: list[tuple[str, Usage, float]] = field(default_factory=list)

    def totals(self, *, repair: bool) -> tuple[int, int, int, float]:
        """Calls, input tokens, output tokens and seconds of the repair calls (or of the first drafts)."""
        chosen = [(u, s) for stage, u, s in self.calls if stage.endswith(REPAIR_SUFFIX) == repair]
        return (
            len(chosen),
            sum(u.input_tokens for u, _ in chosen),
            sum(u.output_tokens for u, _ in chosen),
            sum(s for _, s in chosen),
        )


class Logged:
    """Records every dialogue call's usage and latency on the way through."""

    def __init__(self, inner: LLMClient, log: CallLog) -> None:
        self.inner = inner
        self.log = log

    async def complete(self, request: LLMRequest) -> LLMResponse:
        response = await self.inner.complete(request)
        if request.task in DIALOGUE:
            self.log.calls.append((request.stage, response.usage, response.latency_s))
        return response


class FixedPlan:
    """Answers every non-dialogue call from the topic's fixed plan; dialogue goes to ``writer``."""

    def __init__(self, writer: LLMClient, topic: Topic) -> None:
        self.writer = writer
        self.topic = topic

    def _answer(self, task: Task) -> dict[str, Any]:
        topic = self.topic
        if task is Task.RESEARCH:
            return {
                "summary": topic.summary,
                "key_facts": list(topic.facts),
                "angles": [],
                "open_questions": [],
            }
        if task is Task.OUTLINE:
            segments = [{"title": title, "key_points": list(points)} for title, points in topic.segments]
            return {"title": topic.topic, "segments": segments}
        if task is Task.SUMMARY:
            return {"summary": " ".join((topic.summary, *topic.facts))}
        if task is Task.METADATA:
            return {"title": topic.topic, "description": topic.summary, "tags": [], "chapter_titles": []}
        return {"cover": topic.topic, "segments": []}

    async def complete(self, request: LLMRequest) -> LLMResponse:
        if request.task in DIALOGUE:
            return await self.writer.complete(request)
        text = json.dumps(self._answer(request.task))
        return LLMResponse(text=text, provider="fixed", model_asked="fixed", model_served="fixed")


def flawed_writer(show: Show) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A loopback responder whose first drafts carry planted flaws, in rotation; repairs come back clean."""
    clean = script_responder(show)
    flaws = ("one_turn", None, "one_host", "greeting", "cut_off", "repeat")
    state = {"drafts": 0}

    def answer(body: dict[str, Any]) -> dict[str, Any]:
        reply = clean(body)
        if body["response_format"]["json_schema"]["name"] != "dialogue":
            return reply
        last = body["messages"][-1]["content"]
        text = last if isinstance(last, str) else last[0]["text"]
        turns = reply["turns"]
        if not text.startswith("A first draft of this segment failed"):
            flaw = flaws[state["drafts"] % len(flaws)]
            state["drafts"] += 1
            if flaw == "one_turn":
                del turns[1:]
            elif flaw == "one_host":
                for turn in turns:
                    turn["speaker"] = show.host_ids[0]
            elif flaw == "greeting":
                turns[0]["text"] = f"Welcome back to {show.name}, everyone! " + turns[0]["text"]
            elif flaw == "cut_off":
                turns[-1]["text"] = " ".join(turns[-1]["text"].rstrip(".").split()[:-2])
            elif flaw == "repeat":
                # Said again at the end of the same answer: no state shared between episodes.
                turns[-1]["text"] += " " + turns[0]["text"].split(". ")[0].rstrip(".") + "."
        return reply

    return answer


@dataclass
class Outcome:
    """One provider's ten episodes."""

    qualities: list[ScriptQuality]
    log: CallLog
    wall_s: float
    failed: int = 0
    """Episodes that could not be written at all (an answer invalid even after its JSON repair)."""
    topics: int = 0
    """Topics written so far (finished or failed)."""


async def _write_all(
    show: Show,
    client_for: Callable[[Topic], LLMClient],
    minutes: float,
    label: str,
    *,
    together: bool,
    sequential: bool = False,
    topics: Sequence[Topic] = TOPICS,
    on_topic: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Write the topics' scripts (all at once when ``together``) and keep their quality records.

    Written one after another, ``on_topic`` is given the outcome so far after each topic, so a run
    stopped early still reports every topic it finished. ``sequential`` is the pipeline's (the
    embedded model writes body segments one after another, as the CLI has it do).
    """
    started = time.perf_counter()

    async def write(number: int, topic: Topic) -> ScriptQuality | None:
        request = EpisodeRequest(
            episode_id=f"bench-quality-{label}-{number}", topic=topic.topic, target_minutes=minutes
        )
        try:
            result = await ScriptPipeline(client_for(topic), show, sequential=sequential).write(request)
        except PodwrightError as exc:
            print(f"  {label} {number}/{len(topics)}: episode failed: {exc.message}", flush=True)
            return None
        assert result.run.quality is not None
        print(f"  {label} {number}/{len(topics)}: {result.run.quality.summary().splitlines()[0]}", flush=True)
        return result.run.quality

    def outcome(written: Sequence[ScriptQuality | None]) -> Outcome:
        qualities = [quality for quality in written if quality is not None]
        return Outcome(
            qualities,
            CallLog(),
            time.perf_counter() - started,
            failed=len(written) - len(qualities),
            topics=len(written),
        )

    numbered = list(enumerate(topics, start=1))
    if together:
        return outcome(await asyncio.gather(*(write(number, topic) for number, topic in numbered)))
    written: list[ScriptQuality | None] = []
    for number, topic in numbered:
        written.append(await write(number, topic))
        if on_topic is not None:
            on_topic(outcome(written))
    return outcome(written)


async def _embedded(minutes: float, on_topic: Callable[[Outcome], None]) -> Outcome:
    from podwright.config import resolve_settings
    from podwright.llm.local import LocalLlamaClient, assemble_model
    from podwright.pipeline.clients import LOCAL_CONTEXT_TOKENS

    # The data dir's models folder, like the CLI: the model is joined from its parts only once.
    writer = LocalLlamaClient(assemble_model(resolve_settings().models_dir), n_ctx=LOCAL_CONTEXT_TOKENS)
    log = CallLog()
    outcome = await _write_all(
        starter_show(),
        lambda topic: FixedPlan(Logged(writer, log), topic),
        minutes,
        "embedded",
        together=False,
        sequential=True,
        topics=TOPICS[:EMBEDDED_TOPICS],
        on_topic=lambda so_far: on_topic(_with_log(so_far, log)),
    )
    return _with_log(outcome, log)


def _with_log(outcome: Outcome, log: CallLog) -> Outcome:
    outcome.log = log
    return outcome


async def _loopback(base_url: str, minutes: float) -> Outcome:
    show = starter_show()
    llm = show.llm.model_copy(update={"provider": "openai_compat", "base_url": base_url})
    show = show.model_copy(update={"llm": llm, "budget_usd": None})
    log = CallLog()
    provider = OpenAICompatClient(base_url, "bench-key", timeout_s=60)
    try:
        client = Logged(
            build_stack(provider, show.llm, provider="openai_compat", ledger=None, budget_usd=None), log
        )
        outcome = await _write_all(show, lambda _topic: client, minutes, "loopback", together=True)
    finally:
        await provider.aclose()
    outcome.log = log
    return outcome


def _share(passed: int, total: int) -> str:
    return f"{passed}/{total} ({passed / total:.0%})" if total else "–"


def _column(outcome: Outcome, *, final: bool) -> list[str]:
    reviews = [review for quality in outcome.qualities for review in quality.segments]
    cells = []
    for check in SEGMENT_CHECKS:
        results = [
            result
            for review in reviews
            if (result := (review.final if final else review.first).result(check)) is not None
        ]
        cells.append(_share(sum(result.passed for result in results), len(results)))
    cells.append(_share(sum((r.final if final else r.first).passed for r in reviews), len(reviews)))
    lengths = []
    for quality in outcome.qualities:
        words = sum((review.final if final else review.first).words for review in quality.segments)
        lengths.append(
            check_length(words, quality.target_words, starter_show().quality.length_tolerance).passed
        )
    cells.append(_share(sum(lengths), len(lengths)))
    return cells


def _cost_cells(outcome: Outcome) -> list[str]:
    calls, tokens_in, tokens_out, seconds = outcome.log.totals(repair=True)
    first_calls, first_in, first_out, first_s = outcome.log.totals(repair=False)
    return [
        f"{calls} (+{calls / first_calls:.0%})" if first_calls else str(calls),
        f"{tokens_in:,} (+{tokens_in / max(1, first_in):.0%})",
        f"{tokens_out:,} (+{tokens_out / max(1, first_out):.0%})",
        f"{fmt(seconds, 1, ' s')} (+{seconds / first_s:.0%})" if first_s else fmt(seconds, 1, " s"),
    ]


def run() -> Section:
    """Both providers, the same ten topics, one run each.

    The section is written after every embedded topic, so a run stopped early still reports, and
    says, how many topics it finished.
    """
    show = starter_show()
    with FakeChatServer(flawed_writer(show), ttft_s=TTFT_S, tokens_per_s=TOKENS_PER_S) as server:
        loopback = asyncio.run(_loopback(server.base_url, LOOPBACK_MINUTES))
    print(f"  loopback: {loopback.wall_s:.0f} s", flush=True)
    embedded = asyncio.run(
        _embedded(EMBEDDED_MINUTES, lambda so_far: write(_section(so_far, loopback, final=False)))
    )
    return _section(embedded, loopback, final=True)


def _section(embedded: Outcome, loopback: Outcome, *, final: bool) -> Section:
    """The table of both providers' outcomes; ``final`` is false while embedded topics are still to come."""
    labels = [*(check.value for check in SEGMENT_CHECKS), "every check", "script length ±15%"]
    columns = [
        _column(embedded, final=False),
        _column(embedded, final=True),
        _column(loopback, final=False),
        _column(loopback, final=True),
    ]
    rows = [[label, *(column[i] for column in columns)] for i, label in enumerate(labels)]
    cost_labels = ["repair calls", "repair input tokens", "repair output tokens", "repair seconds"]
    for label, embedded_cell, loopback_cell in zip(
        cost_labels, _cost_cells(embedded), _cost_cells(loopback), strict=True
    ):
        rows.append([label, "", embedded_cell, "", loopback_cell])
    segments = sum(len(quality.segments) for quality in embedded.qualities)
    planned = min(EMBEDDED_TOPICS, len(TOPICS))
    notes = [
        f"Embedded: {len(embedded.qualities)} of the {len(TOPICS)} fixed topics × "
        f"{EMBEDDED_MINUTES:g}-minute episodes of the starter show "
        f"({segments} segments: intro, 3 body segments, conclusion each), written by the local "
        f"Qwen2.5-Coder-1.5B Q4_K_M through llama.cpp with the per-call grammar (exact turn count, "
        f"speakers pinned, each turn a set number of whole sentences); research, outline, summary, "
        f"metadata and image prompts answered from the fixed plans. {embedded.wall_s:.0f} s in all "
        f"({embedded.wall_s / max(1, embedded.topics):.0f} s a topic); {embedded.failed} episode(s) "
        "failed outright.",
        f"Loopback: the same topics × {LOOPBACK_MINUTES:g}-minute episodes against FakeChatServer "
        f"({TTFT_S} s to first token + {TOKENS_PER_S:g} tokens/s, prompt cache from 1,024 tokens); its "
        "writer plants a flaw in 5 of 6 first drafts and answers repairs cleanly, so this column "
        "measures the repair mechanism and its cost, not a model's writing.",
        *(
            [
                f"This run wrote {planned} of the {len(TOPICS)} topics on the embedded model "
                "(PODWRIGHT_BENCH_QUALITY_TOPICS), the machine being shared; the default is all of them."
            ]
            if len(TOPICS) > planned
            else []
        ),
        *(
            [
                f"Written while the run was still going: {embedded.topics} of the {planned} embedded "
                "topics had finished; the run stopped there."
            ]
            if not final
            else []
        ),
        "Percentages after a cost are relative to the first drafts of the same dialogue calls; seconds "
        "are provider-reported latencies summed (loopback repairs run concurrently, so their wall time "
        "is less).",
    ]
    return Section(
        name="quality",
        title="Segment quality: structure checks before and after the repair pass",
        summary="Share of segments passing each check on their first draft and after one repair.",
        header=[
            "check",
            "embedded: first draft",
            "embedded: after repair",
            "loopback: first draft",
            "loopback: after repair",
        ],
        rows=rows,
        notes=notes,
    )


if __name__ == "__main__":
    print(run().markdown())
