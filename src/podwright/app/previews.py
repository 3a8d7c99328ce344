"""What a producer sees before and around a render: the cost estimate of an episode, a waveform.

The estimate is made before anything is paid. LLM tokens come from the episode's size (the same
word targets the script stages are asked for) and the dated price table; render seconds come from
the calibrated speaking rate and real-time factor of past renders on this machine, dollars from the
planner's GPU prices (a CPU voice on this machine is priced as the ``cpu`` row says).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from podwright.core import Show, Task, Tier
from podwright.store.database import Database

__all__ = ["EpisodeEstimate", "estimate_episode", "waveform_peaks"]

#: The static prefix (show, brief, outline, template) every script call carries, in tokens.
_PREFIX_TOKENS = 1_500
#: What one cited web source (title, URL, passage) adds to that prefix, in tokens (measured: ~118).
_SOURCE_TOKENS = 120
#: Engines that need a GPU: the rest run on this machine's CPU.
_GPU_ENGINES = frozenset({"chatterbox"})


@dataclass(frozen=True, slots=True)
class EpisodeEstimate:
    """The expected cost of one episode, before it is written."""

    llm_calls: int
    llm_input_tokens: int
    llm_output_tokens: int
    llm_usd: float | None
    """``None`` when a routed model has no price (unknown is not zero)."""
    audio_s: float
    render_s: float
    render_usd: float | None
    gpu: str
    """The price row the render is priced by (``cpu`` for voices that run here)."""
    calibrated_from: int
    """Past renders the speaking rate and real-time factor come from (0: defaults)."""


def estimate_episode(
    conn: Database, show: Show, *, minutes: float, tier: Tier, offline: bool
) -> EpisodeEstimate:
    """Tokens, dollars and render seconds of a ``minutes`` episode of ``show`` in ``tier``."""
    from podwright.llm.local import LOCAL_MODEL_ID
    from podwright.llm.pricing import WEB_RESULT_USD
    from podwright.llm.pricing import PriceTable as LLMPrices
    from podwright.pipeline.clients import uses_local_model
    from podwright.scheduler.estimate import Calibration, audio_s_from_minutes, calibration_key
    from podwright.scheduler.planner import PriceTable as GpuPrices
    from podwright.stages.sizing import TOKENS_PER_WORD, size_episode
    from podwright.store.sessions import SessionStore

    size = size_episode(show, minutes)
    prices = LLMPrices.from_mapping(show.llm.prices, base=LLMPrices.default())
    local = uses_local_model(show, offline=offline)
    # research, outline, each body segment, summary, intro, conclusion, metadata, image prompts
    calls: list[tuple[Task, int]] = [(Task.RESEARCH, 600), (Task.OUTLINE, 400)]
    calls += [(Task.SEGMENT, round(words * TOKENS_PER_WORD)) for words in size.segment_words]
    calls += [(Task.SUMMARY, 400), (Task.INTRO, round(size.intro_words * TOKENS_PER_WORD))]
    calls += [(Task.CONCLUSION, round(size.conclusion_words * TOKENS_PER_WORD))]
    calls += [(Task.METADATA, 300), (Task.IMAGE_PROMPTS, 300)]
    # A web search bills its results once, and its sources ride in the outline's and writers' prompts.
    results = show.research.max_results if show.research.web and not local else 0
    dollars: float | None = results * WEB_RESULT_USD
    input_tokens = output_tokens = 0
    for task, out in calls:
        extra = round(size.body_words * TOKENS_PER_WORD) if task is Task.SUMMARY else 0
        extra += results * _SOURCE_TOKENS if task in (Task.OUTLINE, Task.SEGMENT) else 0
        input_tokens += _PREFIX_TOKENS + extra
        output_tokens += out
        model = LOCAL_MODEL_ID if local else show.llm.route_for(task).model
        price = prices.estimate(model, _PREFIX_TOKENS + extra, out)
        dollars = None if price is None or dollars is None else dollars + price
    calibration = Calibration.from_samples(SessionStore(conn).calibration(calibration_key(tier.value, "cpu")))
    audio_s = audio_s_from_minutes(minutes)
    render_s = calibration.compute_s(audio_s)
    gpu = "T4" if any(host.voice(tier).engine in _GPU_ENGINES for host in show.hosts) else "cpu"
    row = GpuPrices.default().gpus.get(gpu)
    return EpisodeEstimate(
        llm_calls=len(calls),
        llm_input_tokens=input_tokens,
        llm_output_tokens=output_tokens,
        llm_usd=dollars,
        audio_s=audio_s,
        render_s=render_s,
        render_usd=None if row is None else render_s * row.serverless_per_s,
        gpu=gpu,
        calibrated_from=calibration.samples,
    )


def waveform_peaks(mp3: Path, *, buckets: int = 600) -> list[float]:
    """Peak magnitude (0–1) of each of ``buckets`` equal stretches of ``mp3``: what a waveform draws."""
    from podwright.audio.ffmpeg import decode

    samples, _ = decode(mp3, rate=8_000)  # peaks need no more than this, and decode fast
    mono = np.abs(samples if samples.ndim == 1 else samples.mean(axis=1))
    if mono.size == 0:
        return []
    edges = np.linspace(0, mono.size, num=min(buckets, mono.size) + 1, dtype=np.int64)
    return [round(float(mono[a:b].max()), 3) for a, b in itertools.pairwise(edges) if b > a]
