from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from PIL import Image

from podwright.core import ConfigError, ImageError
from podwright.core.images import ImageEngine, ImageRateLimited, ImageRequest
from podwright.images import IMAGE_ENGINES, OpenAIImagesEngine, OpenRouterImagesEngine, create_engine
from podwright.images.http import parse_retry_after
from podwright.images.openrouter import decode_data_url
from tests.support.fake_images import FakeImageServer


@pytest.fixture
def server() -> Iterator[FakeImageServer]:
    with FakeImageServer(api_key="sk-test") as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield http


def _request(prompt: str = "a lighthouse at dusk", width: int = 1280, height: int = 720) -> ImageRequest:
    return ImageRequest(
        target="segment-1",
        prompt=prompt,
        width=width,
        height=height,
        show_name="Show",
        episode_title="Episode",
        segment_title="Part one",
    )


def _engines(server: FakeImageServer, client: httpx.AsyncClient) -> list[ImageEngine]:
    return [
        OpenAIImagesEngine(base_url=server.base_url, api_key="sk-test", model="img-1", client=client),
        OpenRouterImagesEngine(base_url=server.base_url, api_key="sk-test", model="img-chat", client=client),
    ]


@pytest.mark.parametrize("size", [(1280, 720), (3000, 3000)])
async def test_remote_images_are_fitted_to_the_requested_size(
    server: FakeImageServer, client: httpx.AsyncClient, size: tuple[int, int]
) -> None:
    for engine in _engines(server, client):
        image = await engine.generate(_request(width=size[0], height=size[1]))
        assert image.engine == engine.name
        with Image.open(io.BytesIO(image.data)) as decoded:
            assert decoded.size == size
            # The fake draws one solid colour; cropping and scaling must keep it (no stretching artefacts).
            assert decoded.convert("RGB").getpixel((size[0] // 2, size[1] // 2)) == (200, 80, 40)


async def test_request_bodies_follow_each_api(server: FakeImageServer, client: httpx.AsyncClient) -> None:
    for engine in _engines(server, client):
        await engine.generate(_request("a red kite"))
    images_body, chat_body = server.requests
    assert images_body["model"] == "img-1"
    assert images_body["prompt"] == "a red kite"
    assert images_body["response_format"] == "b64_json"
    assert chat_body["model"] == "img-chat"
    assert chat_body["modalities"] == ["image", "text"]
    assert "a red kite" in chat_body["messages"][0]["content"]


async def test_429_becomes_rate_limited_with_retry_after(
    server: FakeImageServer, client: httpx.AsyncClient
) -> None:
    for engine in _engines(server, client):
        server.fail_next(429, retry_after=7)
        with pytest.raises(ImageRateLimited) as caught:
            await engine.generate(_request())
        assert caught.value.retry_after == 7


async def test_server_errors_and_bad_keys_are_image_errors(
    server: FakeImageServer, client: httpx.AsyncClient
) -> None:
    engine = OpenAIImagesEngine(base_url=server.base_url, api_key="wrong", client=client)
    with pytest.raises(ImageError, match="HTTP 401") as caught:
        await engine.generate(_request())
    assert "API key" in caught.value.hint
    for good in _engines(server, client):
        with pytest.raises(ImageError, match="HTTP 500"):
            await good.generate(_request("please FAIL"))


async def test_an_empty_prompt_is_refused_before_any_call(
    server: FakeImageServer, client: httpx.AsyncClient
) -> None:
    for engine in _engines(server, client):
        with pytest.raises(ImageError, match="no prompt"):
            await engine.generate(_request(prompt="  "))
    assert server.requests == []


async def test_unreachable_service_is_an_image_error(client: httpx.AsyncClient) -> None:
    engine = OpenAIImagesEngine(base_url="http://127.0.0.1:9/v1", client=client)
    with pytest.raises(ImageError, match="cannot reach"):
        await engine.generate(_request())


def test_data_urls_must_be_base64_images() -> None:
    assert decode_data_url("data:image/png;base64,aGk=") == b"hi"
    for bad in ("https://example.com/a.png", "data:text/plain;base64,aGk=", "data:image/png;base64,@@"):
        with pytest.raises(ImageError):
            decode_data_url(bad)


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("", None), ("3", 3.0), ("0.5", 0.5), ("-2", 0.0), ("soon", None)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_reads_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0


async def test_create_engine_knows_every_engine(client: httpx.AsyncClient) -> None:
    for name in IMAGE_ENGINES:
        assert create_engine(name, client=client).name == name
    with pytest.raises(ConfigError, match="unknown image engine"):
        create_engine("dalle-9000", client=client)
    with pytest.raises(ConfigError, match="HTTP client"):
        create_engine("openrouter")
