"""Pytest fixtures over the loopback fake servers (import them into a conftest to use them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_openai import FakeChatServer


@pytest.fixture
def fake_openai() -> Iterator[FakeChatServer]:
    """A fresh fake OpenAI-compatible chat server on 127.0.0.1, with no latency; closed after the test.

    Tests program it through ``responder``, ``ttft_s``, ``tokens_per_s`` and ``prices`` (plain
    attributes) and its ``fail_next``/``timeout_next``/``malformed_next`` fault injection.
    """
    with FakeChatServer() as server:
        yield server
