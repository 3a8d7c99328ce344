"""LLM-layer fixtures: the loopback fake chat server."""

from __future__ import annotations

from tests.support.fixtures import fake_openai

__all__ = ["fake_openai"]
