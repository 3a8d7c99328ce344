"""Structured answers: a JSON schema in the request, pydantic validation of the reply, one repair call."""

from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from podwright.core.errors import OutputError
from podwright.core.llm import LLMClient, LLMRequest, LLMResponse, Message

__all__ = ["MAX_REGROWTHS", "complete_json", "strip_think"]

T = TypeVar("T", bound=BaseModel)

_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*[ \t]*\n(.*?)\n?[ \t]*```", re.DOTALL)
_MAX_ERROR_CHARS = 1500


def strip_think(text: str) -> str:
    """The answer part of ``text``: reasoning blocks and Markdown code fences removed.

    Removes every ``<think>…</think>`` block; a ``</think>`` with no opening tag (some servers drop
    it) removes everything before it; a ``<think>`` never closed removes everything after it. A reply
    wrapped in a fenced code block (```` ```json ````) is reduced to the block's contents.
    """
    text = _THINK_BLOCK.sub("", text)
    lowered = text.lower()
    close = lowered.find("</think>")
    if close != -1:
        text = text[close + len("</think>") :]
        lowered = text.lower()
    opened = lowered.find("<think>")
    if opened != -1:
        text = text[:opened]
    text = text.strip()
    fence = _FENCE.search(text)
    if fence is not None:
        text = fence.group(1).strip()
    return text


def _parse(text: str, model_type: type[T]) -> T:
    return model_type.model_validate_json(strip_think(text))


def _problem(exc: ValidationError, *, separator: str = "\n") -> str:
    lines = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "(whole answer)"
        lines.append(f"- {where}: {error['msg']}")
    return separator.join(lines)[:_MAX_ERROR_CHARS]


MAX_REGROWTHS = 2
"""An answer cut at ``max_tokens`` is asked again with twice the cap, at most this many times."""


async def _whole_answer(
    client: LLMClient, request: LLMRequest, responses: list[LLMResponse]
) -> tuple[LLMResponse, LLMRequest]:
    """An answer that was not cut at its cap, and the request that got it (its cap maybe grown).

    A cut answer (``finish_reason == "length"``) is never parsed: it is asked again with twice the
    ``max_tokens``, and :class:`OutputError` is raised when even the largest cap cuts it.
    """
    for regrowth in range(MAX_REGROWTHS + 1):
        response = await client.complete(request)
        responses.append(response)
        if not response.truncated:
            return response, request
        if regrowth < MAX_REGROWTHS:
            request = request.model_copy(update={"max_tokens": request.max_tokens * 2})
    stage = request.stage or request.task.value
    raise OutputError(
        f"{stage}: the model's answer was still cut at max_tokens={request.max_tokens} after "
        f"{MAX_REGROWTHS} larger caps (model {response.model_served})",
        hint="the model keeps writing past any cap: route this task to another model in the show's "
        "[llm.tiers] or [llm.tasks], or shorten the episode",
    )


async def complete_json(
    client: LLMClient, request: LLMRequest, model_type: type[T]
) -> tuple[T, list[LLMResponse]]:
    """Ask ``client`` for a ``model_type`` answer; repair once if the first one is invalid.

    The request gets ``model_type``'s JSON schema unless it carries its own. An answer cut at its
    output-token cap is asked again with a larger cap, never parsed. Returns the parsed answer and
    every response (for accounting). Raises :class:`OutputError` when the repaired answer is still
    invalid, or when answers stay cut at the largest cap.
    """
    if request.json_schema is None:
        request = request.model_copy(
            update={"json_schema": model_type.model_json_schema(), "schema_name": model_type.__name__}
        )
    responses: list[LLMResponse] = []
    first, request = await _whole_answer(client, request, responses)
    try:
        return _parse(first.text, model_type), responses
    except ValidationError as exc:
        problem = _problem(exc)
    repair = request.model_copy(
        update={
            "messages": (
                *request.messages,
                Message(role="assistant", content=first.text),
                Message(
                    role="user",
                    content=(
                        "That answer is not valid JSON for the required schema:\n"
                        f"{problem}\n"
                        "Reply again with the corrected JSON only: no explanation, no code fences."
                    ),
                ),
            )
        }
    )
    second, _ = await _whole_answer(client, repair, responses)
    try:
        return _parse(second.text, model_type), responses
    except ValidationError as exc:
        stage = request.stage or request.task.value
        raise OutputError(
            f"{stage}: the model's answer is not a valid {model_type.__name__} even after one repair "
            f"(model {second.model_served}): {_problem(exc, separator=' ')}",
            hint="route this task to another model in the show's [llm.tiers] or [llm.tasks]",
        ) from exc
