"""The ffmpeg boundary: find the binary, encode MP3, decode any audio file, meter loudness.

The meter here (ffmpeg's ``ebur128`` filter with true-peak) is independent of the one mastering
uses (pyloudnorm), so it is what checks a finished episode.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from podwright.core.errors import AudioError

__all__ = [
    "LoudnessMeasurement",
    "decode",
    "encode_mp3",
    "encode_mp3_pieces",
    "ffmpeg_binary",
    "measure_loudness",
]

_INSTALL_HINT = "install ffmpeg (e.g. `apt install ffmpeg`) or the `imageio-ffmpeg` package"


@dataclass(frozen=True, slots=True)
class LoudnessMeasurement:
    """What ffmpeg's EBU R128 meter reports for a whole file."""

    integrated_lufs: float
    """Integrated (gated) loudness, BS.1770 / EBU R128."""
    true_peak_dbtp: float
    """Maximum true peak in dBTP (4x oversampled by ffmpeg)."""
    loudness_range_lu: float
    """Loudness range (LRA)."""


def ffmpeg_binary() -> str:
    """Path of the ffmpeg to run: ``ffmpeg`` on PATH, else the one ``imageio-ffmpeg`` ships."""
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise AudioError("no ffmpeg binary found", hint=_INSTALL_HINT) from exc
    return str(exe)


def _run(
    args: list[str],
    *,
    stdin: bytes | None = None,
    what: str,
    cwd: Path | None = None,
    hint: str = "check that the file exists, is readable and is an audio file ffmpeg supports",
) -> subprocess.CompletedProcess[bytes]:
    quiet_stdin = ["-nostdin"] if stdin is None else []
    command = [ffmpeg_binary(), "-hide_banner", "-y", *quiet_stdin, *args]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, check=False, cwd=cwd)
    except OSError as exc:
        raise AudioError(f"could not run ffmpeg to {what}: {exc}", hint=_INSTALL_HINT) from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise AudioError(
            f"ffmpeg failed to {what}: {' | '.join(tail) or f'exit status {done.returncode}'}",
            hint=hint,
        )
    return done


def encode_mp3(samples: npt.NDArray[np.floating], rate: int, dest: Path, *, bitrate_kbps: int = 128) -> None:
    """Encode mono ``samples`` at ``rate`` Hz to a CBR MP3 at ``dest`` (LAME).

    The MP3 is written under a temporary name beside ``dest`` and moved into place only once
    ffmpeg succeeded, so ``dest`` is never a partial file.
    """
    if samples.ndim != 1 or samples.size == 0:
        raise AudioError(
            f"cannot encode {samples.size} samples of shape {samples.shape} to MP3",
            hint="pass the mastered mono mix (a non-empty 1-D array)",
        )
    dest = Path(dest)
    partial = dest.with_name(f".{dest.name}.partial")
    pcm = np.ascontiguousarray(samples, dtype="<f4").tobytes()
    try:
        _run(
            [
                "-f",
                "f32le",
                "-ar",
                str(rate),
                "-ac",
                "1",
                "-i",
                "pipe:0",
                "-map_metadata",
                "-1",
                "-c:a",
                "libmp3lame",
                "-b:a",
                f"{bitrate_kbps}k",
                "-f",
                "mp3",
                str(partial),
            ],
            stdin=pcm,
            what=f"encode {dest.name}",
        )
        partial.replace(dest)
    except OSError as exc:
        raise AudioError(
            f"could not write {dest}: {exc.strerror or exc}",
            hint=f"make sure {dest.parent} exists and is writable",
        ) from exc
    finally:
        partial.unlink(missing_ok=True)


