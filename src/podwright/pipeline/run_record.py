"""What a script run cost and how long each stage took: the ``script`` section of ``run.json``.

Times are wall seconds relative to the start of the run, so overlapping stages (segments 2..N,
intro ∥ conclusion ∥ metadata ∥ image prompts) show as overlapping intervals.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from podwright.core.files import atomic_write_text
from podwright.core.llm import LLMResponse, Usage
from podwright.core.model import Record
from podwright.core.show import Task
from podwright.stages.review import ScriptQuality

__all__ = [
    "RunRecord",
    "StageEvent",
    "StageRecord",
    "atomic_write_text",
    "total_cost",
    "update_run_json",
    "write_run_json",
]


class StageRecord(Record):
    """One stage of a script run: its calls, tokens, cost and place in time."""

    stage: str
    """Stage label (``research``, ``segment-2``, ``intro``...), as in the ledger."""
    task: Task
    started_s: float
    """Wall seconds from the start of the run."""
    ended_s: float
    calls: int
    """Ledger rows of the stage: every attempt (retried failures too) and every cache replay."""
    answers: int = 0
    """Answers received (the first, plus any repair or re-ask after a cut answer)."""
    retries: int = 0
    """Failed attempts retried before an answer came (rate limits, 5xx, timeouts)."""
    repairs: int = 0
    """Answers asked for again: invalid JSON repaired, or an answer cut at ``max_tokens`` re-asked."""
    cache_hits: int = 0
    """Answers replayed from the response cache (cost 0, nothing sent)."""
    input_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    """``None`` when any call's cost is unknown (unknown is not zero)."""
    models_asked: tuple[str, ...] = ()
    models_served: tuple[str, ...] = ()

    @property
    def wall_s(self) -> float:
        """Wall seconds the stage took."""
        return self.ended_s - self.started_s

    @classmethod
    def from_responses(
        cls, stage: str, task: Task, started_s: float, ended_s: float, responses: Sequence[LLMResponse]
    ) -> StageRecord:
        """Sum the usage of ``responses`` into one stage row."""
        usage = _total(response.usage for response in responses)
        return cls(
            stage=stage,
            task=task,
            started_s=round(started_s, 4),
            ended_s=round(ended_s, 4),
            calls=sum(response.attempts for response in responses),
            answers=len(responses),
            retries=sum(response.attempts - 1 for response in responses),
            repairs=max(len(responses) - 1, 0),
            cache_hits=sum(1 for response in responses if response.from_cache),
            input_tokens=usage.input_tokens,
            cached_tokens=usage.cached_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd,
            models_asked=tuple(dict.fromkeys(r.model_asked for r in responses)),
            models_served=tuple(dict.fromkeys(r.model_served for r in responses)),
        )


class StageEvent(Record):
    """Reported to ``on_event`` when a stage starts and when it finishes."""

    stage: str
    finished: bool
    record: StageRecord | None = None
    """Set when ``finished``."""


class RunRecord(Record):
    """Timings, tokens and dollars of one script run, stage by stage and in total."""

    episode_id: str
    show_slug: str
    started_at: datetime
    wall_s: float
    stages: tuple[StageRecord, ...]
    calls: int
    """Every attempt, as the ledger counts them: answers + retries (cache replays included)."""
    answers: int = 0
    retries: int = 0
    repairs: int = 0
    cache_hits: int = 0
    input_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    output_tokens: int
    cost_usd: float | None
    """``None`` when any call's cost is unknown."""
    quality: ScriptQuality | None = None
    """The structure checks of every segment, the repairs and the script's length."""

    @classmethod
    def build(
        cls,
        *,
        episode_id: str,
        show_slug: str,
        started_at: datetime,
        wall_s: float,
        stages: Sequence[StageRecord],
        quality: ScriptQuality | None = None,
    ) -> RunRecord:
        """Totals from ``stages``, sorted by start time."""
        ordered = tuple(sorted(stages, key=lambda stage: (stage.started_s, stage.stage)))
        return cls(
            episode_id=episode_id,
            show_slug=show_slug,
            started_at=started_at,
            wall_s=round(wall_s, 4),
            stages=ordered,
            calls=sum(stage.calls for stage in ordered),
            answers=sum(stage.answers for stage in ordered),
            retries=sum(stage.retries for stage in ordered),
            repairs=sum(stage.repairs for stage in ordered),
            cache_hits=sum(stage.cache_hits for stage in ordered),
            input_tokens=sum(stage.input_tokens for stage in ordered),
            cached_tokens=sum(stage.cached_tokens for stage in ordered),
            cache_write_tokens=sum(stage.cache_write_tokens for stage in ordered),
            output_tokens=sum(stage.output_tokens for stage in ordered),
            cost_usd=total_cost(ordered),
            quality=quality,
        )

    def stage(self, name: str) -> StageRecord:
        """The stage labelled ``name``; ``KeyError`` if absent."""
        for stage in self.stages:
            if stage.stage == name:
                return stage
        raise KeyError(name)


def total_cost(stages: Iterable[StageRecord]) -> float | None:
    """The dollars of ``stages`` together; ``None`` when any stage's cost is unknown."""
    cost: float | None = 0.0
    for stage in stages:
        cost = None if cost is None or stage.cost_usd is None else cost + stage.cost_usd
    return cost


def _total(usages: Iterable[Usage]) -> Usage:
    total: Usage | None = None
    for usage in usages:
        total = usage if total is None else total + usage
    return total if total is not None else Usage()


def update_run_json(path: Path, updates: Mapping[str, Any]) -> None:
    """Add or replace top-level keys of ``run.json`` atomically, keeping the other layers' keys.

    ``run.json`` is one dict shared by the pipeline's layers (``script``, ``render``, ``produce``).
    """
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        if isinstance(loaded, dict):
            data = loaded
    data.update(updates)
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_run_json(path: Path, record: RunRecord, extra: dict[str, Any] | None = None) -> None:
    """Write ``record`` under the ``script`` key of ``run.json`` (``extra`` adds top-level keys)."""
    script = record.model_dump(mode="json")
    script["stages"] = [
        {**stage.model_dump(mode="json"), "wall_s": round(stage.wall_s, 4)} for stage in record.stages
    ]
    update_run_json(path, {"script": script, **(extra or {})})
