"""Image requests, generated images, and the image engine protocol.

An episode asks for a cover and one card per segment. Every request carries both the prompt (for
engines that draw) and the card text (for the offline title-card engine, which needs no prompt), so
any engine can stand in for any other, and a failed remote image can fall back to a title card.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import Field

from podwright.core.errors import ImageError
from podwright.core.model import Record

__all__ = ["COVER", "GeneratedImage", "ImageEngine", "ImageRateLimited", "ImageRequest", "segment_target"]

COVER = "cover"
"""The target name of an episode's cover image."""


def segment_target(number: int) -> str:
    """The target name of segment ``number`` (1-based, in air order): ``segment-1``, ``segment-2``..."""
    return f"segment-{number}"


class ImageRequest(Record):
    """One image to make: what to draw, how big, and the text a title card would show."""

    target: str
    """``cover``, ``thumbnail`` or ``segment-<n>`` (1-based); names the file in ``images/``."""
    prompt: str = ""
    """What a drawing engine should draw; empty is fine for title cards."""
    width: int = Field(gt=0, le=8192)
    height: int = Field(gt=0, le=8192)
    show_name: str
    episode_title: str
    segment_title: str | None = None
    """The segment's title on a segment card; ``None`` on the cover and thumbnail."""
    palette: tuple[str, ...] = ("#1d3557", "#457b9d", "#f1faee", "#e63946")
    """Title-card colours: background, accent, text, highlight (the show's ``publishing.palette``)."""


class GeneratedImage(Record):
    """Encoded image bytes at the requested size, and which engine made them."""

    data: bytes
    mime: str
    """``image/png`` or ``image/jpeg``."""
    engine: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        """File extension for ``mime``, with the dot."""
        return ".jpg" if self.mime == "image/jpeg" else ".png"


class ImageRateLimited(ImageError):
    """The image service said "too many requests"; ``retry_after`` is its ``Retry-After`` in seconds."""

    def __init__(self, message: str, *, hint: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


@runtime_checkable
class ImageEngine(Protocol):
    """Makes one image per call. Engines raise :class:`ImageError` (or :class:`ImageRateLimited`)."""

    name: str

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        """The image for ``request``, encoded, at exactly ``request.width`` × ``request.height``."""
        ...
