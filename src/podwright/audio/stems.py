"""The stem store: what a render of a tier leaves behind so that the next one redoes only what changed.

It lives in a hidden ``.stems/`` folder inside the tier's output folder. Every mastered piece is kept
as its MP3 (``<key>.mp3``, straight from the encoder, Info frame included) and its K-weighted energy
cells, peak and limiter depth (``<key>.cells``); the key hashes everything the piece's bytes depend on
(its clips, their place in the piece, the gain, the ceiling, the encoder settings). ``manifest.json``
names the pieces of the MP3 now published and the episode-wide figures: the gain, the ceiling, and
the offset between this library's meter on the mastered samples and ffmpeg's meter on the MP3.

Every file is written under a temporary name and renamed, and the manifest is written only after the
MP3 it describes is in place, so a kill at any moment leaves either the old state or the new one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from podwright.audio.mp3frames import Mp3Piece, read_piece
from podwright.core.errors import AudioError

__all__ = ["STEMS_DIR", "Manifest", "StemStore", "StoredStem"]

STEMS_DIR = ".stems"
_MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Manifest:
    """What the published MP3 of this tier is made of, and the figures an incremental render keeps."""

    fingerprint: str
    """Settings and encoder the pieces were made with; a different one makes them unusable."""
    gain_db: float
    ceiling_db: float
    """The true-peak target the pieces were limited for (before mastering's headroom)."""
    encoder_offset_lu: float
    """ffmpeg's reading of the MP3 minus this library's reading of the mastered samples."""
    true_peak_dbtp: float
    """ffmpeg's true peak of the published MP3 (or an upper bound of it)."""
    loudness_range_lu: float
    input_lufs: float
    pieces: dict[str, str] = field(default_factory=dict)
    """Content digest of each published piece → the key of its stored MP3 and cells."""


@dataclass(frozen=True, slots=True)
class StoredStem:
    """One stored piece's loudness figures."""

    cells: npt.NDArray[np.float64]
    true_peak_dbtp: float
    reduction_db: float


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StemStore:
    """The ``.stems/`` folder of one tier's output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.folder = Path(out_dir) / STEMS_DIR

    def _ready(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AudioError(
                f"cannot keep the render's pieces in {self.folder}: {exc.strerror or exc}",
                hint=f"check free space and permissions of {self.folder.parent}",
            ) from exc

    def manifest(self, fingerprint: str) -> Manifest | None:
        """The manifest of the published MP3, or ``None`` if absent, unreadable or made differently."""
        try:
            data = json.loads((self.folder / _MANIFEST).read_text(encoding="utf-8"))
            manifest = Manifest(**data)
        except (OSError, ValueError, TypeError):
            return None
        return manifest if manifest.fingerprint == fingerprint else None

    def recorded(self) -> bool:
        """Whether a manifest exists at all (usable or not)."""
        return (self.folder / _MANIFEST).is_file()

    def save_manifest(self, manifest: Manifest) -> None:
        """Record the pieces of the MP3 just published (call only once it is in place)."""
        self._ready()
        text = json.dumps(asdict(manifest), indent=1, sort_keys=True) + "\n"
        self._write(self.folder / _MANIFEST, text.encode("utf-8"))

    def mp3_path(self, key: str) -> Path:
        """Where the piece ``key``'s MP3 is (or is to be) stored."""
        self._ready()
        return self.folder / f"{key}.mp3"

    def has(self, key: str) -> bool:
        """Whether both files of piece ``key`` are stored."""
        return (self.folder / f"{key}.mp3").is_file() and (self.folder / f"{key}.cells").is_file()

    def piece(self, key: str, *, check: bool = False) -> Mp3Piece:
        """The stored MP3 of piece ``key`` (``check``: walk its frames, as right after encoding)."""
        return read_piece(self.folder / f"{key}.mp3", check=check)

    def stem(self, key: str) -> StoredStem:
        """The stored loudness figures of piece ``key``."""
        path = self.folder / f"{key}.cells"
        try:
            # Raw float64: peak, limiter depth, then the cells (np.load of an .npz costs 20x more).
            data = np.fromfile(path, dtype="<f8")
        except (OSError, ValueError) as exc:
            raise AudioError(
                f"the stored piece {path} is unreadable: {exc}",
                hint="delete the episode's .stems folder; the next render re-encodes every piece",
            ) from exc
        if data.size < 2:
            raise AudioError(
                f"the stored piece {path} is truncated", hint="delete the episode's .stems folder"
            )
        return StoredStem(cells=data[2:], true_peak_dbtp=float(data[0]), reduction_db=float(data[1]))

    def put_stem(self, key: str, stem: StoredStem) -> None:
        """Store piece ``key``'s loudness figures (its MP3 is written by the encoder)."""
        self._ready()
        header = np.array([stem.true_peak_dbtp, stem.reduction_db], dtype="<f8")
        data = np.concatenate([header, np.asarray(stem.cells, dtype="<f8")]).tobytes()
        self._write(self.folder / f"{key}.cells", data)

    def prune(self, keep: set[str]) -> None:
        """Delete stored pieces whose key is not in ``keep`` (and temporary files left by a kill)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name == _MANIFEST:
                continue
            if path.name.startswith(".") or path.name.split(".", 1)[0] not in keep:
                path.unlink(missing_ok=True)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            _write_atomically(path, data)
        except OSError as exc:
            raise AudioError(
                f"cannot write {path}: {exc.strerror or exc}",
                hint=f"check free space and permissions of {path.parent}",
            ) from exc
