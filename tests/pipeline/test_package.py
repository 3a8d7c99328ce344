from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile
from mutagen.id3 import ID3
from PIL import Image

from podwright.audio.ffmpeg import decode, measure_loudness
from podwright.audio.timeline import lay_out
from podwright.core.episode import EpisodeMetadata
from podwright.core.errors import AudioError
from podwright.pipeline.package import PackageResult, package_episode
from tests.audio.episode_audio import ffmetadata, hibari_clips, script, show, synthetic_clips

OUTPUTS = {"episode.mp3", "transcript.vtt", "transcript.srt", "chapters.json"}


@pytest.fixture
def cover(tmp_path: Path) -> Path:
    path = tmp_path / "cover.jpg"
    Image.new("RGB", (300, 300), "#1d3557").save(path, format="JPEG")
    return path


def check_episode(result: PackageResult, target: float, ceiling: float = -1.0) -> None:
    """Loudness by the independent meter, chapters by two readers, transcripts inside the audio."""
    out_dir = result.episode_mp3.parent
    assert {p.name for p in out_dir.iterdir()} == OUTPUTS | {".stems"}  # nothing temporary left behind
    stored = {p.name for p in (out_dir / ".stems").iterdir()}
    assert "manifest.json" in stored and not any(name.startswith(".") for name in stored)

    measured = measure_loudness(result.episode_mp3)
    assert measured == result.loudness
    assert abs(measured.integrated_lufs - target) <= 1.0
    assert measured.true_peak_dbtp <= ceiling

    tags = ID3(result.episode_mp3)
    chaps = sorted(tags.getall("CHAP"), key=lambda frame: frame.start_time)
    assert [frame.sub_frames["TIT2"].text[0] for frame in chaps] == [seg.title for seg in script().segments]
    assert [frame.start_time for frame in chaps] == [round(c.start_s * 1000) for c in result.chapters]
    assert chaps[-1].end_time == pytest.approx(result.duration_s * 1000, abs=30)
    assert tags.getall("CTOC")[0].child_element_ids == ["chp0", "chp1", "chp2"]
    assert ffmetadata(result.episode_mp3).count("[CHAPTER]") == 3

    vtt = result.transcript_vtt.read_text()
    assert vtt.startswith("WEBVTT\n\n")
    stamps = [
        tuple(
            int(h) * 3600 + int(m) * 60 + float(s)
            for h, m, s in re.findall(r"(\d{2}):(\d{2}):(\d{2}\.\d{3})", line)
        )
        for line in vtt.splitlines()
        if "-->" in line
    ]
    assert len(stamps) >= len(script().turns)
    assert all(start < end <= result.duration_s + 0.001 for start, end in stamps)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(stamps))
    srt = result.transcript_srt.read_text()
    assert re.match(r"1\n\d{2}:\d{2}:\d{2},\d{3} --> ", srt)
    assert srt.count(" --> ") == len(stamps)

    document = json.loads(result.chapters_json.read_text())
    assert document["version"] == "1.2.0"
    assert [c["title"] for c in document["chapters"]] == [seg.title for seg in script().segments]
    assert document["chapters"][0]["startTime"] == 0


def test_an_episode_is_packaged_at_the_shows_loudness(tmp_path: Path, cover: Path) -> None:
    the_script = script()
    result = package_episode(
        the_script,
        synthetic_clips(the_script),
        show(),
        tmp_path / "ep-1",
        cover=cover,
        episode_number=3,
        segment_images={1: "images/segment-2.png"},
    )
    check_episode(result, -16.0)
    tags = ID3(result.episode_mp3)
    assert tags["TIT2"].text == ["Following a river"]
    assert tags["TALB"].text == ["Field Notes"]
    assert tags["TRCK"].text == ["3"]
    assert tags.getall("APIC")[0].data == cover.read_bytes()
    document = json.loads(result.chapters_json.read_text())
    assert document["chapters"][1]["img"] == "images/segment-2.png"
    assert "img" not in document["chapters"][0]
    assert result.speech_s < result.duration_s
    assert result.timings.passes in (1, 2)
    assert result.timings.mix_s >= 0 and result.timings.encode_s > 0 and result.timings.master_s > 0
    samples, rate = decode(result.episode_mp3)
    assert rate == 44_100
    assert samples.size / rate == pytest.approx(result.duration_s, abs=0.03)


