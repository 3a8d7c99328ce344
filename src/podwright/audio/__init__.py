"""Layer 2: mixing, loudness mastering, MP3 encoding and tagging, chapters and transcripts.

Modules, in the order an episode goes through them: ``resample`` (engine rate → show rate),
``timeline`` (turns → one mix with cues and chapters), ``music`` (optional ducked bed),
``loudness`` (BS.1770 target + true-peak limiter), ``ffmpeg`` (encode, decode, independent meter),
``tags`` (ID3 with CHAP/CTOC chapters and cover), ``transcript`` (WebVTT, SRT) and ``chapters``
(Podcasting 2.0 JSON).
"""

from podwright.audio.chapters import to_podcasting20_json
from podwright.audio.ffmpeg import LoudnessMeasurement, decode, encode_mp3, ffmpeg_binary, measure_loudness
from podwright.audio.loudness import Mastered, MasteringReport, integrated_lufs, master, measure_true_peak
from podwright.audio.music import add_music, duck_envelope
from podwright.audio.resample import resample
from podwright.audio.tags import mp3_duration_s, write_id3
from podwright.audio.timeline import Mixdown, lay_out
from podwright.audio.transcript import readable_cues, to_srt, to_webvtt

__all__ = [
    "LoudnessMeasurement",
    "Mastered",
    "MasteringReport",
    "Mixdown",
    "add_music",
    "decode",
    "duck_envelope",
    "encode_mp3",
    "ffmpeg_binary",
    "integrated_lufs",
    "lay_out",
    "master",
    "measure_loudness",
    "measure_true_peak",
    "mp3_duration_s",
    "readable_cues",
    "resample",
    "to_podcasting20_json",
    "to_srt",
    "to_webvtt",
    "write_id3",
]
