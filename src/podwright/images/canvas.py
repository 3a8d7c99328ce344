"""Pillow work every engine shares: fitting an image to the requested size, encoding, colours."""

from __future__ import annotations

import io

from PIL import Image, ImageColor, UnidentifiedImageError

from podwright.core import ImageError
from podwright.core.images import GeneratedImage, ImageRequest

__all__ = ["contrast_ratio", "encode", "fit_to_request", "parse_colour", "readable_on"]

RGB = tuple[int, int, int]


def fit_to_request(data: bytes, request: ImageRequest, *, engine: str) -> GeneratedImage:
    """Decode ``data``, scale and centre-crop it to fill the requested size exactly, re-encode it.

    Remote engines return whatever size their model draws (often 1024², sometimes 16:9); podcast apps
    and YouTube want exact sizes, so the image is cropped to the aspect ratio, never stretched.
    """
    try:
        with Image.open(io.BytesIO(data)) as opened:
            source = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageError(
            f"{engine} returned bytes that are not an image ({len(data)} bytes) for {request.target}",
            hint="check that the model outputs images, or use --engine titlecard",
        ) from exc
    scale = max(request.width / source.width, request.height / source.height)
    scaled = source.resize(
        (max(request.width, round(source.width * scale)), max(request.height, round(source.height * scale))),
        Image.Resampling.LANCZOS,
    )
    left = (scaled.width - request.width) // 2
    top = (scaled.height - request.height) // 2
    fitted = scaled.crop((left, top, left + request.width, top + request.height))
    return encode(fitted, engine=engine)


def encode(image: Image.Image, *, engine: str) -> GeneratedImage:
    """``image`` as PNG bytes (lossless keeps title-card text crisp; flat colours compress well)."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=True)
    return GeneratedImage(
        data=buffer.getvalue(), mime="image/png", engine=engine, width=image.width, height=image.height
    )


def parse_colour(value: str, default: RGB) -> RGB:
    """``value`` (``#rrggbb``, a CSS name...) as RGB, or ``default`` when it is not a colour."""
    try:
        colour = ImageColor.getrgb(value)
    except ValueError:
        return default
    return (colour[0], colour[1], colour[2])


def _luminance(colour: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_on(background: RGB, preferred: RGB, *, minimum: float = 4.5) -> RGB:
    """``preferred`` when it reads on ``background`` (WCAG AA), else the better of black and white."""
    if contrast_ratio(background, preferred) >= minimum:
        return preferred
    black, white = (0, 0, 0), (255, 255, 255)
    return black if contrast_ratio(background, black) >= contrast_ratio(background, white) else white
