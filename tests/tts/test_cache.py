from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from podwright.core.speech import AudioClip
from podwright.tts.cache import ChunkCache

KEY = "ab" + "0" * 62


def _clip() -> AudioClip:
    rng = np.random.default_rng(1)
    return AudioClip(samples=rng.uniform(-1, 1, 1234).astype(np.float32), sample_rate=22050)


def test_round_trip_is_lossless(tmp_path: Path) -> None:
    cache = ChunkCache(tmp_path)
    clip = _clip()
    assert cache.get(KEY) is None
    assert KEY not in cache
    cache.put(KEY, clip)
    assert KEY in cache
    got = cache.get(KEY)
    assert got is not None
    assert got.sample_rate == 22050
    assert got.samples.dtype == np.float32
    assert np.array_equal(got.samples, clip.samples)
    assert cache.stats.hits == 1 and cache.stats.misses == 1 and cache.stats.writes == 1


def test_partial_temp_file_is_never_read(tmp_path: Path) -> None:
    cache = ChunkCache(tmp_path)
    folder = tmp_path / KEY[:2]
    folder.mkdir(parents=True)
    # What a crash mid-write leaves behind: a truncated temporary file.
    (folder / f".{KEY}.xyz.part").write_bytes(b"RIFF\x00\x00")
    assert cache.get(KEY) is None
    assert KEY not in cache
    cache.put(KEY, _clip())
    assert cache.get(KEY) is not None


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    cache = ChunkCache(tmp_path)
    bad = AudioClip(samples=np.zeros(10, np.float32), sample_rate=0)  # soundfile refuses a zero rate
    with pytest.raises(Exception):  # noqa: B017 - whatever soundfile raises, no file may remain
        cache.put(KEY, bad)
    assert KEY not in cache
    assert list((tmp_path / KEY[:2]).iterdir()) == []


def test_truncated_final_file_is_a_miss(tmp_path: Path) -> None:
    cache = ChunkCache(tmp_path)
    cache.put(KEY, _clip())
    path = tmp_path / KEY[:2] / f"{KEY}.wav"
    path.write_bytes(path.read_bytes()[:10])
    assert cache.get(KEY) is None


def test_rejects_path_like_keys(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ChunkCache(tmp_path).get("../etc")