def encode_mp3_pieces(
    pieces: Sequence[npt.NDArray[np.floating]], rate: int, dests: Sequence[Path], *, bitrate_kbps: int = 128
) -> None:
    """Encode each of ``pieces`` (mono) to its own CBR MP3 in ``dests``, every one with a fresh encoder.

    One ffmpeg run splits the samples (``asegment``) and encodes the pieces side by side (ffmpeg
    gives each encoder its own thread). Each MP3 starts with its Xing/LAME Info frame and no ID3 tag,
    and appears under its name only once the whole run succeeded.
    """
    if len(pieces) != len(dests) or not pieces or any(p.ndim != 1 or p.size == 0 for p in pieces):
        raise AudioError(
            f"cannot encode {len(pieces)} piece(s) into {len(dests)} file(s)",
            hint="pass one non-empty mono array per destination",
        )
    partials = [Path(dest).with_name(f".{Path(dest).name}.partial") for dest in dests]
    cuts = np.cumsum([piece.size for piece in pieces])[:-1].tolist()
    if cuts:
        labels = "".join(f"[p{index}]" for index in range(len(pieces)))
        split = ["-filter_complex", f"[0:a]asegment=samples={'|'.join(map(str, cuts))}{labels}"]
        maps = [f"[p{index}]" for index in range(len(pieces))]
    else:
        split, maps = [], ["0:a"]
    outputs: list[str] = []
    for label, partial in zip(maps, partials, strict=True):
        outputs += ["-map", label, "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k"]
        outputs += ["-id3v2_version", "0", "-write_xing", "1", "-f", "mp3", str(partial)]
    pcm = np.concatenate([np.asarray(piece, dtype="<f4") for piece in pieces]).tobytes()
    try:
        _run(
            [
                "-f",
                "f32le",
                "-ar",
                str(rate),
                "-ac",
                "1",
                "-i",
                "pipe:0",
                "-map_metadata",
                "-1",
                *split,
                *outputs,
            ],
            stdin=pcm,
            what=f"encode {len(pieces)} MP3 piece(s)",
        )
        for partial, dest in zip(partials, dests, strict=True):
            partial.replace(dest)
    except OSError as exc:
        raise AudioError(
            f"could not write the encoded pieces: {exc.strerror or exc}",
            hint=f"make sure {Path(dests[0]).parent} exists and is writable",
        ) from exc
    finally:
        for partial in partials:
            partial.unlink(missing_ok=True)


_NUMBER = r"(-?(?:\d+(?:\.\d*)?|inf))"


def measure_loudness(path: Path) -> LoudnessMeasurement:
    """Integrated loudness, true peak and loudness range of an audio file, by ffmpeg's ebur128."""
    done = _run(
        ["-nostats", "-i", str(path), "-vn", "-af", "ebur128=peak=true", "-f", "null", "-"],
        what=f"measure the loudness of {Path(path).name}",
    )
    log = done.stderr.decode("utf-8", "replace")
    summary = log[log.rfind("Summary:") :]
    found = {key: re.search(rf"{key}:\s+{_NUMBER}", summary) for key in ("I", "LRA", "Peak")}
    if "Summary:" not in log or not all(found.values()):
        raise AudioError(
            f"ffmpeg's ebur128 meter printed no summary for {Path(path).name}",
            hint="use an ffmpeg build with the ebur128 filter (imageio-ffmpeg's has it)",
        )
    value = {key: float(match.group(1)) for key, match in found.items() if match}
    return LoudnessMeasurement(
        integrated_lufs=value["I"], true_peak_dbtp=value["Peak"], loudness_range_lu=value["LRA"]
    )


def _native_rate(path: Path) -> int:
    # `ffmpeg -i` with no output exits non-zero by design but prints the stream description.
    try:
        done = subprocess.run(
            [ffmpeg_binary(), "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True, check=False
        )
    except OSError as exc:
        raise AudioError(f"could not run ffmpeg to probe {path}: {exc}", hint=_INSTALL_HINT) from exc
    match = re.search(r"Audio:.*?(\d+) Hz", done.stderr.decode("utf-8", "replace"))
    if not match:
        raise AudioError(
            f"{path} has no audio stream ffmpeg can read",
            hint="give an audio file (MP3, WAV, FLAC, OGG, M4A...)",
        )
    return int(match.group(1))


def decode(path: Path, *, rate: int | None = None) -> tuple[npt.NDArray[np.float32], int]:
    """Decode any audio file ffmpeg reads to mono float32; at ``rate`` Hz if given, else its own."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"audio file {path} does not exist", hint="check the path in the show file")
    target = rate if rate is not None else _native_rate(path)
    done = _run(
        [
            "-i",
            str(path),
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(target),
            "-f",
            "f32le",
            "-c:a",
            "pcm_f32le",
            "pipe:1",
        ],
        what=f"decode {path.name}",
    )
    return np.frombuffer(done.stdout, dtype="<f4").astype(np.float32), target
