"""Reading a finished episode folder back: its script and its chapters, with clear errors.

An episode folder (``<out>/<show-slug>/<episode-id>/``) holds ``script.json`` (a core Script),
``chapters.json`` (Podcasting 2.0), ``episode.mp3``, transcripts and ``images/``.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from podwright.core import ConfigError, Script
from podwright.core.timeline import Chapter

__all__ = ["read_chapters", "read_script"]


def read_script(episode_dir: Path) -> Script:
    """The episode's ``script.json``."""
    path = episode_dir / "script.json"
    if not path.is_file():
        raise ConfigError(
            f"{episode_dir} is not an episode folder (no script.json)",
            hint="pass the folder `podwright script` printed, or run `podwright produce`",
        )
    try:
        return Script.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "script"
        raise ConfigError(
            f"{path} is not a valid script ({where}: {first['msg'].removeprefix('Value error, ')})",
            hint="fix the edited field, or write the script again with `podwright script`",
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path} ({exc})", hint="check the file's permissions") from exc


def read_chapters(episode_dir: Path) -> list[Chapter]:
    """The chapters of the real audio, from the episode's Podcasting 2.0 ``chapters.json``."""
    path = episode_dir / "chapters.json"
    if not path.is_file():
        raise ConfigError(
            f"{episode_dir} has no chapters.json", hint="render the episode first (`podwright render`)"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        entries = document["chapters"]
        chapters: list[Chapter] = []
        for index, entry in enumerate(entries):
            start = float(entry["startTime"])
            following = entries[index + 1]["startTime"] if index + 1 < len(entries) else None
            end = float(entry.get("endTime", following if following is not None else start + 1))
            chapters.append(
                Chapter(
                    index=index,
                    title=str(entry.get("title", "")),
                    start_s=start,
                    end_s=end,
                    image=entry.get("img"),
                )
            )
    except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
        raise ConfigError(
            f"{path} is not a Podcasting 2.0 chapters file ({exc})", hint="render the episode again"
        ) from exc
    return chapters
