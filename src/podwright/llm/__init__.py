"""Layer 2: LLM providers (OpenAI-compatible HTTP, local llama.cpp) and the wrappers that are clients too.

Build a provider (:class:`OpenAICompatClient` or :class:`LocalLlamaClient`), wrap it with
:func:`build_stack`, and ask for structured answers with :func:`complete_json`.
"""

from podwright.llm.local import LOCAL_MODEL_ID, LOCAL_MODEL_SHA256, LocalLlamaClient, assemble_model
from podwright.llm.openai_compat import OpenAICompatClient, model_family, needs_cache_control
from podwright.llm.pricing import PRICE_TABLE_DATE, ModelPrice, PriceTable, settle_cost
from podwright.llm.retry import RetryPolicy, is_retryable, parse_retry_after, retry_delay
from podwright.llm.retrying import RetryingClient
from podwright.llm.stack import build_stack
from podwright.llm.structured import complete_json, strip_think
from podwright.llm.wrappers import (
    BudgetGuardClient,
    ConcurrencyLimitedClient,
    LoggingClient,
    RoutedClient,
    settle_response,
)

__all__ = [
    "LOCAL_MODEL_ID",
    "LOCAL_MODEL_SHA256",
    "PRICE_TABLE_DATE",
    "BudgetGuardClient",
    "ConcurrencyLimitedClient",
    "LocalLlamaClient",
    "LoggingClient",
    "ModelPrice",
    "OpenAICompatClient",
    "PriceTable",
    "RetryPolicy",
    "RetryingClient",
    "RoutedClient",
    "assemble_model",
    "build_stack",
    "complete_json",
    "is_retryable",
    "model_family",
    "needs_cache_control",
    "parse_retry_after",
    "retry_delay",
    "settle_cost",
    "settle_response",
    "strip_think",
]
