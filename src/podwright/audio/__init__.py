"""Layer 2: mixing, loudness mastering, MP3 encoding and tagging, chapters and transcripts.

Modules, in the order an episode goes through them: ``resample`` (engine rate → show rate),
``timeline`` (turns → frame-aligned pieces with cues and chapters), ``music`` (optional ducked
bed), ``blocks`` (BS.1770 loudness from K-weighted block energies), ``loudness`` (gain to the
target + true-peak limiter, per piece), ``ffmpeg`` (encode, decode, independent meter),
``mp3frames`` (join separately encoded pieces gaplessly), ``pieces`` and ``stems`` (an episode as
pieces, and the store that lets a re-render redo only the changed ones), ``tags`` (ID3 with
CHAP/CTOC chapters and cover), ``transcript`` (WebVTT, SRT) and ``chapters`` (Podcasting 2.0 JSON).
"""

from podwright.audio.blocks import gated_lufs
from podwright.audio.chapters import to_podcasting20_json
from podwright.audio.ffmpeg import (
    LoudnessMeasurement,
    decode,
    encode_mp3,
    encode_mp3_pieces,
    ffmpeg_binary,
    measure_loudness,
)
from podwright.audio.loudness import Mastered, MasteringReport, integrated_lufs, master, measure_true_peak
from podwright.audio.mp3frames import join_pieces
from podwright.audio.music import add_music, duck_envelope
from podwright.audio.pieces import EpisodePieces, plan_pieces
from podwright.audio.resample import resample
from podwright.audio.stems import StemStore
from podwright.audio.tags import mp3_duration_s, write_id3
from podwright.audio.timeline import Layout, Mixdown, Piece, lay_out, plan_layout
from podwright.audio.transcript import readable_cues, to_srt, to_webvtt

__all__ = [
    "EpisodePieces",
    "Layout",
    "LoudnessMeasurement",
    "Mastered",
    "MasteringReport",
    "Mixdown",
    "Piece",
    "StemStore",
    "add_music",
    "decode",
    "duck_envelope",
    "encode_mp3",
    "encode_mp3_pieces",
    "ffmpeg_binary",
    "gated_lufs",
    "integrated_lufs",
    "join_pieces",
    "lay_out",
    "master",
    "measure_loudness",
    "measure_true_peak",
    "mp3_duration_s",
    "plan_layout",
    "plan_pieces",
    "readable_cues",
    "resample",
    "to_podcasting20_json",
    "to_srt",
    "to_webvtt",
    "write_id3",
]
