"""The response cache: a request answered once is never paid for again.

Each request is content-addressed by everything the provider sees — model and fallbacks, messages
(with their cache markers), JSON schema and its name, ``max_tokens``, ``temperature`` and the web
search asked for — and not by the episode id or stage label, which only the ledger reads. A script
run that fails halfway (a budget refusal, a crash, Ctrl-C) has stored every answer it received, so
the rerun replays those for free and pays only for the calls never answered. A replayed answer keeps
its citations (the web pages the first answer cited) and is a ledger row of its own: cost 0, known,
``cost_source='cache'``, no tokens (nothing was sent). ``fresh=True`` skips the lookup (the model is
asked again) and stores the new answers over the old ones.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from pydantic import ValidationError

from podwright.core.llm import CachedAnswers, CallRecord, Ledger, LLMClient, LLMRequest, LLMResponse, Usage

__all__ = ["CachingClient", "request_key"]

_KEY_VERSION = 1
"""Bumped whenever the key's recipe changes, so old entries are simply never found again."""


def request_key(request: LLMRequest) -> str:
    """The content key of ``request``: sha256 of the canonical JSON of what the provider is sent."""
    content = {
        "v": _KEY_VERSION,
        "task": request.task.value,
        "model": request.model,
        "fallbacks": list(request.fallbacks),
        "messages": [
            {"role": m.role, "content": m.content, "cache_breakpoint": m.cache_breakpoint}
            for m in request.messages
        ],
        "json_schema": request.json_schema,
        "schema_name": request.schema_name,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    if request.web_search is not None:
        # Only when set, so every key made before web search existed still matches.
        content["web_search"] = request.web_search.model_dump(mode="json")
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class CachingClient:
    """Answers a request seen before from ``answers``; asks ``inner`` (and keeps the answer) otherwise.

    Sits above the budget guard, so a replayed answer is never refused and never counted as spend.
    Hits are written to ``ledger`` here (misses are logged by the logging wrapper further down).
    """

    def __init__(
        self, inner: LLMClient, answers: CachedAnswers, *, ledger: Ledger | None = None, fresh: bool = False
    ) -> None:
        self.inner = inner
        self.answers = answers
        self.ledger = ledger
        self.fresh = fresh
        self.hits = 0
        self.misses = 0

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """The stored answer to ``request``, or a new one from ``inner`` (stored before it returns)."""
        key = request_key(request)
        if not self.fresh:
            replayed = self._replay(key)
            if replayed is not None:
                self.hits += 1
                self._log_hit(request, replayed)
                return replayed
        response = await self.inner.complete(request)
        self.misses += 1
        self.answers.keep(key, response.model_served, response.model_dump_json())
        return response

    def _replay(self, key: str) -> LLMResponse | None:
        stored = self.answers.answer(key)
        if stored is None:
            return None
        try:
            original = LLMResponse.model_validate_json(stored)
        except ValidationError:
            return None  # an entry written by an incompatible version: ask again, and overwrite it
        return original.model_copy(
            update={"usage": Usage(cost_usd=0.0, cost_source="cache"), "latency_s": 0.0, "attempts": 1}
        )

    def _log_hit(self, request: LLMRequest, response: LLMResponse) -> None:
        if self.ledger is None:
            return
        self.ledger.record_call(
            CallRecord(
                episode_id=request.episode_id,
                stage=request.stage or request.task.value,
                task=request.task,
                provider=response.provider,
                model_asked=response.model_asked,
                model_served=response.model_served,
                usage=response.usage,
                latency_s=0.0,
                started_at=datetime.now(UTC),
            )
        )
