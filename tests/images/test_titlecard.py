from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFont

from podwright.core.images import ImageEngine, ImageRequest
from podwright.images import TitleCardEngine
from podwright.images.canvas import contrast_ratio, readable_on
from podwright.images.titlecard import draw_title_card, wrap_text


def _request(width: int, height: int, **extra: object) -> ImageRequest:
    fields: dict[str, object] = {
        "target": "cover",
        "width": width,
        "height": height,
        "show_name": "Curious Minutes",
        "episode_title": "Why is the night sky dark? Olbers' paradox and the age of the universe",
    }
    fields.update(extra)
    return ImageRequest.model_validate(fields)


@pytest.mark.parametrize(
    ("width", "height", "segment"),
    [(3000, 3000, None), (1280, 720, None), (1280, 720, "How starlight runs out")],
)
async def test_cards_are_png_at_exactly_the_requested_size(
    width: int, height: int, segment: str | None
) -> None:
    engine = TitleCardEngine()
    assert isinstance(engine, ImageEngine)
    image = await engine.generate(_request(width, height, segment_title=segment))
    assert (image.mime, image.engine) == ("image/png", "titlecard")
    with Image.open(io.BytesIO(image.data)) as decoded:
        assert decoded.format == "PNG"
        assert decoded.size == (width, height) == (image.width, image.height)


def test_card_draws_text_in_a_readable_colour_on_a_light_palette() -> None:
    # White text on a near-white background would vanish: the card must swap it for a dark colour.
    card = draw_title_card(_request(1280, 720, palette=("#fafafa", "#dddddd", "#ffffff", "#ffff00")))
    background = card.getpixel((5, 5))
    colours = {colour for _, colour in card.getcolors(maxcolors=1 << 20) or []}
    darkest = min(colours, key=lambda c: sum(c))  # type: ignore[arg-type]
    assert background == (250, 250, 250)
    assert contrast_ratio(background, darkest) >= 4.5  # type: ignore[arg-type]


def test_readable_on_keeps_good_colours_and_replaces_bad_ones() -> None:
    navy, cream = (29, 53, 87), (241, 250, 238)
    assert readable_on(navy, cream) == cream
    assert readable_on(cream, (250, 250, 250)) == (0, 0, 0)
    assert readable_on(navy, (40, 60, 90)) == (255, 255, 255)


def test_wrap_text_keeps_every_line_inside_the_width_and_every_word() -> None:
    font = ImageFont.load_default(size=40)
    text = "A supercalifragilisticexpialidociously long title that has to wrap over several lines"
    lines = wrap_text(text, font, 300)
    assert len(lines) > 2
    assert all(font.getlength(line) <= 300 for line in lines)
    assert "".join(lines).replace("-", "").replace(" ", "") == text.replace(" ", "")


def test_an_overlong_title_is_shortened_with_an_ellipsis_not_drawn_off_the_card() -> None:
    card = draw_title_card(_request(1280, 720, episode_title="word " * 400))
    bottom_rows = card.crop((0, 600, 1280, 680))
    # Nothing but background below the text block's bottom margin.
    assert {colour for _, colour in bottom_rows.getcolors() or []} == {card.getpixel((5, 5))}


@pytest.mark.parametrize(
    ("width", "height", "segment"),
    [(3000, 3000, None), (1280, 720, None), (1280, 720, "A segment title long enough to wrap over lines")],
)
def test_long_titles_stay_clear_of_the_bottom_bar(width: int, height: int, segment: str | None) -> None:
    request = ImageRequest(
        target="cover",
        width=width,
        height=height,
        show_name="Curious Minutes",
        episode_title="Why the Night Sky is Dark: Olbers' Paradox and the Age of the Universe Explained",
        segment_title=segment,
    )
    image = draw_title_card(request).convert("RGB")
    unit = min(width, height)
    margin, bar = round(unit * 0.08), max(4, round(unit * 0.025))
    background = image.getpixel((1, height // 2))
    band = image.crop((0, height - bar * 2 - margin // 2, width, height - bar * 2))
    assert {colour for _, colour in band.getcolors(maxcolors=1 << 20)} == {background}
