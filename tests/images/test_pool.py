from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from podwright.core import ImageError
from podwright.core.images import GeneratedImage, ImageRequest
from podwright.images import OpenAIImagesEngine, TitleCardEngine
from podwright.pipeline.image_pool import ImageRetry, backoff_delay, render_images
from tests.support.fake_images import FakeImageServer


@pytest.fixture
def server() -> Iterator[FakeImageServer]:
    with FakeImageServer(latency_s=0.05, slow_latency_s=3.0) as running:
        yield running


@pytest.fixture
async def engine(server: FakeImageServer) -> AsyncIterator[OpenAIImagesEngine]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield OpenAIImagesEngine(base_url=server.base_url, client=client)


def _requests(count: int, prompt: str = "a quiet harbour") -> list[ImageRequest]:
    return [
        ImageRequest(
            target=f"segment-{n}",
            prompt=f"{prompt} {n}",
            width=320,
            height=180,
            show_name="Show",
            episode_title="Episode",
            segment_title=f"Part {n}",
        )
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize("workers", [1, 2, 4])
async def test_pool_never_has_more_images_in_flight_than_workers(
    server: FakeImageServer, engine: OpenAIImagesEngine, tmp_path: Path, workers: int
) -> None:
    outcomes = await render_images(
        _requests(8), engine, out_dir=tmp_path, fallback=TitleCardEngine(), workers=workers
    )
    assert len(server.requests) == 8
    assert server.max_in_flight == workers
    assert [o.target for o in outcomes] == [f"segment-{n}" for n in range(1, 9)]
    assert all(not o.fell_back and o.engine == "openai_images" and o.attempts == 1 for o in outcomes)
    for outcome in outcomes:
        assert outcome.path == tmp_path / f"{outcome.target}.png"
        with Image.open(outcome.path) as saved:
            assert saved.size == (320, 180)
    assert not list(tmp_path.glob(".*")), "no temporary file is left beside the images"


async def test_429_is_retried_after_the_servers_retry_after(
    server: FakeImageServer, engine: OpenAIImagesEngine, tmp_path: Path
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    server.fail_next(429, times=2, retry_after=3)
    outcomes = await render_images(
        _requests(1), engine, out_dir=tmp_path, fallback=TitleCardEngine(), workers=1, sleep=sleep
    )
    assert waits == [3.0, 3.0]
    assert outcomes[0].attempts == 3
    assert not outcomes[0].fell_back


async def test_429_without_retry_after_backs_off_exponentially(
    server: FakeImageServer, engine: OpenAIImagesEngine, tmp_path: Path
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    server.fail_next(429, times=3)
    retry = ImageRetry(max_attempts=5, base_delay_s=0.5, jitter=0.0)
    await render_images(
        _requests(1), engine, out_dir=tmp_path, fallback=TitleCardEngine(), retry=retry, sleep=sleep
    )
    assert waits == [0.5, 1.0, 2.0]


async def test_an_image_still_rate_limited_falls_back_to_a_title_card(
    server: FakeImageServer, engine: OpenAIImagesEngine, tmp_path: Path
) -> None:
    async def sleep(seconds: float) -> None:
        return None

    server.fail_next(429, times=10, retry_after=0)
    [outcome] = await render_images(
        _requests(1),
        engine,
        out_dir=tmp_path,
        fallback=TitleCardEngine(),
        retry=ImageRetry(max_attempts=3),
        sleep=sleep,
    )
    assert (outcome.fell_back, outcome.engine, outcome.attempts) == (True, "titlecard", 3)
    assert outcome.error is not None and "rate limited" in outcome.error


async def test_a_failed_image_falls_back_and_the_others_are_kept(
    server: FakeImageServer, engine: OpenAIImagesEngine, tmp_path: Path
) -> None:
    requests = _requests(3)
    requests[1] = requests[1].model_copy(update={"prompt": "please FAIL here"})
    outcomes = await render_images(requests, engine, out_dir=tmp_path, fallback=TitleCardEngine())
    assert [o.fell_back for o in outcomes] == [False, True, False]
    assert outcomes[1].engine == "titlecard"
    assert "HTTP 500" in (outcomes[1].error or "")
    with Image.open(outcomes[1].path) as card:
        assert card.size == (320, 180)


async def test_an_image_over_its_timeout_falls_back(
    server: FakeImageServer, engine: OpenAIImagesEngine, tmp_path: Path
) -> None:
    requests = [*_requests(1), *_requests(1, prompt="SLOW")]
    requests[1] = requests[1].model_copy(update={"target": "cover"})
    outcomes = await render_images(
        requests, engine, out_dir=tmp_path, fallback=TitleCardEngine(), timeout_s=0.5
    )
    assert [o.fell_back for o in outcomes] == [False, True]
    assert "longer than 0.5 s" in (outcomes[1].error or "")


async def test_the_fallback_engine_alone_makes_no_calls(tmp_path: Path) -> None:
    cards = TitleCardEngine()
    outcomes = await render_images(_requests(2), cards, out_dir=tmp_path, fallback=cards)
    assert [(o.engine, o.fell_back, o.attempts) for o in outcomes] == [("titlecard", False, 0)] * 2


class _BrokenCards:
    name = "broken"

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        raise ImageError("cannot draw", hint="fix the fallback")


async def test_a_failing_fallback_raises_its_own_error(
    server: FakeImageServer, engine: OpenAIImagesEngine, tmp_path: Path
) -> None:
    with pytest.raises(ImageError, match="cannot draw"):
        await render_images(_requests(1, prompt="FAIL"), engine, out_dir=tmp_path, fallback=_BrokenCards())


async def test_rerendering_replaces_a_jpeg_left_by_an_earlier_run(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    (tmp_path / "segment-1.jpg").write_bytes(buffer.getvalue())
    cards = TitleCardEngine()
    await render_images(_requests(1), cards, out_dir=tmp_path, fallback=cards)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["segment-1.png"]


@pytest.mark.parametrize(
    ("attempt", "retry_after", "rand", "expected"),
    [
        (1, None, 0.0, 1.0),
        (2, None, 0.0, 2.0),
        (3, None, 0.5, 4.0 * (1 - 0.25 * 0.5)),
        (1, 5.0, 0.9, 5.0),
        (1, 500.0, 0.0, 60.0),
        (1, -1.0, 0.0, 0.0),
        (4, 1.0, 0.0, None),
    ],
)
def test_backoff_delay(attempt: int, retry_after: float | None, rand: float, expected: float | None) -> None:
    assert backoff_delay(ImageRetry(), attempt, retry_after=retry_after, rand=rand) == expected


async def test_invalid_pool_arguments_are_refused(tmp_path: Path) -> None:
    cards = TitleCardEngine()
    with pytest.raises(ValueError, match="workers"):
        await render_images(_requests(1), cards, out_dir=tmp_path, fallback=cards, workers=0)
    with pytest.raises(ValueError, match="unique"):
        await render_images(_requests(1) * 2, cards, out_dir=tmp_path, fallback=cards)


async def test_image_phase_benchmark_reports_both_runs() -> None:
    from tests.support.fake_images import image_phase_benchmark

    timings = await image_phase_benchmark(latency_s=0.01, images=3, workers=2)
    assert (timings.images, timings.workers) == (3, 2)
    assert timings.sequential_s > 0 and timings.pool_s > 0
    assert timings.saving == 1 - timings.pool_s / timings.sequential_s
