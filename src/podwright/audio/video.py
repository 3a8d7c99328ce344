"""The YouTube video: still slides over the episode audio, encoded by ffmpeg at YouTube's settings.

Speed comes from what a slideshow is: each slide is one PNG shown for its chapter's length (ffmpeg's
concat demuxer with durations), scaled and converted to YUV once per slide, then repeated at a low,
constant frame rate; x264 with ``-tune stillimage`` spends almost nothing on a repeated frame. Every
slide change is a forced keyframe, so a chapter link lands on its picture.

What YouTube recommends (Help: "Recommended upload encoding settings") and what is written: MP4 with
``+faststart`` (the index first), H.264 High profile, progressive, 4:2:0, closed GOPs, two B-frames,
BT.709 colour; AAC-LC at 48 kHz, 128 kb/s mono (YouTube's mono figure: the episode's mix is mono) or
384 kb/s stereo (``stereo``, its stereo figure, about five times the encoding work). The frame rate
is where a slideshow departs from it: a still picture needs no 24–60 fps (``[youtube] fps``, 1 by
default), and a keyframe comes at every slide change and at least every 10 s, not every half second.

Captions burned into the picture use ffmpeg's ``subtitles`` filter, which only an ffmpeg built with
libass has (the ``imageio-ffmpeg`` binary does); without it the render stops with that fix.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from podwright.audio.ffmpeg import _run, ffmpeg_binary
from podwright.core.errors import AudioError

__all__ = [
    "AUDIO_BITRATE_KBPS",
    "AUDIO_RATE",
    "VIDEO_SIZE",
    "MediaInfo",
    "Slide",
    "VideoFrame",
    "ffmpeg_has",
    "probe_media",
    "render_slideshow",
    "slide_frames",
    "video_frames",
]

VIDEO_SIZE = (1920, 1080)
AUDIO_RATE = 48_000
AUDIO_BITRATE_KBPS = {1: 128, 2: 384}
"""AAC bitrate by channel count: YouTube's recommended figures for mono and stereo."""
_MAX_KEYFRAME_GAP_S = 10
_CAPTION_STYLE = "FontName=DejaVu Sans,FontSize=15,Outline=1.2,Shadow=0,MarginV=18,BorderStyle=1"
_LIBASS_HINT = (
    "use an ffmpeg built with --enable-libass (the one the imageio-ffmpeg package ships has it; put it "
    "first on PATH or remove the system ffmpeg), or set [youtube] burn_captions = false: the "
    "transcript.srt/.vtt sidecars need no libass"
)


