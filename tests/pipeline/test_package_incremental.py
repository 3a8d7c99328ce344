"""Re-rendering after an edit: only the changed pieces are redone, and the MP3 is as a full render's.

Tolerances, stated once: loudness on ffmpeg's meter -16 ± 0.5 LUFS and true peak ≤ -1 dBTP (what
the project publishes); chapters and transcript cues within 10 ms of a from-scratch render (they are
in fact identical); outside the edited turn the incremental MP3 decodes to exactly the previous
render's samples (its frames are reused byte for byte), and against a from-scratch render of the
edited script it is aligned to the sample with the same level (within the gain difference) and
differs only by MP3 coding noise: a residual ≤ -20 dB below the programme, where the from-scratch
render itself sits about 24 dB from the mastered samples it encodes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

from podwright.audio.ffmpeg import decode, measure_loudness
from podwright.audio.stems import STEMS_DIR
from podwright.core.episode import Script, Turn
from podwright.core.speech import AudioClip
from podwright.pipeline.package import KEEP_GAIN_LU, PackageResult, package_episode
from tests.audio.episode_audio import script, show, synthetic_clips, voiced

RATE = 44_100
EDITED = (1, 1)
"""The turn the tests reword: the middle of the body segment (Maya)."""


def edited_script() -> Script:
    """The test script with one line reworded (longer, so everything after it moves)."""
    base = script()
    segment = base.segments[EDITED[0]]
    turns = list(segment.turns)
    turns[EDITED[1]] = Turn(
        host="maya", text="That is why surveyors come back, every spring, to measure again."
    )
    segments = list(base.segments)
    segments[EDITED[0]] = segment.model_copy(update={"turns": tuple(turns)})
    return base.model_copy(update={"segments": tuple(segments)})


def chap_times(result: PackageResult) -> list[tuple[int, int]]:
    frames = sorted(ID3(result.episode_mp3).getall("CHAP"), key=lambda frame: frame.start_time)
    return [(frame.start_time, frame.end_time) for frame in frames]


def check_publishable(result: PackageResult) -> None:
    measured = measure_loudness(result.episode_mp3)
    assert measured.integrated_lufs == pytest.approx(-16.0, abs=0.5)
    assert measured.true_peak_dbtp <= -1.0
    # The incremental path's own figure predicts ffmpeg's (which prints tenths).
    assert result.loudness.integrated_lufs == pytest.approx(measured.integrated_lufs, abs=0.15)
    stored = {path.name for path in (result.episode_mp3.parent / STEMS_DIR).iterdir()}
    assert not any(name.startswith(".") for name in stored)


def edited_span(result: PackageResult) -> tuple[int, int]:
    """Samples of the edited turn, widened by half a second each side (its piece's joins)."""
    text = edited_script().segments[EDITED[0]].turns[EDITED[1]].text
    cue = next(c for c in result.cues if c.text == text)
    return round((cue.start_s - 0.5) * RATE), round((cue.end_s + 0.5) * RATE)


def test_an_edit_re_encodes_only_its_piece_and_matches_a_full_render(tmp_path: Path) -> None:
    before = package_episode(script(), synthetic_clips(script()), show(), tmp_path / "ep")
    assert before.rebuild.mode == "global" and before.rebuild.pieces_encoded == before.rebuild.pieces_total
    previous, _ = decode(before.episode_mp3)

    edited = edited_script()
    again = package_episode(edited, synthetic_clips(edited), show(), tmp_path / "ep")
    fresh = package_episode(edited, synthetic_clips(edited), show(), tmp_path / "fresh")

    assert again.rebuild.mode == "incremental" and not again.rebuild.fell_back
    assert again.rebuild.pieces_encoded == 1 < again.rebuild.pieces_total
    assert fresh.rebuild.mode == "global"
    check_publishable(again)
    check_publishable(fresh)

    # Chapters (ID3 and chapters.json) and transcript cues: as the from-scratch render's, to the ms.
    assert chap_times(again) == chap_times(fresh)
    for name in ("chapters.json", "transcript.vtt", "transcript.srt"):
        assert (tmp_path / "ep" / name).read_text() == (tmp_path / "fresh" / name).read_text()
    for mine, theirs in zip(again.cues, fresh.cues, strict=True):
        assert abs(mine.start_s - theirs.start_s) <= 0.010 and abs(mine.end_s - theirs.end_s) <= 0.010
    assert json.loads((tmp_path / "ep" / "chapters.json").read_text())["chapters"][-1]["endTime"] == (
        pytest.approx(again.duration_s, abs=0.001)
    )

    incremental, _ = decode(again.episode_mp3)
    scratch, _ = decode(fresh.episode_mp3)
    assert incremental.size == scratch.size == round(again.duration_s * RATE)
    lo, hi = edited_span(again)
    moved = incremental.size - previous.size
    # Outside the edit: the previous render's samples, exactly (before it, and after it, moved).
    np.testing.assert_array_equal(incremental[:lo], previous[:lo])
    np.testing.assert_array_equal(incremental[hi:], previous[hi - moved :])
    # Against the from-scratch render: aligned, same level, MP3 coding noise apart.
    outside = np.concatenate([np.arange(lo), np.arange(hi, incremental.size)])
    gain = 10 ** ((fresh.mastering.gain_db - again.mastering.gain_db) / 20)
    mine, theirs = incremental[outside] * gain, scratch[outside]
    assert abs(again.mastering.gain_db - fresh.mastering.gain_db) < KEEP_GAIN_LU
    residual_db = 10 * np.log10(np.sum((mine - theirs) ** 2) / np.sum(theirs**2))
    assert residual_db <= -20.0
    window = slice(RATE, 3 * RATE)
    lags = np.correlate(mine[window], theirs[window][64:-64], mode="valid")
    assert abs(int(np.argmax(lags)) - 64) <= 1  # no lag


def test_an_edit_that_moves_the_loudness_falls_back_to_the_global_path(tmp_path: Path) -> None:
    package_episode(script(), synthetic_clips(script()), show(), tmp_path / "ep")
    edited = edited_script()
    clips = synthetic_clips(edited)
    # The reworded line was recorded far hotter and longer: the episode gets louder by several LU.
    clips[EDITED] = AudioClip(samples=voiced(9.0, 24_000, pitch=200.0, level=0.9, seed=4), sample_rate=24_000)
    result = package_episode(edited, clips, show(), tmp_path / "ep")

    assert result.rebuild.mode == "global" and result.rebuild.fell_back
    assert "moved the loudness" in result.rebuild.reason
    assert result.timings.passes in (1, 2)
    check_publishable(result)
    # The record of the pieces now describes the new MP3: the next identical render changes nothing.
    again = package_episode(edited, clips, show(), tmp_path / "ep")
    assert again.rebuild.mode == "incremental" and again.rebuild.pieces_encoded == 0
    assert again.episode_mp3.read_bytes() == result.episode_mp3.read_bytes()


_CHILD = """
import sys, time
from pathlib import Path
import podwright.audio.pieces as pieces
import podwright.pipeline.package as package
from podwright.pipeline.package import package_episode
from tests.audio.episode_audio import show, synthetic_clips
from tests.pipeline.test_package_incremental import edited_script

out, point, marker = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])

def stop_here():
    marker.write_text("reached")
    time.sleep(600)

if point == "encoding":
    real_encode = pieces.encode_mp3_pieces
    def encode(*args, **kwargs):
        real_encode(*args, **kwargs)  # the new pieces are on disk, their figures not yet
        stop_here()
    pieces.encode_mp3_pieces = encode
else:
    real_tag = package.write_id3
    def tag(*args, **kwargs):
        real_tag(*args, **kwargs)  # the joined MP3 is staged and tagged, not yet in place
        stop_here()
    package.write_id3 = tag
edited = edited_script()
package_episode(edited, synthetic_clips(edited), show(), out)
"""


@pytest.mark.parametrize("point", ["encoding", "publishing"])
def test_a_kill_mid_render_keeps_the_previous_mp3_and_the_next_run_finishes(
    tmp_path: Path, point: str
) -> None:
    out = tmp_path / "ep"
    package_episode(script(), synthetic_clips(script()), show(), out)
    previous = (out / "episode.mp3").read_bytes()
    marker = tmp_path / "reached"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(out), point, str(marker)], env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the render ended before the kill point"
            assert time.monotonic() < deadline, "the render never reached the kill point"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()

    assert (out / "episode.mp3").read_bytes() == previous
    visible = {path.name for path in out.iterdir() if not path.name.startswith(".")}
    assert visible == {"episode.mp3", "transcript.vtt", "transcript.srt", "chapters.json"}

    edited = edited_script()
    finished = package_episode(edited, synthetic_clips(edited), show(), out)
    fresh = package_episode(edited, synthetic_clips(edited), show(), tmp_path / "fresh")
    assert finished.rebuild.mode == "incremental"
    check_publishable(finished)
    assert chap_times(finished) == chap_times(fresh)
    assert sorted(path.name for path in out.iterdir() if path.name.startswith(".")) == [STEMS_DIR]


def test_changed_audio_targets_re_master_everything(tmp_path: Path) -> None:
    package_episode(script(), synthetic_clips(script()), show(), tmp_path / "ep")
    quieter = package_episode(script(), synthetic_clips(script()), show(loudness_lufs=-19.0), tmp_path / "ep")
    assert quieter.rebuild.mode == "global" and not quieter.rebuild.fell_back
    assert "settings" in quieter.rebuild.reason
    assert quieter.rebuild.pieces_encoded == quieter.rebuild.pieces_total
    assert measure_loudness(quieter.episode_mp3).integrated_lufs == pytest.approx(-19.0, abs=0.5)


def test_identical_turns_share_one_stored_piece(tmp_path: Path) -> None:
    base = script()
    repeated = base.model_copy(update={"segments": (base.segments[0], base.segments[1], base.segments[1])})
    clips = synthetic_clips(repeated)
    for t in range(len(base.segments[1].turns)):
        clips[(2, t)] = clips[(1, t)]
    result = package_episode(repeated, clips, show(), tmp_path / "ep")
    stored = [p for p in (tmp_path / "ep" / STEMS_DIR).iterdir() if p.suffix == ".mp3"]
    assert len(stored) < result.rebuild.pieces_total
    check_publishable(result)
