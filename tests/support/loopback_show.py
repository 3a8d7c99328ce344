"""A starter show that writes through the loopback chat server, and a responder for every stage."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from podwright.core import LLMRequest, Message, Task
from tests.support.scripted_llm import ScriptedLLM

SCHEMA_TASKS = {
    "research_brief": Task.RESEARCH,
    "outline": Task.OUTLINE,
    "dialogue": Task.SEGMENT,
    "summary": Task.SUMMARY,
    "metadata": Task.METADATA,
    "image_prompts": Task.IMAGE_PROMPTS,
    "source_summary": Task.SOURCE_SUMMARY,
}


def answer_any_stage(body: dict[str, Any]) -> dict[str, Any]:
    """A valid answer for whichever stage sent ``body`` (told apart by its schema name)."""
    task = SCHEMA_TASKS[body["response_format"]["json_schema"]["name"]]
    last = body["messages"][-1]["content"]
    text = last if isinstance(last, str) else last[0]["text"]
    # Each call its own label (the first line says which segment), so no segment repeats another.
    label = ("bookend" if text.startswith("Write the") else "body") + "-" + text.split("\n")[0][:40]
    request = LLMRequest(task=task, messages=(Message(role="user", content="x"),), stage=label)
    return ScriptedLLM(["maya", "joe"]).answer(request)


def loopback_show_file(
    folder: Path, base_url: str, *, name: str = "show.toml", replace: dict[str, str] | None = None
) -> Path:
    """The starter show, writing with ``openai_compat`` against ``base_url``; written to ``folder/name``."""
    text = files("podwright").joinpath("data/starter_show.toml").read_text(encoding="utf-8")
    text = text.replace('provider = "local"', 'provider = "openai_compat"')
    text = text.replace('base_url = "https://openrouter.ai/api/v1"', f'base_url = "{base_url}"')
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
