from __future__ import annotations

from pathlib import Path

import httpx
from PIL import Image

from podwright.images import OpenRouterImagesEngine, TitleCardEngine
from podwright.pipeline.images import image_requests_for, make_episode_images
from tests.stages.shows import starter_show
from tests.studio.episodes import SEGMENT_TITLES, make_script
from tests.support.fake_images import FakeImageServer


def test_requests_cover_thumbnail_and_one_card_per_segment() -> None:
    show = starter_show()
    requests = image_requests_for(make_script(), show)
    assert [(r.target, r.width, r.height) for r in requests] == [
        ("cover", 3000, 3000),
        ("thumbnail", 1280, 720),
        *((f"segment-{n}", 1280, 720) for n in range(1, len(SEGMENT_TITLES) + 1)),
    ]
    assert requests[0].prompt == "a night sky over a quiet town"
    assert requests[3].prompt == "scene 2"
    assert requests[3].segment_title == SEGMENT_TITLES[1]
    assert {r.show_name for r in requests} == {"Curious Minutes"}
    assert {r.episode_title for r in requests} == {"Why the night sky is dark (ep-1)"}
    assert {r.palette for r in requests} == {show.publishing.palette}


def test_segments_without_a_prompt_use_the_cover_prompt() -> None:
    requests = image_requests_for(make_script(prompts=False), starter_show())
    assert {r.prompt for r in requests} == {""}


async def test_title_cards_for_a_whole_episode(tmp_path: Path) -> None:
    script = make_script()
    images = await make_episode_images(script, starter_show(), tmp_path, TitleCardEngine())
    assert images.cover == tmp_path / "images" / "cover.png"
    with Image.open(images.cover) as cover, Image.open(images.thumbnail) as thumbnail:
        assert cover.size == (3000, 3000)
        assert thumbnail.size == (1280, 720)
    assert sorted(images.segments) == list(range(len(script.segments)))
    assert images.chapter_images(tmp_path) == {
        index: f"images/segment-{index + 1}.png" for index in range(len(script.segments))
    }
    assert images.fell_back == 0


async def test_remote_episode_with_one_failed_image_still_completes(tmp_path: Path) -> None:
    script = make_script()
    prompts = tuple(
        p.model_copy(update={"prompt": "FAIL"}) if p.target == "segment-2" else p
        for p in script.image_prompts
    )
    script = script.model_copy(update={"image_prompts": prompts})
    with FakeImageServer(latency_s=0.02) as server:
        async with httpx.AsyncClient(timeout=10) as client:
            engine = OpenRouterImagesEngine(base_url=server.base_url, client=client)
            images = await make_episode_images(script, starter_show(), tmp_path, engine, workers=3)
    assert server.max_in_flight <= 3
    assert len(server.requests) == 2 + len(script.segments)
    by_target = {o.target: o for o in images.outcomes}
    assert by_target["segment-2"].fell_back
    assert by_target["segment-2"].engine == "titlecard"
    assert images.fell_back == 1
    assert all(o.engine == "openrouter" for t, o in by_target.items() if t != "segment-2")
    with Image.open(images.segments[1]) as card:
        assert card.size == (1280, 720)
