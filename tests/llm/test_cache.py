"""The response cache: content keys, replays that cost a known 0, ``fresh``, and cut answers re-asked."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from podwright.core import LLMRequest, LLMSettings, Message, Task
from podwright.core.errors import OutputError
from podwright.llm.cache import CachingClient, request_key
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.stack import build_stack
from podwright.llm.structured import MAX_REGROWTHS, complete_json
from podwright.store.db import connect
from podwright.store.responses import SQLiteAnswers
from tests.llm.test_wrappers import ListLedger
from tests.support.fake_openai import FakeChatServer


class Answer(BaseModel):
    """A small structured answer."""

    text: str


def _request(**update: object) -> LLMRequest:
    fields: dict[str, object] = {
        "task": Task.SEGMENT,
        "model": "openai/gpt-4.1-mini",
        "messages": (Message(role="system", content="static"), Message(role="user", content="ask")),
        "max_tokens": 200,
        "episode_id": "ep-1",
        "stage": "segment-1",
        **update,
    }
    return LLMRequest.model_validate(fields)


@pytest.fixture
async def provider(fake_openai: FakeChatServer) -> AsyncIterator[OpenAICompatClient]:
    client = OpenAICompatClient(fake_openai.base_url, None)
    yield client
    await client.aclose()


@pytest.fixture
def store(tmp_path: Path) -> sqlite3.Connection:
    return connect(tmp_path / "store.db")


def test_the_key_covers_everything_the_provider_sees_and_nothing_else() -> None:
    base = _request()
    assert request_key(base) == request_key(_request())
    changed = [
        _request(model="openai/gpt-4.1"),
        _request(fallbacks=("openai/gpt-4.1",)),
        _request(messages=(Message(role="user", content="ask again"),)),
        _request(
            messages=(Message(role="system", content="static", cache_breakpoint=True), *base.messages[1:])
        ),
        _request(json_schema={"type": "object"}),
        _request(schema_name="other"),
        _request(max_tokens=201),
        _request(temperature=0.1),
        _request(task=Task.INTRO),
    ]
    keys = {request_key(request) for request in changed}
    assert request_key(base) not in keys and len(keys) == len(changed)
    # The episode and stage labels are the ledger's, not the model's: same answer.
    assert request_key(_request(episode_id="ep-2", stage="segment-9")) == request_key(base)


async def test_a_repeated_request_is_replayed_at_a_known_zero_and_logged(
    provider: OpenAICompatClient, fake_openai: FakeChatServer, store: sqlite3.Connection
) -> None:
    ledger = ListLedger()
    stack = build_stack(
        provider,
        LLMSettings(),
        provider="openai_compat",
        ledger=ledger,
        budget_usd=1.0,
        answers=SQLiteAnswers(store),
    )
    first = await stack.complete(_request())
    again = await stack.complete(_request())
    assert len(fake_openai.requests) == 1
    assert again.text == first.text and again.from_cache and not first.from_cache
    assert (again.usage.cost_usd, again.usage.cost_source, again.usage.input_tokens) == (0.0, "cache", 0)
    assert [r.usage.cost_source for r in ledger.records] == ["price_table", "cache"]
    assert ledger.records[1].model_served == first.model_served

    fresh = build_stack(
        provider,
        LLMSettings(),
        provider="openai_compat",
        ledger=ledger,
        budget_usd=1.0,
        answers=SQLiteAnswers(store),
        fresh=True,
    )
    asked = await fresh.complete(_request())
    assert len(fake_openai.requests) == 2 and not asked.from_cache


async def test_a_budget_refusal_is_never_made_for_a_replayed_answer(
    provider: OpenAICompatClient, fake_openai: FakeChatServer, store: sqlite3.Connection
) -> None:
    answers = SQLiteAnswers(store)
    await CachingClient(provider, answers).complete(_request())
    broke = build_stack(
        provider, LLMSettings(), provider="openai_compat", ledger=None, budget_usd=1e-9, answers=answers
    )
    replayed = await broke.complete(_request())
    assert replayed.from_cache and len(fake_openai.requests) == 1


async def test_a_stored_entry_of_another_version_is_asked_again(
    provider: OpenAICompatClient, fake_openai: FakeChatServer, store: sqlite3.Connection
) -> None:
    answers = SQLiteAnswers(store)
    answers.keep(request_key(_request()), "m", json.dumps({"not": "a response"}))
    response = await CachingClient(provider, answers).complete(_request())
    assert not response.from_cache and len(fake_openai.requests) == 1


async def test_a_cut_answer_is_asked_again_with_a_larger_cap_never_parsed(
    provider: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    long_answer = json.dumps({"text": "word " * 300})  # ~380 tokens at the server's 4 chars a token
    fake_openai.responder = lambda body: long_answer
    value, responses = await complete_json(provider, _request(max_tokens=150), Answer)
    assert value.text.startswith("word")
    assert [r.body["max_tokens"] for r in fake_openai.requests] == [150, 300, 600]
    assert [r.finish_reason for r in responses] == ["length", "length", "stop"]

    fake_openai.reset()
    with pytest.raises(OutputError, match="cut at max_tokens"):
        await complete_json(provider, _request(max_tokens=20), Answer)
    assert len(fake_openai.requests) == MAX_REGROWTHS + 1
