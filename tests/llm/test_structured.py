"""Structured answers: think-stripping, schema in the request, one repair call, OutputError."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from podwright.core import LLMRequest, Message, Task
from podwright.core.errors import OutputError
from podwright.llm.openai_compat import OpenAICompatClient
from podwright.llm.structured import complete_json, strip_think
from tests.support.fake_openai import FakeChatServer


class Chapter(BaseModel):
    title: str
    minutes: int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ('<think>hmm, JSON?</think>\n{"a": 1}', '{"a": 1}'),
        ('<think>one</think>{"a":<think>two</think> 1}', '{"a": 1}'),
        ('I should answer briefly.</think>{"a": 1}', '{"a": 1}'),
        ('{"a": 1}<think>and then I trailed off', '{"a": 1}'),
        ('<think>never closed {"a": 1}', ""),
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('Here you go:\n```\n{"a": 1}\n```\nEnjoy!', '{"a": 1}'),
        ('<think>x</think>\n```json\n{"a": 1}\n```', '{"a": 1}'),
        ("  plain text  ", "plain text"),
    ],
)
def test_strip_think(raw: str, expected: str) -> None:
    assert strip_think(raw) == expected


def _replies(*texts: str) -> Iterator[str]:
    yield from texts


@pytest.fixture
async def client(fake_openai: FakeChatServer) -> AsyncIterator[OpenAICompatClient]:
    client = OpenAICompatClient(fake_openai.base_url, None, default_model="openai/gpt-4.1-mini")
    yield client
    await client.aclose()


def _program(server: FakeChatServer, *texts: str) -> None:
    replies = _replies(*texts)
    server.responder = lambda body: next(replies)


REQUEST = LLMRequest(
    task=Task.METADATA,
    stage="metadata",
    messages=(Message(role="user", content="Name the chapter."),),
)


async def test_valid_answer_parses_and_sends_the_schema(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    _program(fake_openai, '<think>easy</think>{"title": "Cold open", "minutes": 2}')
    chapter, responses = await complete_json(client, REQUEST, Chapter)
    assert chapter == Chapter(title="Cold open", minutes=2)
    assert len(responses) == 1
    response_format = fake_openai.requests[0].body["response_format"]
    assert response_format["json_schema"]["name"] == "Chapter"
    assert response_format["json_schema"]["schema"] == Chapter.model_json_schema()


async def test_a_request_schema_is_kept(client: OpenAICompatClient, fake_openai: FakeChatServer) -> None:
    schema: dict[str, Any] = {"type": "object", "properties": {"title": {"type": "string"}}}
    _program(fake_openai, '{"title": "t", "minutes": 1}')
    await complete_json(client, REQUEST.model_copy(update={"json_schema": schema}), Chapter)
    assert fake_openai.requests[0].body["response_format"]["json_schema"]["schema"] == schema


async def test_one_repair_call_fixes_an_invalid_answer(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    _program(fake_openai, '{"title": "Cold open", "minutes": "two"}', '{"title": "Cold open", "minutes": 2}')
    chapter, responses = await complete_json(client, REQUEST, Chapter)
    assert chapter.minutes == 2
    assert len(responses) == 2
    repair_messages = fake_openai.requests[1].body["messages"]
    assert repair_messages[0] == {"role": "user", "content": "Name the chapter."}
    assert repair_messages[1] == {"role": "assistant", "content": '{"title": "Cold open", "minutes": "two"}'}
    assert repair_messages[2]["role"] == "user"
    assert "minutes" in repair_messages[2]["content"]
    assert "JSON only" in repair_messages[2]["content"]


async def test_garbage_twice_is_an_output_error(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    _program(fake_openai, "I cannot do that.", "Still prose, sorry.")
    with pytest.raises(OutputError) as caught:
        await complete_json(client, REQUEST, Chapter)
    assert caught.value.message.startswith("metadata:")
    assert "Chapter" in caught.value.message
    assert "another model" in caught.value.hint
    assert len(fake_openai.requests) == 2


async def test_fake_servers_default_reply_satisfies_the_schema(
    client: OpenAICompatClient, fake_openai: FakeChatServer
) -> None:
    chapter, _ = await complete_json(client, REQUEST, Chapter)
    assert isinstance(chapter, Chapter)
