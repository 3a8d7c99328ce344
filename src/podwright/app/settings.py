"""What the application needs resolved before it starts: where data lives, keys, who is acting.

The interface layer (``podwright.config``) fills this in from the environment, once; the Python API
never reads the environment itself, so a test or a web app can hand it anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podwright.core import QASettings, SpeechChecker

__all__ = ["KeyLookup", "StudioSettings"]

KeyLookup = Callable[[str], "str | None"]
"""Returns the secret held by an environment variable name (``OPENROUTER_API_KEY``), or ``None``."""


def _no_keys(_name: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class StudioSettings:
    """Resolved run-time settings of a :class:`~podwright.app.Studio`."""

    home: Path
    """The data dir: the SQLite store, the chunk cache, assembled models."""
    out_root: Path = Path("out")
    """Where new episode folders go: ``<out_root>/<show slug>/<episode id>/``."""
    keys: KeyLookup = field(default=_no_keys, repr=False)
    """How a key named in a show file is looked up; never logged, never stored."""
    actor: str = "producer"
    """Who approvals and publications are recorded as."""
    db_file: Path | None = None
    """The SQLite store when it is not the data dir's ``podwright.db`` (a worker pointed elsewhere)."""
    store_url: str | None = field(default=None, repr=False)
    """A PostgreSQL store (``postgresql://…``) shared by several machines; wins over ``db_file``.
    Kept out of ``repr``: the URL may hold a password."""
    private_sources: bool = True
    """Whether source URLs may point at loopback, private or link-local hosts (off for a served studio)."""
    qa: bool = True
    """Run take QA where a show's ``[qa]`` table asks for it (``PODWRIGHT_QA=off`` turns it off)."""
    checker: Callable[[QASettings, Path], SpeechChecker] | None = field(default=None, repr=False)
    """Builds the speech checker of take QA from a show's ``[qa]`` settings and the models dir;
    ``None`` is faster-whisper (:func:`podwright.audio.whisper_checker.whisper_checker`)."""

    @property
    def db_path(self) -> Path:
        """The SQLite store."""
        return self.db_file or self.home / "podwright.db"

    @property
    def store(self) -> Path | str:
        """Where the store lives: the PostgreSQL URL when one is set, else the SQLite file."""
        return self.store_url or self.db_path

    @property
    def chunk_cache_dir(self) -> Path:
        """Content-addressed synthesized chunks."""
        return self.home / "chunks"

    @property
    def models_dir(self) -> Path:
        """Models assembled from package parts (the local GGUF)."""
        return self.home / "models"
