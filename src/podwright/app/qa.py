"""Take QA for the studio: the review a render runs with, and what a rendered tier's QA found.

A render's QA record lives in ``run.json`` (``renders.<tier>.qa``): every chunk's text, what Whisper
heard, its word errors, duration, problems and takes, and which lines are flagged. ``podwright qa``
prints it; publishing a tier with flagged lines needs ``allow_flagged``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podwright.app.settings import StudioSettings
from podwright.core import EpisodeError, Show, Tier

if TYPE_CHECKING:
    from podwright.pipeline.take_review import TakeReview

__all__ = ["TierQA", "read_tier_qa", "take_review"]


def take_review(settings: StudioSettings, show: Show, tier: Tier) -> TakeReview | None:
    """The review a ``tier`` render of ``show`` runs with, or ``None`` when its takes are not checked."""
    if not settings.qa or not show.qa.enabled(tier):
        return None
    from podwright.pipeline.take_review import TakeReview

    if settings.checker is not None:
        checker = settings.checker(show.qa, settings.models_dir)
    else:
        from podwright.audio.whisper_checker import whisper_checker

        # Whisper knows languages by their ISO 639-1 code alone (``en``, not ``en-US``).
        language = show.language.split("-")[0]
        checker = whisper_checker(show.qa, settings.models_dir, language=language)
    return TakeReview(checker, show.qa)


@dataclass(frozen=True, slots=True)
class TierQA:
    """What take QA found in one rendered tier."""

    tier: Tier
    checked: bool
    """False when the tier was rendered without QA."""
    lines: tuple[dict[str, Any], ...]
    """Per chunk: segment, turn, host, text, heard, word_errors, words, duration_s, problems, takes,
    flagged, from_cache."""
    compute_s: float | None
    retakes: int

    @property
    def flagged(self) -> tuple[dict[str, Any], ...]:
        """The lines no take of which passed."""
        return tuple(line for line in self.lines if line.get("flagged"))


def read_tier_qa(folder: Path, tier: Tier, *, missing_ok: bool = False) -> TierQA:
    """The QA record of ``folder``'s ``tier`` render, from ``run.json``.

    A render ``run.json`` does not describe (made elsewhere, or imported) raises, unless
    ``missing_ok``, which reads it as unchecked.
    """
    try:
        run = json.loads((Path(folder) / "run.json").read_text(encoding="utf-8"))
        render = run["renders"][tier.value]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if missing_ok:
            return TierQA(tier=tier, checked=False, lines=(), compute_s=None, retakes=0)
        raise EpisodeError(
            f"{Path(folder).name} has no {tier.value} render on record",
            hint=f"render it first: `podwright render EPISODE --tier {tier.value}`",
        ) from exc
    qa = render.get("qa") if isinstance(render, dict) else None
    if not isinstance(qa, dict) or not qa.get("checked"):
        return TierQA(tier=tier, checked=False, lines=(), compute_s=None, retakes=0)
    return TierQA(
        tier=tier,
        checked=True,
        lines=tuple(line for line in qa.get("lines", ()) if isinstance(line, dict)),
        compute_s=qa.get("compute_s"),
        retakes=int(qa.get("retakes", 0)),
    )
