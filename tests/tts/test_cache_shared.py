"""The chunk cache on a folder several writers share (as NFS or a Modal Volume is shared by hosts):
each write goes through its own temporary name and one rename, so a reader never sees part of a chunk."""

from __future__ import annotations

import multiprocessing
import os
import socket
from pathlib import Path

import numpy as np

from podwright.core.speech import AudioClip
from podwright.tts.cache import ChunkCache

KEY = "ab" + "0" * 62
SAMPLES = 48_000


def _writer(root: str, value: float, rounds: int) -> None:
    cache = ChunkCache(Path(root))
    for _ in range(rounds):
        cache.put(KEY, AudioClip(samples=np.full(SAMPLES, value, dtype=np.float32), sample_rate=24_000))


def test_writers_in_several_processes_never_expose_a_partial_chunk(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(tmp_path), v, 15)) for v in (0.25, 0.5, 0.75)]
    for proc in writers:
        proc.start()
    reader = ChunkCache(tmp_path)
    seen: set[float] = set()
    while any(proc.is_alive() for proc in writers):
        clip = reader.get(KEY)
        if clip is not None:
            assert clip.samples.shape == (SAMPLES,)  # whole, never a prefix
            values = set(np.unique(clip.samples).tolist())
            assert len(values) == 1  # one writer's take, never a mix of two
            seen |= values
    for proc in writers:
        proc.join()
        assert proc.exitcode == 0
    assert seen <= {0.25, 0.5, 0.75}
    assert [p.name for p in (tmp_path / "ab").iterdir()] == [f"{KEY}.wav"]  # no temporary left


def test_the_temporary_name_says_which_host_and_process_wrote_it(tmp_path: Path, monkeypatch) -> None:
    renamed: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        renamed.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    ChunkCache(tmp_path).put(KEY, AudioClip(samples=np.zeros(10, dtype=np.float32), sample_rate=24_000))
    host = "".join(c if c.isalnum() else "-" for c in socket.gethostname())[:40]
    [name] = renamed
    assert name.startswith(f".{KEY}.{host}-{os.getpid()}.") and name.endswith(".part")
