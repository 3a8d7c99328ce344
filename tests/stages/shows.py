"""The starter show and small variants, shared by the stage and pipeline tests."""

from __future__ import annotations

from importlib.resources import files

from podwright.config import show_from_toml
from podwright.core import EpisodeRequest, Show


def starter_show() -> Show:
    """The show ``podwright init`` writes (three template steps, hosts maya and joe)."""
    text = files("podwright").joinpath("data/starter_show.toml").read_text(encoding="utf-8")
    return show_from_toml(text, origin="starter_show.toml")


def episode(
    episode_id: str = "ep-1", minutes: float = 5.0, topic: str = "Why the night sky is dark"
) -> EpisodeRequest:
    """A topic-only episode request."""
    return EpisodeRequest(episode_id=episode_id, topic=topic, target_minutes=minutes)
