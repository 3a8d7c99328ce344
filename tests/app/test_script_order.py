"""The studio writes the embedded model's body segments in order, a remote provider's concurrently."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from podwright import Studio
from podwright.app import studio as studio_module
from podwright.core import Show, Task
from tests.stages.shows import starter_show
from tests.support.scripted_llm import ScriptedLLM

DELAYS = {task: 0.02 for task in Task}


def _scripted(monkeypatch: pytest.MonkeyPatch, show: Show) -> ScriptedLLM:
    """The studio's script client replaced by a scripted one (the seam the CLI's wiring goes through)."""
    llm = ScriptedLLM(show.host_ids, delays=DELAYS)

    @contextlib.asynccontextmanager
    async def scripted_client(*_args: Any, **_kwargs: Any) -> AsyncIterator[ScriptedLLM]:
        yield llm

    monkeypatch.setattr(studio_module, "script_client", scripted_client)
    return llm


async def test_offline_writes_body_segments_one_after_another(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = starter_show()
    llm = _scripted(monkeypatch, show)
    await studio.write_script(show, topic="Why is the night sky dark?", offline=True)
    spans = {span.stage: span for span in llm.spans}
    assert spans["segment-3"].start > spans["segment-2"].end
    segment_3 = next(r for r in llm.requests if r.stage == "segment-3")
    assert "Already said in the segments before this one" in segment_3.messages[-1].content


async def test_a_remote_provider_writes_them_concurrently(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    show = starter_show()
    # A server that takes no key, so no key needs to be set for the test.
    remote = show.llm.model_copy(update={"provider": "openai_compat", "api_key_env": ""})
    show = show.model_copy(update={"llm": remote})
    llm = _scripted(monkeypatch, show)
    await studio.write_script(show, topic="Why is the night sky dark?", offline=False)
    spans = {span.stage: span for span in llm.spans}
    assert "segment-3" in spans["segment-2"].overlapped
