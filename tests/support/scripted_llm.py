"""An in-process LLMClient that answers each task with valid JSON, for pipeline tests.

It records every request, can hold a task's calls for a while (``delays``) to make concurrency
visible, can return programmed raw replies first (``scripted``: stage or task → list of texts), and
notes which calls were in flight at once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from podwright.core import LLMRequest, LLMResponse, Task, Usage

VOCABULARY = [
    "stars",
    "light",
    "dust",
    "galaxies",
    "horizon",
    "expansion",
    "redshift",
    "darkness",
    "distance",
    "age",
    "photons",
    "telescope",
    "universe",
    "infinity",
    "paradox",
    "brightness",
    "forest",
    "trees",
    "glow",
    "cooling",
    "radiation",
    "background",
    "microwave",
    "night",
    "eyes",
    "speed",
    "seconds",
    "billions",
    "years",
    "sky",
    "candles",
    "lantern",
    "fog",
    "ocean",
    "mirror",
    "clock",
]
"""Words the default dialogue lines are drawn from (seeded by stage, so runs repeat exactly)."""


@dataclass
class CallSpan:
    """One call: its stage and the ordinal ticks at which it started and ended."""

    stage: str
    task: Task
    start: int
    end: int = -1
    overlapped: set[str] = field(default_factory=set)
    """Stages of the calls in flight at some point while this one was."""


class ScriptedLLM:
    """Answers by task with valid JSON; ``host_ids`` are the show's, ``segments`` the template length."""

    def __init__(
        self,
        host_ids: Sequence[str],
        *,
        segments: int = 3,
        delays: dict[Task, float] | None = None,
        scripted: dict[str, list[str]] | None = None,
        cost_usd: float | None = 0.001,
    ) -> None:
        self.host_ids = list(host_ids)
        self.segments = segments
        self.delays = delays or {}
        self.scripted = {key: list(values) for key, values in (scripted or {}).items()}
        self.cost_usd = cost_usd
        self.requests: list[LLMRequest] = []
        self.spans: list[CallSpan] = []
        self._tick = itertools.count()
        self._in_flight: dict[int, CallSpan] = {}

    async def complete(self, request: LLMRequest) -> LLMResponse:
        self.requests.append(request)
        span = CallSpan(stage=request.stage, task=request.task, start=next(self._tick))
        for other in self._in_flight.values():
            other.overlapped.add(span.stage)
            span.overlapped.add(other.stage)
        key = id(span)
        self._in_flight[key] = span
        self.spans.append(span)
        try:
            await asyncio.sleep(self.delays.get(request.task, 0.0))
        finally:
            del self._in_flight[key]
            span.end = next(self._tick)
        text = self._scripted(request) or json.dumps(self.answer(request))
        prompt_chars = sum(len(message.content) for message in request.messages)
        return LLMResponse(
            text=text,
            provider="scripted",
            model_asked=request.model or "scripted-model",
            model_served=request.model or "scripted-model",
            usage=Usage(
                input_tokens=prompt_chars // 4,
                output_tokens=len(text) // 4,
                cost_usd=self.cost_usd,
                cost_source="provider" if self.cost_usd is not None else "unknown",
            ),
            latency_s=self.delays.get(request.task, 0.0),
        )

    def _scripted(self, request: LLMRequest) -> str | None:
        for key in (request.stage, request.task.value):
            queue = self.scripted.get(key)
            if queue:
                return queue.pop(0)
        return None

    def _turns(self, label: str) -> dict[str, Any]:
        # Every line says something of its own, so the default answers pass the structure checks.
        speakers = itertools.cycle(self.host_ids)
        words = random.Random(label)
        return {
            "turns": [
                {
                    "speaker": next(speakers),
                    "text": f"DIALOGUE-{label} line {n} about " + " ".join(words.sample(VOCABULARY, 6)) + ".",
                }
                for n in range(1, 5)
            ]
        }

    def answer(self, request: LLMRequest) -> dict[str, Any]:
        """The default valid answer for ``request``'s task."""
        if request.task is Task.SOURCE_SUMMARY:
            return {"summary": f"Digest of {request.stage}."}
        if request.task is Task.RESEARCH:
            return {
                "summary": "The night sky is dark because the universe is young and expanding.",
                "key_facts": ["Light has a finite speed", "The universe is about 13.8 billion years old"],
                "angles": ["Olbers' paradox"],
                "open_questions": ["What will the sky look like in a trillion years?"],
            }
        if request.task is Task.OUTLINE:
            return {
                "title": "Why the sky is dark",
                "segments": [
                    {"title": f"Part {n}", "key_points": [f"point {n}a", f"point {n}b"]}
                    for n in range(1, self.segments + 1)
                ],
            }
        if request.task in (Task.SEGMENT, Task.INTRO, Task.CONCLUSION):
            return self._turns(request.stage)
        if request.task is Task.SUMMARY:
            return {"summary": "SUMMARY-TEXT: the hosts explain Olbers' paradox."}
        if request.task is Task.METADATA:
            return {
                "title": "Why Is the Night Sky Dark?",
                "description": "Maya and Joe unpack Olbers' paradox.",
                "tags": ["astronomy", "#cosmology"],
                "chapter_titles": ["Welcome", "The paradox", "Light and time", "Expansion", "Goodbye"],
            }
        if request.task is Task.IMAGE_PROMPTS:
            return {"cover": "A dark sky full of faint stars", "segments": ["stars", "a clock", "a balloon"]}
        raise AssertionError(f"unexpected task {request.task}")
