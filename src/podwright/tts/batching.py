"""Grouping speech requests into per-voice batches, so an engine switches voice once per voice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from podwright.core.show import VoiceRef
from podwright.core.speech import SpeechRequest

__all__ = ["VoiceBatch", "plan_batches", "voice_id"]


def voice_id(voice: VoiceRef) -> str:
    """A stable identity for a voice and its settings (two requests with equal ids share conditioning)."""
    return json.dumps([voice.voice, sorted(voice.settings.items())], separators=(",", ":"), default=str)


@dataclass(frozen=True, slots=True)
class VoiceBatch:
    """Up to ``batch_size`` requests in one voice, with their positions in the original sequence."""

    voice: VoiceRef
    indexes: tuple[int, ...]
    requests: tuple[SpeechRequest, ...]


def plan_batches(requests: Sequence[SpeechRequest], batch_size: int) -> list[VoiceBatch]:
    """Group ``requests`` by voice (first-seen voice order), then cut each group into batches.

    Every request appears in exactly one batch; ``indexes`` map results back to input order.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    groups: dict[str, list[int]] = {}
    for index, request in enumerate(requests):
        groups.setdefault(voice_id(request.voice), []).append(index)
    batches: list[VoiceBatch] = []
    for indexes in groups.values():
        for start in range(0, len(indexes), batch_size):
            part = tuple(indexes[start : start + batch_size])
            batches.append(
                VoiceBatch(
                    voice=requests[part[0]].voice,
                    indexes=part,
                    requests=tuple(requests[i] for i in part),
                )
            )
    return batches
