"""The offline default: clean, legible title cards drawn with Pillow, in the show's palette.

No prompt, weights or network: a card shows the show name, the episode title and (on segment
cards) the segment title. Text is wrapped and shrunk until it fits, and any palette colour that
would not read on the background is swapped for black or white. The font is the scalable one Pillow
ships (``ImageFont.load_default(size=...)``, Pillow ≥ 10.1), so a bare machine renders the same card.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from podwright.core.images import GeneratedImage, ImageRequest
from podwright.images.canvas import encode, parse_colour, readable_on

__all__ = ["TitleCardEngine", "draw_title_card", "wrap_text"]

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
_MAX_CHARS = 240
_DEFAULT_PALETTE = ((29, 53, 87), (69, 123, 157), (241, 250, 238), (230, 57, 70))


@lru_cache(maxsize=64)
def _font(size: int) -> Font:
    return ImageFont.load_default(size=max(8, size))


def wrap_text(text: str, font: Font, max_width: float) -> list[str]:
    """``text`` broken into lines no wider than ``max_width``; a word too long for a line is split."""
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if probe.textlength(candidate, font=font) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while probe.textlength(current, font=font) > max_width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and probe.textlength(current[:cut] + "-", font=font) > max_width:
                cut -= 1
            lines.append(current[:cut] + "-")
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def _fit(text: str, *, start_size: int, max_width: float, max_lines: int) -> tuple[Font, list[str]]:
    """The largest font (down to a third of ``start_size``) at which ``text`` fits in ``max_lines``."""
    if len(text) > _MAX_CHARS:
        # No card holds more; cutting first keeps the shrink-and-wrap loop quick.
        text = text[:_MAX_CHARS].rsplit(" ", 1)[0] + " …"
    size = start_size
    while True:
        font = _font(size)
        lines = wrap_text(text, font, max_width)
        if len(lines) <= max_lines or size <= start_size // 3:
            if len(lines) > max_lines:
                lines = [
                    *lines[: max_lines - 1],
                    _ellipsize(" ".join(lines[max_lines - 1 :]), font, max_width),
                ]
            return font, lines
        size = int(size * 0.9)


def _ellipsize(text: str, font: Font, max_width: float) -> str:
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    while text and probe.textlength(text + "…", font=font) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


def draw_title_card(request: ImageRequest) -> Image.Image:
    """The title card for ``request``, at its exact size."""
    width, height = request.width, request.height
    palette = [parse_colour(c, d) for c, d in zip(request.palette, _DEFAULT_PALETTE, strict=False)]
    palette += list(_DEFAULT_PALETTE[len(palette) :])
    background, accent, text_colour, highlight = palette[:4]
    text_colour = readable_on(background, text_colour)
    highlight = readable_on(background, highlight, minimum=3.0)

    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    margin = round(unit * 0.08)
    bar = max(4, round(unit * 0.025))
    draw.rectangle((0, height - bar * 2, width, height), fill=accent)
    draw.rectangle((margin, margin, margin + bar * 4, margin + bar), fill=highlight)
    text_width = width - 2 * margin

    top, bottom = margin + bar * 3, height - bar * 2 - margin
    gap = round(unit * 0.04)
    # Shrink every block together until the whole text fits between the top mark and the bottom bar.
    scale = 1.0
    while True:
        blocks = _blocks(request, unit * scale, text_width, highlight, text_colour)
        heights = [round(_line_height(font) * 1.2) for font, _, _ in blocks]
        total = sum(h * len(lines) for h, (_, lines, _) in zip(heights, blocks, strict=True))
        total += gap * (len(blocks) - 1)
        if total <= bottom - top or scale < 0.35:
            break
        scale *= 0.9
    y = max(top, top + (bottom - top - total) // 2)
    for line_height, (font, lines, colour) in zip(heights, blocks, strict=True):
        for line in lines:
            draw.text((margin, y), line, font=font, fill=colour)
            y += line_height
        y += gap
    return image


Block = tuple[Font, list[str], tuple[int, int, int]]


def _blocks(
    request: ImageRequest,
    unit: float,
    text_width: float,
    highlight: tuple[int, int, int],
    text_colour: tuple[int, int, int],
) -> list[Block]:
    """The card's text blocks (show name, then segment and episode titles) fitted at scale ``unit``."""
    blocks: list[Block] = []
    show_font, show_lines = _fit(
        request.show_name.upper(), start_size=round(unit * 0.06), max_width=text_width, max_lines=2
    )
    blocks.append((show_font, show_lines, highlight))
    if request.segment_title:
        ep_font, ep_lines = _fit(
            request.episode_title, start_size=round(unit * 0.06), max_width=text_width, max_lines=2
        )
        seg_font, seg_lines = _fit(
            request.segment_title, start_size=round(unit * 0.12), max_width=text_width, max_lines=3
        )
        blocks += [(seg_font, seg_lines, text_colour), (ep_font, ep_lines, text_colour)]
    else:
        title_font, title_lines = _fit(
            request.episode_title, start_size=round(unit * 0.13), max_width=text_width, max_lines=4
        )
        blocks.append((title_font, title_lines, text_colour))
    return blocks


def _line_height(font: Font) -> int:
    _, top, _, bottom = font.getbbox("Ág")
    return int(bottom - min(top, 0))


class TitleCardEngine:
    """Offline title cards; never needs a prompt, a key or the network."""

    name = "titlecard"

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        """Draw the card in a worker thread (a 3000² cover takes a moment of CPU)."""
        return await asyncio.to_thread(self.render, request)

    def render(self, request: ImageRequest) -> GeneratedImage:
        """Draw and encode the card, synchronously."""
        return encode(draw_title_card(request), engine=self.name)
