"""The pure retry policy: which failures are retried, and how long to wait (table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from podwright.llm.retry import RetryPolicy, is_retryable, parse_retry_after, retry_delay

POLICY = RetryPolicy(max_attempts=4, base_delay_s=0.5, max_delay_s=30.0, jitter=0.25)


@pytest.mark.parametrize(
    ("status", "timeout", "expected"),
    [
        (408, False, True),
        (409, False, True),
        (429, False, True),
        (500, False, True),
        (502, False, True),
        (503, False, True),
        (599, False, True),
        (400, False, False),
        (401, False, False),
        (402, False, False),
        (403, False, False),
        (404, False, False),
        (422, False, False),
        (None, True, True),
        (None, False, False),
        (200, False, False),
    ],
)
def test_is_retryable(status: int | None, timeout: bool, expected: bool) -> None:
    assert is_retryable(status, timeout=timeout) is expected


@pytest.mark.parametrize(
    ("attempt", "retry_after", "rand", "expected"),
    [
        # exponential backoff, no jitter drawn
        (1, None, 0.0, 0.5),
        (2, None, 0.0, 1.0),
        (3, None, 0.0, 2.0),
        # jitter takes off up to 25%
        (1, None, 1.0, 0.375),
        (2, None, 0.5, 0.875),
        # Retry-After wins over backoff, and is capped
        (1, 7.0, 0.9, 7.0),
        (1, 0.0, 0.9, 0.0),
        (1, 120.0, 0.0, 30.0),
        (1, -3.0, 0.0, 0.0),
        # give up after max_attempts
        (4, None, 0.0, None),
        (4, 1.0, 0.0, None),
        (9, None, 0.0, None),
    ],
)
def test_retry_delay(attempt: int, retry_after: float | None, rand: float, expected: float | None) -> None:
    assert retry_delay(POLICY, attempt, retry_after=retry_after, rand=rand) == expected


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_attempts=20, base_delay_s=1.0, max_delay_s=8.0, jitter=0.0)
    assert [retry_delay(policy, n, retry_after=None, rand=0.7) for n in (1, 2, 3, 4, 5, 10)] == [
        1.0,
        2.0,
        4.0,
        8.0,
        8.0,
        8.0,
    ]


def test_single_attempt_policy_never_retries() -> None:
    assert retry_delay(RetryPolicy(max_attempts=1), 1, retry_after=1.0, rand=0.0) is None


NOW = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("-4", 0.0),
        ("Wed, 25 Nov 2026 10:00:30 GMT", 30.0),
        ("Wed, 25 Nov 2026 09:59:00 GMT", 0.0),
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected
