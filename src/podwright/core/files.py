"""The one atomic write: a file appears whole or not at all, with the mode a plain ``open()`` gives.

Lives in core because every layer writes files that must never be seen half-written (scripts,
run records, manifests, feeds, show files).
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text"]


@functools.cache
def _file_mode() -> int:
    """What ``open()`` would give a new file under this process's umask (0644 usually)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename.

    The file gets the mode a plain ``open()`` would give it (world-readable under the usual umask),
    not ``mkstemp``'s private 0600: feeds and transcripts are served by web servers as other users.
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """:func:`atomic_write_text` for bytes (audio and images that arrive whole from another machine)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _file_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
