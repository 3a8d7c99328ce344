"""The smaller jobs of the Python API: images, YouTube metadata, the cost ledger, the voice list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from podwright.app.settings import KeyLookup
from podwright.app.wiring import engine_options
from podwright.core import ConfigError, EngineVoice, PodwrightError, Script, Show, Tier

if TYPE_CHECKING:
    from podwright.pipeline.images import EpisodeImages
    from podwright.pipeline.video import EpisodeVideo
    from podwright.store.database import Database
    from podwright.store.ledger import EpisodeTotal, StageTotal

__all__ = [
    "VoiceList",
    "costs_by_episode",
    "costs_by_stage",
    "list_voices",
    "make_images",
    "write_video",
    "write_youtube",
]

#: Where each remote image engine's key is looked for when the show file names none.
_DEFAULT_KEY_ENV = {"openai_images": "OPENAI_API_KEY", "openrouter": "OPENROUTER_API_KEY"}


async def make_images(
    script: Script,
    show: Show | None,
    episode_dir: Path,
    name: str,
    keys: KeyLookup,
    *,
    workers: int = 4,
    model: str | None = None,
    timeout_s: float = 120.0,
) -> EpisodeImages:
    """Make the cover, thumbnail and segment cards into ``episode_dir/images`` with engine ``name``."""
    from podwright.images import IMAGE_ENGINES, create_engine
    from podwright.pipeline.images import make_episode_images

    if name not in IMAGE_ENGINES:
        raise ConfigError(f"unknown image engine {name!r}", hint=f"use one of: {', '.join(IMAGE_ENGINES)}")
    options = engine_options(show, keys).get(name, {}) if show else {}
    key = options.get("api_key") or (keys(_DEFAULT_KEY_ENV[name]) if name in _DEFAULT_KEY_ENV else None)
    if name != "titlecard" and not key:
        raise ConfigError(
            f"the {name} image engine needs an API key",
            hint=f"set {_DEFAULT_KEY_ENV[name]} (or api_key_env under [engines.{name}] in the show file), "
            "or use --engine titlecard",
        )
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        engine = create_engine(
            name,
            client=client,
            base_url=_text(options.get("base_url")),
            api_key=_text(key),
            model=model or _text(options.get("model")),
        )
        return await make_episode_images(
            script, show, episode_dir, engine, workers=workers, timeout_s=timeout_s
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def write_youtube(episode_dir: Path, tier: Tier) -> Path:
    """Write ``<tier>/youtube.json`` for a rendered tier; returns its path."""
    from podwright.pipeline.youtube import write_youtube_json

    return write_youtube_json(episode_dir, tier)


def write_video(
    episode_dir: Path, tier: Tier, show: Show, *, burn_captions: bool | None = None, fps: int | None = None
) -> EpisodeVideo:
    """Write ``<tier>/episode.mp4`` from a rendered tier, then ``youtube.json`` naming it."""
    from podwright.pipeline.video import write_episode_video
    from podwright.pipeline.youtube import write_youtube_json

    video = write_episode_video(episode_dir, tier, show, burn_captions=burn_captions, fps=fps)
    write_youtube_json(episode_dir, tier)
    return video


def costs_by_episode(conn: Database, *, limit: int) -> list[EpisodeTotal]:
    """LLM calls, tokens, dollars and latency per episode, most recent first."""
    from podwright.store.ledger import episode_totals

    return episode_totals(conn, limit=limit)


def costs_by_stage(conn: Database, episode_id: str) -> list[StageTotal]:
    """LLM calls, tokens, dollars and latency per stage of one episode."""
    from podwright.store.ledger import stage_totals

    return stage_totals(conn, episode_id)


@dataclass(frozen=True, slots=True)
class VoiceList:
    """Every voice of the engines asked for, usable here or not, and the show's cast check."""

    voices: list[EngineVoice]
    cast_ok: list[Tier]
    """Tiers whose cast can speak here (with a show)."""
    warnings: list[str]
    """Hosts who would sound alike (with a show)."""


def list_voices(names: Sequence[str], show: Show | None, keys: KeyLookup) -> VoiceList:
    """List engines × voices; with ``show``, check both tiers' casts (a clear error naming the host)."""
    from podwright.pipeline.voicing import check_cast, sound_alike_hosts
    from podwright.tts.registry import create_engine, engine_names

    options = engine_options(show, keys)
    voices: list[EngineVoice] = []
    engines = {}
    for name in names or engine_names():
        try:
            engines[name] = instance = create_engine(name, **options.get(name, {}))
            voices.extend(instance.voices())
        except PodwrightError as exc:
            # An engine unusable here is a row of the list; a show's bad [engines.*] option is the
            # producer's to fix, and stops the command rather than hiding in a row.
            if isinstance(exc, ConfigError):
                raise
            voices.append(EngineVoice(engine=name, voice="—", usable=False, reason=str(exc)))
    cast_ok: list[Tier] = []
    warnings: list[str] = []
    if show is not None:
        for tier in Tier:
            check_cast(show, tier, engines)
            cast_ok.append(tier)
            warnings.extend(sound_alike_hosts(show, tier, engines))
    return VoiceList(voices=voices, cast_ok=cast_ok, warnings=warnings)