def test_a_mono_standard_target_is_met_too(tmp_path: Path) -> None:
    the_script = script()
    result = package_episode(
        the_script, synthetic_clips(the_script), show(loudness_lufs=-19.0), tmp_path / "ep"
    )
    check_episode(result, -19.0)
    assert "APIC" not in {frame.FrameID for frame in ID3(result.episode_mp3).values()}


@pytest.mark.slow
def test_real_speech_at_mixed_engine_rates(tmp_path: Path) -> None:
    the_script = script()
    clips = hibari_clips(the_script)
    assert {clip.sample_rate for clip in clips.values()} == {24_000, 22_050}
    result = package_episode(the_script, clips, show(), tmp_path / "ep")
    check_episode(result, -16.0)
    # Tighter than the 1 LU acceptance: the corrected pass lands close to the target.
    assert result.loudness.integrated_lufs == pytest.approx(-16.0, abs=0.5)


def test_the_music_bed_is_mixed_in(tmp_path: Path) -> None:
    t = np.arange(3 * 44_100) / 44_100
    theme = tmp_path / "theme.wav"
    soundfile.write(theme, 0.3 * np.sin(2 * np.pi * 330 * t), 44_100)
    the_script = script()
    plain = package_episode(the_script, synthetic_clips(the_script), show(), tmp_path / "plain")
    bedded = package_episode(
        the_script, synthetic_clips(the_script), show(music=str(theme)), tmp_path / "music"
    )
    check_episode(bedded, -16.0)
    # Under a bed the turns keep their natural gaps (no frame-aligned pieces: the music never pauses).
    natural = lay_out(the_script, synthetic_clips(the_script), show().audio)
    assert bedded.duration_s == pytest.approx(natural.duration_s + 8.0, abs=0.05)
    assert plain.duration_s == pytest.approx(natural.duration_s, abs=0.027 * len(plain.cues))
    assert bedded.rebuild.pieces_total == 1
    assert bedded.cues[0].start_s == pytest.approx(4.0)


def test_an_unwritable_folder_is_an_audio_error_with_a_hint(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the folder should be")
    the_script = script()
    with pytest.raises(AudioError, match="cannot write the episode") as raised:
        package_episode(the_script, synthetic_clips(the_script), show(), blocker / "ep")
    assert "folder" in raised.value.hint
    assert not (blocker / "ep" / "episode.mp3").exists()


def test_a_failure_after_encoding_leaves_no_partial_episode(tmp_path: Path) -> None:
    out_dir = tmp_path / "ep"
    out_dir.mkdir()
    (out_dir / "episode.mp3").write_bytes(b"the previous, complete episode")
    not_an_image = tmp_path / "cover.png"
    not_an_image.write_text("<svg/>")
    the_script = script()
    with pytest.raises(AudioError, match="neither JPEG nor PNG"):
        package_episode(the_script, synthetic_clips(the_script), show(), out_dir, cover=not_an_image)
    # Encoded pieces may be kept for the next run; no finished-looking file is.
    assert sorted(p.name for p in out_dir.iterdir()) == [".stems", "episode.mp3"]
    assert (out_dir / "episode.mp3").read_bytes() == b"the previous, complete episode"
    assert not (out_dir / ".stems" / "manifest.json").exists()


def test_missing_clips_fail_before_anything_is_written(tmp_path: Path) -> None:
    the_script = script()
    clips = synthetic_clips(the_script)
    del clips[(2, 1)]
    with pytest.raises(AudioError, match="no audio clip"):
        package_episode(the_script, clips, show(), tmp_path / "ep")
    assert list((tmp_path / "ep").iterdir()) == []


def test_metadata_chapter_titles_name_the_chapters(tmp_path: Path) -> None:
    base = script()
    titled = base.model_copy(
        update={
            "metadata": EpisodeMetadata(
                title="Following a river",
                description="Rivers and maps.",
                chapter_titles=("Hello", "Bends and lakes", "Bye"),
            )
        }
    )
    result = package_episode(titled, synthetic_clips(titled), show(), tmp_path / "ep")
    assert [c.title for c in result.chapters] == ["Hello", "Bends and lakes", "Bye"]
    chaps = sorted(ID3(result.episode_mp3).getall("CHAP"), key=lambda frame: frame.start_time)
    assert [frame.sub_frames["TIT2"].text[0] for frame in chaps] == ["Hello", "Bends and lakes", "Bye"]
    assert ID3(result.episode_mp3).getall("COMM")[0].text == ["Rivers and maps."]
