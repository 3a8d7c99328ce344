"""The loopback fake chat server itself: prompt-cache rule, cost, overlap, faults, schema samples."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from tests.support.fake_openai import FakeChatServer, FakeReply, estimate_tokens, sample_from_schema

STATIC = "x" * 4400  # 1,100 tokens


def _body(model: str, user: str, *, marked: bool) -> dict[str, Any]:
    system: dict[str, Any] = {"role": "system", "content": STATIC}
    if marked:
        system["content"] = [{"type": "text", "text": STATIC, "cache_control": {"type": "ephemeral"}}]
    return {"model": model, "messages": [system, {"role": "user", "content": user}]}


async def _post(server: FakeChatServer, body: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(f"{server.base_url}/chat/completions", json=body)


async def test_explicit_breakpoint_writes_then_reads_the_cache() -> None:
    prices = {"anthropic/claude-sonnet-4.5": (3.0, 0.3, 15.0)}
    with FakeChatServer(
        prices=prices, responder=lambda body: FakeReply(text="ok", completion_tokens=10)
    ) as server:
        first = (await _post(server, _body("anthropic/claude-sonnet-4.5", "one", marked=True))).json()[
            "usage"
        ]
        second = (await _post(server, _body("anthropic/claude-sonnet-4.5", "two", marked=True))).json()[
            "usage"
        ]
    assert first["prompt_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 1100}
    assert second["prompt_tokens_details"] == {"cached_tokens": 1100, "cache_write_tokens": 0}
    assert second["prompt_tokens"] == 1100 + estimate_tokens("two")
    assert second["cost"] == pytest.approx((1 * 3.0 + 1100 * 0.3 + 10 * 15.0) / 1e6)


async def test_automatic_cache_needs_1024_tokens_of_identical_prefix() -> None:
    with FakeChatServer() as server:
        await _post(server, _body("openai/gpt-4.1", "one", marked=False))
        hit = (await _post(server, _body("openai/gpt-4.1", "two", marked=False))).json()["usage"]
        short = {
            "model": "m",
            "messages": [{"role": "system", "content": "short"}, {"role": "user", "content": "a"}],
        }
        await _post(server, short)
        miss = (await _post(server, short)).json()["usage"]
    assert hit["prompt_tokens_details"]["cached_tokens"] == 1100
    assert miss["prompt_tokens_details"]["cached_tokens"] == 0


async def test_threaded_requests_overlap_and_are_logged() -> None:
    with FakeChatServer(ttft_s=0.3) as server:
        await asyncio.gather(*(_post(server, _body("m", str(n), marked=False)) for n in range(4)))
        assert server.max_concurrency() == 4
        assert all(r.finished is not None and r.finished > r.arrived for r in server.requests)


async def test_fault_injection_sequence() -> None:
    with FakeChatServer() as server:
        server.fail_next(503, retry_after=2)
        server.malformed_next()
        server.malformed_next(kind="content")
        failed = await _post(server, _body("m", "a", marked=False))
        garbled = await _post(server, _body("m", "b", marked=False))
        prose = await _post(server, _body("m", "c", marked=False))
        fine = await _post(server, _body("m", "d", marked=False))
    assert (failed.status_code, failed.headers["Retry-After"]) == (503, "2")
    assert garbled.status_code == 200
    with pytest.raises(ValueError):
        garbled.json()
    with pytest.raises(ValueError):
        json.loads(prose.json()["choices"][0]["message"]["content"])
    assert fine.json()["choices"][0]["message"]["content"]


class Turn(BaseModel):
    speaker: str
    text: str


class Segment(BaseModel):
    title: str
    turns: list[Turn]
    minutes: float | None = None


def test_sample_from_schema_validates_for_nested_models() -> None:
    sample = sample_from_schema(Segment.model_json_schema())
    assert Segment.model_validate(sample).turns[0].speaker
