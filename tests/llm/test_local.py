"""The embedded offline model: assembly from the PyPI parts and one real grammar-constrained call."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from podwright.core import LLMRequest, Message, Task
from podwright.llm.local import (
    LOCAL_MODEL_FILENAME,
    LOCAL_MODEL_ID,
    LOCAL_MODEL_SHA256,
    LOCAL_MODEL_SIZE,
    LocalLlamaClient,
    assemble_model,
)
from podwright.llm.structured import complete_json


@pytest.fixture(scope="session")
def local_model(pytestconfig: pytest.Config) -> Path:
    """The assembled GGUF, kept in the pytest cache so it is joined once, not every run."""
    pytest.importorskip("llama_cpp", reason="needs podwright[local]")
    assert pytestconfig.cache is not None
    return assemble_model(pytestconfig.cache.mkdir("podwright-models"))


class Guest(BaseModel):
    name: str = Field(max_length=24)
    minutes: int = Field(ge=1, le=90)


@pytest.mark.slow
def test_assembled_model_is_verified_and_reused(local_model: Path) -> None:
    assert local_model.name == LOCAL_MODEL_FILENAME
    assert local_model.stat().st_size == LOCAL_MODEL_SIZE
    sidecar = local_model.with_name(LOCAL_MODEL_FILENAME + ".sha256")
    assert sidecar.read_text(encoding="utf-8").strip() == LOCAL_MODEL_SHA256
    before = local_model.stat().st_mtime_ns
    assert assemble_model(local_model.parent) == local_model
    assert local_model.stat().st_mtime_ns == before  # reused, not joined again


@pytest.mark.slow
async def test_local_model_answers_valid_json(local_model: Path) -> None:
    client = LocalLlamaClient(local_model, n_ctx=1024, n_threads=2)
    request = LLMRequest(
        task=Task.METADATA,
        stage="metadata",
        messages=(
            Message(role="system", content="You answer with JSON only."),
            Message(
                role="user",
                content="Invent a podcast guest: a short name and an interview length in minutes.",
            ),
        ),
        max_tokens=40,
        temperature=0.0,
    )
    guest, responses = await complete_json(client, request, Guest)
    assert 1 <= guest.minutes <= 90
    assert guest.name
    response = responses[0]
    assert (response.provider, response.model_served) == ("local", LOCAL_MODEL_ID)
    assert (response.usage.cost_usd, response.usage.cost_source) == (0.0, "free")
    assert response.usage.input_tokens > 0
    assert response.usage.output_tokens > 0
    assert client.load_s is not None
