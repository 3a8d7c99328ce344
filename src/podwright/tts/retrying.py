"""When to retry a speech-server request, and how long to wait first (a pure policy)."""

from __future__ import annotations

__all__ = ["RETRYABLE_STATUSES", "backoff_delay", "is_retryable"]

RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


def is_retryable(status: int | None, *, timeout: bool = False) -> bool:
    """True for timeouts, connection failures (``status is None``), 408/409/429 and 5xx answers."""
    if timeout or status is None:
        return True
    return status in RETRYABLE_STATUSES or 500 <= status < 600


def backoff_delay(
    attempt: int,
    retry_after: float | None = None,
    *,
    base_s: float = 0.5,
    cap_s: float = 20.0,
    jitter: float = 0.0,
) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based).

    The server's ``Retry-After`` wins when present (capped); otherwise exponential backoff
    ``base_s * 2**(attempt-1)``, capped, reduced by up to ``jitter`` (a fraction in [0, 1]) so that
    concurrent workers do not retry in lockstep; pass a random fraction there.
    """
    if attempt < 1:
        raise ValueError(f"attempt is 1-based, got {attempt}")
    if retry_after is not None and retry_after >= 0:
        return min(retry_after, cap_s)
    delay = min(base_s * 2.0 ** (attempt - 1), cap_s)
    return delay * (1.0 - min(max(jitter, 0.0), 1.0) * 0.25)
