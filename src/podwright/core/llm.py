"""LLM requests, responses, usage and the one protocol every provider and wrapper implements."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import Field

from podwright.core.model import Record
from podwright.core.show import ModelTier, Task

__all__ = [
    "CachedAnswers",
    "CallRecord",
    "Citation",
    "LLMClient",
    "LLMRequest",
    "LLMResponse",
    "Ledger",
    "Message",
    "Usage",
    "WebSearch",
]


class Message(Record):
    """One chat message."""

    role: Literal["system", "user", "assistant"]
    content: str
    cache_breakpoint: bool = False
    """Marks the last static block: providers that need explicit cache markers put one here."""


class WebSearch(Record):
    """Ask the provider to search the web before answering (OpenRouter's ``web`` plugin or ``:online``)."""

    max_results: int = Field(default=5, ge=1, le=25)
    """How many web results the provider fetches and hands the model (OpenRouter bills per result)."""
    via: Literal["plugin", "online"] = "plugin"
    """``plugin``: send ``plugins: [{"id": "web", ...}]``; ``online``: ask for the model's ``:online``
    variant instead (the same search, OpenRouter's default result count)."""


class Citation(Record):
    """A web page the provider's search found and the answer drew on (an ``url_citation`` annotation);
    a script's sources use it for the documents given too."""

    url: str
    """The page's address; empty for a document read from a local file (its path stays private)."""
    title: str = ""
    passage: str = ""
    """The part of the page the model was given (OpenRouter's ``content``), when the provider says."""
    start_index: int | None = None
    end_index: int | None = None
    """Where in the answer text the citation sits, when the provider marks it."""


class LLMRequest(Record):
    """A provider-neutral chat request.

    Static context comes first and per-call content last, so the prefix up to the message marked
    ``cache_breakpoint`` is byte-identical across a stage's calls and read from the provider's cache.
    """

    task: Task
    messages: tuple[Message, ...] = Field(min_length=1)
    model: str | None = None
    """Set by the router from the show's routes; a provider without routing uses its own default."""
    fallbacks: tuple[str, ...] = ()
    tier: ModelTier | None = None
    max_tokens: int = Field(default=2048, gt=0)
    temperature: float = 0.7
    json_schema: dict[str, Any] | None = None
    """When set, the answer must be JSON valid for this schema (``response_format``)."""
    grammar_schema: dict[str, Any] | None = None
    """A stricter schema for this one call, for providers that enforce the schema as a grammar and
    never show it to the model (the embedded llama.cpp model). Providers that put the schema in the
    prompt get ``json_schema``, identical across a stage's calls so their prompt cache keeps serving."""
    schema_name: str = "answer"
    episode_id: str | None = None
    stage: str = ""
    """Pipeline stage label for the ledger (usually the task, plus ``segment-3`` style detail)."""
    web_search: WebSearch | None = None
    """Search the web first and return what was cited; providers that cannot search ignore it."""


class Usage(Record):
    """Tokens and cost of one call. Unknown cost is ``None``, never zero."""

    input_tokens: int = 0
    cached_tokens: int = 0
    """Input tokens read from the provider's prompt cache."""
    cache_write_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    cost_source: Literal["provider", "price_table", "free", "cache", "rejected", "unknown"] = "unknown"
    """Where ``cost_usd`` comes from: ``cache`` is an answer replayed from the response cache (0, known),
    ``rejected`` a call the provider answered with an error status (never billed, 0, known)."""

    def __add__(self, other: Usage) -> Usage:
        cost = None if self.cost_usd is None or other.cost_usd is None else self.cost_usd + other.cost_usd
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cost_usd=cost,
            cost_source=self.cost_source if self.cost_source == other.cost_source else "unknown",
        )


class LLMResponse(Record):
    """A provider's answer, with what was asked and what actually served it."""

    text: str
    provider: str
    model_asked: str
    model_served: str
    usage: Usage = Field(default_factory=Usage)
    latency_s: float = 0.0
    finish_reason: str | None = None
    """``length`` means the answer was cut at ``max_tokens`` (never parse it as finished)."""
    attempts: int = Field(default=1, ge=1)
    """Provider calls this answer took: 1 plus the retries of transient failures before it."""
    citations: tuple[Citation, ...] = ()
    """Web pages the answer cites (the provider's ``url_citation`` annotations), in its order."""

    @property
    def from_cache(self) -> bool:
        """Whether this answer was replayed from the response cache (nothing paid for it now)."""
        return self.usage.cost_source == "cache"

    @property
    def truncated(self) -> bool:
        """Whether the provider stopped at the output-token cap, so the text is incomplete."""
        return self.finish_reason == "length"


class CallRecord(Record):
    """One row of the LLM call ledger: every call, successful or not."""

    episode_id: str | None
    stage: str
    task: Task
    provider: str
    model_asked: str
    model_served: str | None
    usage: Usage
    latency_s: float
    error_class: str | None = None
    started_at: datetime


@runtime_checkable
class LLMClient(Protocol):
    """Anything that can answer an :class:`LLMRequest`: providers and wrappers alike."""

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer one request; raises :class:`~podwright.core.errors.LLMError` subclasses."""
        ...


@runtime_checkable
class Ledger(Protocol):
    """Where call records go (the SQLite store in production, a list in tests)."""

    def record_call(self, record: CallRecord) -> None:
        """Persist one call record."""
        ...


@runtime_checkable
class CachedAnswers(Protocol):
    """Where answered requests are kept by content key (the SQLite store, a dict in tests)."""

    def answer(self, key: str) -> str | None:
        """The stored response JSON for ``key``, or ``None`` when that request was never answered."""
        ...

    def keep(self, key: str, model: str, response_json: str) -> None:
        """Store the response JSON of the request with content key ``key``."""
        ...
