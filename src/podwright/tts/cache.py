"""The chunk cache: synthesized chunks stored by content address, so edits and crashes cost only what changed.

Each chunk is one float32 WAV file (lossless, carries its sample rate) at ``<root>/<key[:2]>/<key>.wav``.
A write goes to a temporary name in the same folder and is renamed into place, so a crash mid-write
leaves at worst a stray ``.part`` file that is never read as a chunk. The temporary name carries the
writer's host and process (``.<key>.<host>-<pid>.<random>.part``), so several hosts writing one shared
folder (NFS, a Modal Volume) never share a temporary file, and a stray one names who left it. With
take QA on, only a chunk's accepted take is stored, with what Whisper heard in it beside it
(``<key>.heard.json``), so a later render checks it again without hearing it again.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from podwright.core.errors import VoiceError
from podwright.core.files import atomic_write_text
from podwright.core.speech import AudioClip

__all__ = ["CacheStats", "ChunkCache"]


def _writer() -> str:
    """This writer in temporary names: host (letters, digits, dashes) and process id (read per write,
    so a forked worker names itself, not its parent)."""
    return "".join(c if c.isalnum() else "-" for c in socket.gethostname())[:40] + f"-{os.getpid()}"


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What a cache has served and stored since it was opened."""

    hits: int
    misses: int
    writes: int


class ChunkCache:
    """Content-addressed store of synthesized chunks under ``root``. Safe to share between threads."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._writes = 0

    def _path(self, key: str) -> Path:
        if len(key) < 3 or not key.isalnum():
            raise ValueError(f"chunk key must be an alphanumeric digest, got {key!r}")
        return self.root / key[:2] / f"{key}.wav"

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._path(key).is_file()

    def get(self, key: str) -> AudioClip | None:
        """The cached clip for ``key``, or ``None`` when it was never stored (or is unreadable)."""
        path = self._path(key)
        try:
            samples, rate = sf.read(str(path), dtype="float32", always_2d=False)
        except (OSError, RuntimeError, sf.LibsndfileError):
            with self._lock:
                self._misses += 1
            return None
        with self._lock:
            self._hits += 1
        return AudioClip(
            samples=np.asarray(samples, dtype=np.float32), sample_rate=int(rate), meta={"cached": "1"}
        )

    def put(self, key: str, clip: AudioClip) -> None:
        """Store ``clip`` under ``key`` atomically (temporary file, then rename)."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key}.{_writer()}.", suffix=".part", dir=path.parent)
        except OSError as exc:
            raise VoiceError(
                f"cannot write the chunk cache at {self.root}: {exc}",
                hint="check that PODWRIGHT_HOME is writable and the disk is not full",
            ) from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                sf.write(
                    handle,
                    np.asarray(clip.samples, dtype=np.float32),
                    clip.sample_rate,
                    format="WAV",
                    subtype="FLOAT",
                )
                handle.flush()
                os.fsync(handle.fileno())
            # A hearing belongs to the take it was heard in, never to the one replacing it.
            path.with_suffix(".heard.json").unlink(missing_ok=True)
            os.replace(tmp, path)
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise VoiceError(
                    f"cannot write chunk {key[:12]} to the cache: {exc}",
                    hint="check free disk space under PODWRIGHT_HOME",
                ) from exc
            raise
        with self._lock:
            self._writes += 1

    def put_hearing(self, key: str, model: str, heard: str) -> None:
        """Remember what take QA's ``model`` heard in chunk ``key`` (beside its WAV, atomically)."""
        path = self._path(key).with_suffix(".heard.json")
        try:
            atomic_write_text(path, json.dumps({"model": model, "heard": heard}, ensure_ascii=False))
        except OSError as exc:
            raise VoiceError(
                f"cannot write chunk {key[:12]}'s QA hearing to the cache: {exc}",
                hint="check free disk space under PODWRIGHT_HOME",
            ) from exc

    def hearing(self, key: str, model: str) -> str | None:
        """What ``model`` heard in chunk ``key`` when it was accepted, or ``None`` (never heard by it)."""
        try:
            document = json.loads(self._path(key).with_suffix(".heard.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(document, dict) or document.get("model") != model:
            return None
        heard = document.get("heard")
        return heard if isinstance(heard, str) else None

    @property
    def stats(self) -> CacheStats:
        """Hits, misses and writes since this cache object was created."""
        with self._lock:
            return CacheStats(hits=self._hits, misses=self._misses, writes=self._writes)
