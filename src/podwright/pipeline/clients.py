"""Building the script-writing client a show asks for: provider plus the wrapper stack.

``local`` (or ``--offline``) runs the embedded model assembled from its package parts;
``openai_compat`` talks to OpenRouter or any compatible endpoint with the key the interface layer
resolved. Either way the provider is wrapped by :func:`podwright.llm.stack.build_stack` (routing,
budget guard, concurrency limit, retries, ledger).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from podwright.core.errors import ConfigError
from podwright.core.llm import CachedAnswers, Ledger, LLMClient
from podwright.core.show import Show
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.pricing import PriceTable
from podwright.llm.stack import build_stack

if TYPE_CHECKING:
    import httpx

__all__ = ["LOCAL_CONTEXT_TOKENS", "build_llm_client", "uses_local_model"]

LOCAL_CONTEXT_TOKENS = 8192
"""Context window of the embedded model: the static prefix plus a segment's answer fit easily."""


def uses_local_model(show: Show, *, offline: bool) -> bool:
    """Whether the script is written by the embedded local model."""
    return offline or show.llm.provider == "local"


def build_llm_client(
    show: Show,
    *,
    offline: bool,
    api_key: str | None,
    models_dir: Path,
    ledger: Ledger | None,
    http_client: httpx.AsyncClient | None = None,
    answers: CachedAnswers | None = None,
    fresh: bool = False,
) -> LLMClient:
    """The show's script-writing client, wrapped for routing, budget, concurrency, retries and logging.

    ``http_client`` (optional) is shared with the remote provider so the caller can close it.
    ``answers`` is the response cache (a rerun pays only for calls never answered); ``fresh``
    bypasses its lookups.
    Raises :class:`ConfigError` when a remote provider has no key, or the provider is unknown.
    """
    if uses_local_model(show, offline=offline):
        # Imported here: llama.cpp is an optional extra, loaded only when the local model is used.
        from podwright.llm.local import LocalLlamaClient, assemble_model

        inner: LLMClient = LocalLlamaClient(assemble_model(models_dir), n_ctx=LOCAL_CONTEXT_TOKENS)
        provider = "local"
    elif show.llm.provider == "openai_compat":
        if api_key is None and show.llm.api_key_env:
            raise ConfigError(
                f"no API key for {show.llm.base_url}: the variable {show.llm.api_key_env} is not set",
                hint=f"set {show.llm.api_key_env} or use --offline",
            )
        inner = OpenAICompatClient(
            show.llm.base_url, api_key, timeout_s=show.llm.timeout_s, http_client=http_client
        )
        provider = "openai_compat"
    else:
        raise ConfigError(
            f"unknown LLM provider {show.llm.provider!r}",
            hint='set llm.provider to "local" or "openai_compat" in the show file',
        )
    prices = PriceTable.from_mapping(show.llm.prices, base=PriceTable.default()) if show.llm.prices else None
    return build_stack(
        inner,
        show.llm,
        provider=provider,
        ledger=ledger,
        budget_usd=show.budget_usd,
        prices=prices,
        answers=answers,
        fresh=fresh,
    )
