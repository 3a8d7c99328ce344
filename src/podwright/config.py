"""Configuration resolved once, at the edge: data dir, show files, API keys.

This is the only module (with ``cli``) that reads environment variables and config files; everything
below receives resolved values as arguments.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from pydantic import ValidationError

from podwright.core import ConfigError, Show

__all__ = ["Settings", "api_key", "data_dir", "load_show", "show_from_toml"]

#: Show fields written as their own tables (``[llm]``, ``[[hosts]]``...) rather than inside ``[show]``.
_TOP_LEVEL_TABLES = frozenset(
    {"hosts", "template", "llm", "lexicon", "audio", "engines", "publishing", "schedule", "quality"}
)


def data_dir() -> Path:
    """The data dir: ``$PODWRIGHT_HOME`` or the platform's user data dir; created if missing."""
    override = os.environ.get("PODWRIGHT_HOME")
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("podwright"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def api_key(env_var: str) -> str | None:
    """The API key named by ``env_var`` (never logged), or ``None`` when unset or empty."""
    value = os.environ.get(env_var, "").strip()
    return value or None


def show_from_toml(text: str, *, origin: str = "<show>") -> Show:
    """Parse and validate a show from TOML text; errors name the field and the fix."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{origin}: not valid TOML ({exc})", hint="fix the syntax, or run `podwright init` for a starter"
        ) from exc
    show_table = raw.pop("show", {})
    if not isinstance(show_table, dict):
        raise ConfigError(f"{origin}: [show] must be a table", hint="see `podwright init` for the layout")
    data = {**show_table, **raw}
    try:
        return Show.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"]]
        if loc and loc[0] not in _TOP_LEVEL_TABLES:
            loc.insert(0, "show")  # the field lives in the [show] table of the file
        # Array-of-table indexes read 1-based, as a producer counts [[hosts]] entries.
        where = ".".join(str(int(part) + 1) if part.isdigit() else part for part in loc) or "show"
        raise ConfigError(
            f"{origin}: {where}: {first['msg'].removeprefix('Value error, ')}",
            hint=f"fix '{where}' in the show file ({exc.error_count()} problem(s) in all)",
        ) from exc


def load_show(path: Path) -> Show:
    """Read and validate the show file at ``path``."""
    if not path.is_file():
        raise ConfigError(f"show file {path} not found", hint="pass --show FILE, or run `podwright init`")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"show file {path} cannot be read ({exc})", hint="save it as UTF-8 TOML") from exc
    return show_from_toml(text, origin=str(path))


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved run-time settings handed down to orchestration."""

    home: Path
    """The data dir (SQLite store, chunk cache, assembled models)."""

    @classmethod
    def resolve(cls) -> Settings:
        """Resolve from the environment, once."""
        return cls(home=data_dir())

    @property
    def db_path(self) -> Path:
        """The SQLite store."""
        return self.home / "podwright.db"

    @property
    def chunk_cache_dir(self) -> Path:
        """Content-addressed synthesized chunks."""
        return self.home / "chunks"

    @property
    def models_dir(self) -> Path:
        """Models assembled from package parts (the local GGUF)."""
        return self.home / "models"
