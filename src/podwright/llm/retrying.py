"""A client that retries transient provider failures by the pure :mod:`~podwright.llm.retry` policy."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from podwright.core.errors import ProviderError
from podwright.core.llm import LLMClient, LLMRequest, LLMResponse
from podwright.llm.retry import RetryPolicy, is_retryable, retry_delay

__all__ = ["MALFORMED_RETRIES", "RetryingClient"]

MALFORMED_RETRIES = 1
"""A 200 with a body that is not a chat completion is retried this many times, then raised."""


class RetryingClient:
    """Retries ``inner`` on 408/409/429/5xx, timeouts and dropped connections; never on other 4xx.

    ``sleep`` and ``rand`` are injectable so tests run without waiting and with exact delays.
    Errors that are not :class:`ProviderError` (budget refusals, config errors) pass straight through.
    """

    def __init__(
        self,
        inner: LLMClient,
        policy: RetryPolicy = RetryPolicy(),
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.inner = inner
        self.policy = policy
        self._sleep = sleep
        self._rand = rand

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request``, trying again after transient failures until the policy gives up."""
        attempt = 0
        malformed = 0
        while True:
            attempt += 1
            try:
                response = await self.inner.complete(request)
            except ProviderError as exc:
                if is_retryable(exc.status, timeout=exc.timeout):
                    delay = retry_delay(self.policy, attempt, retry_after=exc.retry_after, rand=self._rand())
                elif exc.status is None and malformed < MALFORMED_RETRIES:
                    malformed += 1
                    delay = retry_delay(self.policy, attempt, retry_after=None, rand=self._rand())
                else:
                    raise
                if delay is None:
                    raise
                await self._sleep(delay)
                continue
            # The run record counts attempts as the ledger does: each retry was a row of its own.
            return response.model_copy(update={"attempts": attempt}) if attempt > 1 else response