@dataclass(frozen=True, slots=True)
class Slide:
    """One picture of the video, shown from ``start_s`` until the next slide starts."""

    image: Path
    start_s: float


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What ffmpeg reads from a media file's header: its length and its first video and audio streams."""

    duration_s: float
    video_codec: str = ""
    video_profile: str = ""
    pixel_format: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    audio_codec: str = ""
    audio_profile: str = ""
    audio_rate: int = 0
    audio_channels: str = ""
    audio_kbps: int = 0


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One decoded frame: when it shows, whether it is a keyframe, and a checksum of its pixels."""

    time_s: float
    key: bool
    checksum: str


@lru_cache(maxsize=8)
def _features(binary: str) -> str:
    done = _run(["-filters"], what="list its filters")
    encoders = _run(["-encoders"], what="list its encoders")
    return done.stdout.decode("utf-8", "replace") + encoders.stdout.decode("utf-8", "replace")


def ffmpeg_has(name: str) -> bool:
    """Whether the ffmpeg in use has a filter or encoder called ``name`` (``subtitles``, ``libx264``)."""
    return re.search(rf"^\s*\S+\s+{re.escape(name)}\s", _features(ffmpeg_binary()), re.MULTILINE) is not None


def slide_frames(slides: Sequence[Slide], duration_s: float, fps: int) -> list[tuple[Slide, int, int]]:
    """Each slide with its first frame and frame count at ``fps``; a slide too short for a frame is
    left out, and the first one always starts the video."""
    total = max(1, math.ceil(duration_s * fps - 1e-9))
    starts = [0] + [min(total, round(slide.start_s * fps)) for slide in slides[1:]]
    planned: list[tuple[Slide, int, int]] = []
    for index, slide in enumerate(slides):
        first = starts[index]
        end = starts[index + 1] if index + 1 < len(slides) else total
        if end > first:
            planned.append((slide, first, end - first))
    return planned


def _concat_list(planned: Sequence[tuple[Slide, int, int]], fps: int) -> str:
    lines = ["ffconcat version 1.0"]
    for slide, _, frames in planned:
        lines += [f"file '{_quoted(slide.image)}'", f"duration {frames / fps:.6f}"]
    # The demuxer takes the last entry's duration only when a file follows it.
    lines.append(f"file '{_quoted(planned[-1][0].image)}'")
    return "\n".join(lines) + "\n"


def _quoted(path: Path) -> str:
    return str(path.resolve()).replace("'", "'\\''")


def render_slideshow(
    slides: Sequence[Slide],
    audio: Path,
    dest: Path,
    *,
    duration_s: float,
    fps: int = 1,
    captions: Path | None = None,
    stereo: bool = False,
) -> None:
    """Encode ``slides`` over ``audio`` into the MP4 ``dest`` (written under a temporary name, then
    moved into place); with ``captions`` (an SRT file) they are burned into the picture; ``stereo``
    writes two channels at 384 kb/s instead of one at 128 kb/s."""
    if not slides:
        raise AudioError("a video needs at least one slide", hint="render the episode's images first")
    if not ffmpeg_has("libx264"):
        raise AudioError(
            f"the ffmpeg at {ffmpeg_binary()} has no H.264 encoder (libx264)",
            hint="install an ffmpeg built with libx264, or the imageio-ffmpeg package",
        )
    if captions is not None and not ffmpeg_has("subtitles"):
        raise AudioError(
            f"cannot burn captions: the ffmpeg at {ffmpeg_binary()} has no subtitles filter (no libass)",
            hint=_LIBASS_HINT,
        )
    planned = slide_frames(slides, duration_s, fps)
    channels = 2 if stereo else 1
    bitrate = AUDIO_BITRATE_KBPS[channels]
    total = sum(frames for _, _, frames in planned)
    width, height = VIDEO_SIZE
    # Fill 16:9 without stretching, convert to BT.709 YUV once per slide, then repeat at ``fps``.
    chain = [
        f"scale={width}:{height}:force_original_aspect_ratio=increase:flags=lanczos",
        f"crop={width}:{height}",
        "setsar=1",
        "scale=out_color_matrix=bt709:out_range=tv",
        "format=yuv420p",
        f"fps={fps}",
    ]
    if captions is not None:
        chain.append(f"subtitles=filename=captions.srt:force_style='{_CAPTION_STYLE}'")
    keyframes = ",".join(f"{max(0.0, (first - 0.01) / fps):.4f}" for _, first, _ in planned)
    dest = Path(dest)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial.mp4")
    with tempfile.TemporaryDirectory(prefix=".video-", dir=dest.parent) as work:
        folder = Path(work)
        (folder / "slides.ffconcat").write_text(_concat_list(planned, fps), encoding="utf-8")
        if captions is not None:
            shutil.copyfile(captions, folder / "captions.srt")
        args = [
            *("-f", "concat", "-safe", "0", "-i", "slides.ffconcat", "-i", str(Path(audio).resolve())),
            *("-map", "0:v:0", "-map", "1:a:0", "-vf", ",".join(chain), "-frames:v", str(total)),
            *("-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-profile:v", "high"),
            *("-pix_fmt", "yuv420p", "-bf", "2", "-g", str(fps * _MAX_KEYFRAME_GAP_S)),
            *("-x264-params", "open-gop=0", "-force_key_frames", keyframes, "-fps_mode", "cfr"),
            *("-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"),
            *("-color_range", "tv", "-c:a", "aac", "-profile:a", "aac_low", "-b:a", f"{bitrate}k"),
            # The fast coder (4x the default's speed on speech); in stereo, forced mid/side: the mix is
            # mono, so the side channel is silence and costs nothing.
            *("-aac_coder", "fast", "-aac_ms", "1", "-ar", str(AUDIO_RATE), "-ac", str(channels)),
            *("-movflags", "+faststart", "-f", "mp4", str(partial.resolve())),
        ]
        try:
            _run(
                args,
                what=f"encode {dest.name}",
                cwd=folder,
                hint="check the episode's images and episode.mp3 (re-render the tier if one is damaged)",
            )
            os.replace(partial, dest)
        except OSError as exc:
            raise AudioError(
                f"could not write {dest}: {exc.strerror or exc}", hint=f"check free space in {dest.parent}"
            ) from exc
        finally:
            partial.unlink(missing_ok=True)


_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+.*?: Video: (\w+)(?: \(([^)]*)\))?.*?, (\w+)(?:\([^)]*\))?, (\d+)x(\d+)")
_FPS = re.compile(r"([\d.]+) fps")
_AUDIO = re.compile(r"Stream #\d+:\d+.*?: Audio: (\w+)(?: \(([^)]*)\))?.*?, (\d+) Hz, ([\w.]+)")
_KBPS = re.compile(r"(\d+) kb/s")


def probe_media(path: Path) -> MediaInfo:
    """Read ``path``'s header with ffmpeg (no ffprobe needed): duration, codecs, size, rate, channels."""
    done = _run(["-i", str(path), "-map", "0", "-c", "copy", "-f", "null", "-"], what=f"read {path.name}")
    log = done.stderr.decode("utf-8", "replace")
    found = _DURATION.search(log)
    if found is None:
        raise AudioError(
            f"ffmpeg reports no duration for {path}", hint="the file is not a finished media file"
        )
    hours, minutes, seconds = found.groups()
    fields: dict[str, object] = {"duration_s": int(hours) * 3600 + int(minutes) * 60 + float(seconds)}
    for line in log.splitlines():
        video = _VIDEO.search(line)
        if video and not fields.get("video_codec"):
            codec, profile, pixels, width, height = video.groups()
            rate = _FPS.search(line)
            fields |= {
                "video_codec": codec,
                "video_profile": profile or "",
                "pixel_format": pixels,
                "width": int(width),
                "height": int(height),
                "fps": float(rate.group(1)) if rate else 0.0,
            }
        audio = _AUDIO.search(line)
        if audio and not fields.get("audio_codec"):
            codec, profile, rate_hz, channels = audio.groups()
            kbps = _KBPS.search(line)
            fields |= {
                "audio_codec": codec,
                "audio_profile": profile or "",
                "audio_rate": int(rate_hz),
                "audio_channels": channels,
                "audio_kbps": int(kbps.group(1)) if kbps else 0,
            }
    return MediaInfo(**fields)  # type: ignore[arg-type]


_FRAME = re.compile(r"pts_time:\s*([\d.]+).*?iskey:\s*(\d).*?checksum:\s*([0-9A-Fa-f]+)")


def video_frames(path: Path) -> list[VideoFrame]:
    """Every frame of ``path``'s video stream, decoded: time, keyframe or not, pixel checksum."""
    done = _run(
        ["-i", str(path), "-map", "0:v:0", "-vf", "showinfo", "-f", "null", "-"],
        what=f"decode {path.name}",
    )
    frames = []
    for line in done.stderr.decode("utf-8", "replace").splitlines():
        found = _FRAME.search(line) if "Parsed_showinfo" in line else None
        if found:
            frames.append(VideoFrame(float(found.group(1)), found.group(2) == "1", found.group(3)))
    return frames
