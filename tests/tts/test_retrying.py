from __future__ import annotations

import pytest

from podwright.tts.retrying import backoff_delay, is_retryable


@pytest.mark.parametrize(
    ("status", "timeout", "expected"),
    [
        (429, False, True),
        (500, False, True),
        (503, False, True),
        (408, False, True),
        (None, False, True),
        (200, True, True),
        (400, False, False),
        (401, False, False),
        (404, False, False),
        (422, False, False),
    ],
)
def test_retryable(status: int | None, timeout: bool, expected: bool) -> None:
    assert is_retryable(status, timeout=timeout) is expected


@pytest.mark.parametrize(
    ("attempt", "retry_after", "jitter", "expected"),
    [
        (1, None, 0.0, 0.5),
        (2, None, 0.0, 1.0),
        (3, None, 0.0, 2.0),
        (10, None, 0.0, 20.0),
        (1, 3.0, 0.0, 3.0),
        (1, 100.0, 0.0, 20.0),
        (1, 0.0, 0.0, 0.0),
        (2, None, 1.0, 0.75),
    ],
)
def test_backoff(attempt: int, retry_after: float | None, jitter: float, expected: float) -> None:
    assert backoff_delay(attempt, retry_after, base_s=0.5, cap_s=20.0, jitter=jitter) == pytest.approx(
        expected
    )


def test_attempt_is_one_based() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0)
