"""Where each tier's render lives in an episode folder, and what says which render a folder holds.

An episode folder keeps what every tier shares at its root (``script.json``, ``show.json``,
``images/``, ``run.json``) and one folder per rendered tier::

    <episode>/draft/   episode.mp3 transcript.vtt transcript.srt chapters.json youtube.json render.json
                       (and episode.mp4, the YouTube video, when the show makes one)
    <episode>/final/   the same, in the final voices

A final render never touches ``draft/``; a re-render of a tier replaces only that tier's files, each
one atomically, with ``render.json`` (tier, voices, the script it voiced) written last.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from podwright.core import ConfigError, Show, Tier
from podwright.pipeline.run_record import atomic_write_text

__all__ = [
    "RENDER_FILES",
    "RENDER_MANIFEST",
    "adopt_legacy_render",
    "read_render_manifest",
    "render_dir",
    "rendered_tiers",
    "script_sha",
    "write_render_manifest",
]

RENDER_MANIFEST = "render.json"
"""Written last into a tier's folder: which tier, which voices, which script."""

RENDER_FILES = (
    "episode.mp3",
    "transcript.vtt",
    "transcript.srt",
    "chapters.json",
    "youtube.json",
    "episode.mp4",
)
"""The files a finished render holds, besides its manifest."""


def render_dir(episode_dir: Path, tier: Tier) -> Path:
    """The folder of ``tier``'s render: ``<episode>/draft`` or ``<episode>/final``."""
    return Path(episode_dir) / tier.value


def script_sha(episode_dir: Path) -> str:
    """sha256 of the folder's ``script.json`` bytes: what an approval and a render are bound to."""
    path = Path(episode_dir) / "script.json"
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ConfigError(
            f"cannot read {path} ({exc})", hint="pass an episode folder with script.json"
        ) from exc


def write_render_manifest(episode_dir: Path, tier: Tier, show: Show, *, sha: str) -> dict[str, Any]:
    """Write ``<tier>/render.json`` (atomically, world-readable) and return it."""
    folder = render_dir(episode_dir, tier)
    manifest = {
        "tier": tier.value,
        "script_sha": sha,
        "rendered_at": time.time(),
        "voices": {host.id: host.voice(tier).model_dump(mode="json") for host in show.hosts},
        "files": [name for name in RENDER_FILES if (folder / name).is_file()],
    }
    atomic_write_text(folder / RENDER_MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_render_manifest(episode_dir: Path, tier: Tier) -> dict[str, Any] | None:
    """The tier's manifest, or ``None`` when that tier was never (completely) rendered."""
    path = render_dir(episode_dir, tier) / RENDER_MANIFEST
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) and document.get("tier") == tier.value else None


def rendered_tiers(episode_dir: Path) -> list[Tier]:
    """The tiers with a finished render in ``episode_dir``."""
    return [tier for tier in Tier if read_render_manifest(episode_dir, tier) is not None]


def adopt_legacy_render(episode_dir: Path, show: Show) -> Tier | None:
    """Move a render written at the folder's root (podwright 0.1) into its tier folder.

    The tier comes from ``run.json``'s render record (``draft`` when it names none). Nothing is
    deleted: files move with ``os.replace`` inside the same folder. Returns the tier adopted.
    """
    folder = Path(episode_dir)
    if not (folder / "episode.mp3").is_file():
        return None
    tier = Tier.DRAFT
    try:
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        tier = Tier(run.get("render", {}).get("tier", "draft"))
    except (OSError, ValueError, AttributeError):
        pass
    target = render_dir(folder, tier)
    target.mkdir(parents=True, exist_ok=True)
    for name in RENDER_FILES:
        if (folder / name).is_file():
            os.replace(folder / name, target / name)
    write_render_manifest(folder, tier, show, sha=script_sha(folder))
    return tier
