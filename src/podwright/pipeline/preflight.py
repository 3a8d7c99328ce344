"""Checks made before the first LLM call: whatever would fail after spending fails first, in one line.

An episode's folder must be creatable and writable, its id a plain folder name, and its long sources
must not need more digest calls than the show allows (``max_source_digests``, with the count and its
estimated cost in the message). :func:`check_before_spending` runs at the start of every script run;
callers (the API, the queue) may call it earlier still, before they ingest or enqueue anything.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from podwright.core import ConfigError, EpisodeRequest, Show, SourceDoc, SourceError, Task
from podwright.llm.pricing import PriceTable
from podwright.llm.wrappers import estimate_input_tokens
from podwright.sources import split
from podwright.stages import source_digest

__all__ = [
    "check_before_spending",
    "check_episode_id",
    "check_out_folder",
    "check_sources",
    "digest_plan",
]

_EPISODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")


def check_episode_id(episode_id: str) -> None:
    """An episode id must be one plain folder name: letters, digits, ``.``, ``_`` and ``-``."""
    if not _EPISODE_ID.match(episode_id) or set(episode_id) == {"."}:
        raise ConfigError(
            f"episode id {episode_id!r} is not a plain folder name",
            hint="use letters, digits, '.', '_' and '-' only (at most 120), e.g. 2026-11-25-dark-sky",
        )


def check_out_folder(folder: Path) -> None:
    """``folder`` exists as a writable folder, or can be created: every existing part is a folder."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        what = (
            f"the output folder {folder} is a file"
            if existing == folder
            else f"{existing} is a file, so the output folder {folder} cannot be made"
        )
        raise ConfigError(what, hint="pass --out a folder (it is created if missing), or move that file away")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(
            f"cannot write into {existing} (permission denied)",
            hint="pass --out a folder you can write to, or fix its permissions",
        )


def digest_plan(show: Show, sources: Sequence[SourceDoc]) -> tuple[int, float | None, str]:
    """``(digest calls, worst-case US$, model)`` the long ``sources`` need before research.

    Cost is ``None`` when the model routed for source digests has no known price.
    """
    model = show.llm.route_for(Task.SOURCE_SUMMARY).model
    if show.llm.provider == "local":
        from podwright.llm.local import LOCAL_MODEL_ID

        model = LOCAL_MODEL_ID
    prices = PriceTable.from_mapping(show.llm.prices, base=PriceTable.default())
    calls = 0
    cost: float | None = 0.0
    for doc in sources:
        if doc.summary is not None or not split.needs_summary(doc):
            continue
        pieces = split.split_for_summary(doc.text)
        for index, piece in enumerate(pieces, start=1):
            request = source_digest.build_request(
                doc.title, piece, index=index, total=len(pieces), episode_id=None
            )
            calls += 1
            price = prices.estimate(model, estimate_input_tokens(request), request.max_tokens)
            cost = None if cost is None or price is None else cost + price
    return calls, cost, model


def check_sources(show: Show, sources: Sequence[SourceDoc]) -> None:
    """Refuse sources that need more digest calls than ``max_source_digests`` allows."""
    calls, cost, model = digest_plan(show, sources)
    if calls <= show.max_source_digests:
        return
    dollars = "of unknown cost" if cost is None else f"up to ${cost:.2f}"
    raise SourceError(
        f"the sources need {calls} digest calls on {model} ({dollars}), over the show's limit of "
        f"{show.max_source_digests}",
        hint=f"set max_source_digests = {calls} in the show file's [show] table to allow it, "
        "or pass a shorter excerpt of the sources",
    )


def check_before_spending(
    show: Show, request: EpisodeRequest, folder: Path, sources: Sequence[SourceDoc] = ()
) -> None:
    """Everything about writing ``request`` into ``folder`` that can be known before the first call."""
    check_episode_id(request.episode_id)
    check_out_folder(folder)
    check_sources(show, sources)
