"""The retry policy for provider calls, as pure functions (no clock, no randomness of its own).

A failed attempt is retried when the failure is transient: 408 (request timeout), 409 (conflict),
429 (rate limited), any 5xx, and timeouts or dropped connections. Every other 4xx means the request
itself is wrong (bad key, unknown model, invalid body) and retrying would only repeat it.

The delay honours the server's ``Retry-After`` (capped), else backs off exponentially with jitter
subtracted so that many clients rate-limited together do not come back in lockstep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "is_retryable", "parse_retry_after", "retry_delay"]

_RETRYABLE_4XX = frozenset({408, 409, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed provider call is tried again."""

    max_attempts: int = 4
    """Attempts in all, the first one included (1 disables retries)."""
    base_delay_s: float = 0.5
    """Delay before the first retry; doubles for each further retry."""
    max_delay_s: float = 30.0
    """No single wait is longer than this, whatever the server asks."""
    jitter: float = 0.25
    """Up to this fraction of the backoff delay is randomly taken off."""


def is_retryable(status: int | None, *, timeout: bool) -> bool:
    """Whether a failure with HTTP ``status`` (``None`` when no response came) is worth retrying.

    ``timeout`` is true for timeouts and connection errors, which are always transient. A failure
    with neither a status nor a timeout (for example a malformed body) is not retryable here; the
    retrying client gives those one extra chance of its own.
    """
    if timeout:
        return True
    if status is None:
        return False
    return status in _RETRYABLE_4XX or 500 <= status <= 599


def retry_delay(policy: RetryPolicy, attempt: int, *, retry_after: float | None, rand: float) -> float | None:
    """Seconds to wait before the next attempt, or ``None`` to give up.

    ``attempt`` is the number of attempts already made (1 after the first failure); ``retry_after``
    is the server's ``Retry-After`` in seconds, if any; ``rand`` is a uniform draw in ``[0, 1)`` that
    the caller supplies, which keeps this function pure and its tests exact.
    """
    if attempt >= policy.max_attempts:
        return None
    if retry_after is not None:
        return min(max(retry_after, 0.0), policy.max_delay_s)
    backoff = min(policy.base_delay_s * 2.0 ** (attempt - 1), policy.max_delay_s)
    return backoff * (1.0 - policy.jitter * rand)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date; ``None`` if absent or garbled.

    A date in the past gives ``0.0``. ``now`` (aware, UTC) is for tests; it defaults to the clock.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds else None  # NaN is garbage, not a delay
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    return max((when - reference).total_seconds(), 0.0)
