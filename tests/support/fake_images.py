"""A loopback image server: real HTTP on 127.0.0.1 with programmable latency and faults.

Speaks both image APIs podwright uses:

- ``POST /v1/images/generations`` (OpenAI-compatible) answers ``{"data": [{"b64_json": ...}]}``;
- ``POST /v1/chat/completions`` (OpenRouter image output) answers with the picture as a data URL in
  ``choices[0].message.images[0].image_url.url``.

::

    with FakeImageServer(latency_s=0.05) as server:
        server.fail_next(429, times=2, retry_after=0)   # then succeed
        engine = OpenAIImagesEngine(base_url=server.base_url, client=client)
        ...
        server.max_in_flight                             # the most requests it served at once

A prompt containing ``FAIL`` is answered 500; one containing ``SLOW`` waits ``slow_latency_s``.
:func:`image_phase_benchmark` times an episode's image phase, one at a time vs the pool.
"""

from __future__ import annotations

import base64
import io
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from PIL import Image

from podwright.core.images import ImageRequest
from podwright.images import OpenAIImagesEngine, TitleCardEngine
from podwright.pipeline.image_pool import render_images
from tests.support.loopback import LoopbackServer, json_reply

__all__ = ["FakeImageServer", "ImagePhaseTimings", "image_phase_benchmark", "tiny_png"]


def tiny_png(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A small solid-colour PNG (what the fake 'model' draws)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class FakeImageServer(LoopbackServer):
    """A threaded HTTP server on a free loopback port; use as a context manager."""

    paths = ("/v1/images/generations", "/v1/chat/completions")

    def __init__(
        self, *, latency_s: float = 0.0, slow_latency_s: float = 5.0, api_key: str | None = None
    ) -> None:
        super().__init__(latency_s=latency_s, api_key=api_key)
        self.slow_latency_s = slow_latency_s
        self.image = tiny_png()

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """The picture, in the shape of whichever API ``path`` is."""
        refused = self.unauthorized(headers)
        if refused is not None:
            return refused
        payload = json.loads(body)
        prompt = payload.get("prompt") or json.dumps(payload.get("messages", ""))
        wait = self.slow_latency_s if "SLOW" in prompt else self.latency_s
        with self.serving(payload, latency_s=wait) as fault:
            if fault is not None:
                return fault
            if "FAIL" in prompt:
                return json_reply({"error": "model crashed"}, status=500)
            encoded = base64.b64encode(self.image).decode("ascii")
            if path == "/v1/images/generations":
                return json_reply({"created": 0, "data": [{"b64_json": encoded}]})
            image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{encoded}"}}
            message = {"role": "assistant", "content": "Here it is.", "images": [image]}
            return json_reply({"id": "gen-1", "choices": [{"index": 0, "message": message}]})


@dataclass(frozen=True)
class ImagePhaseTimings:
    """Wall seconds of one episode's image phase, one image at a time and through the pool."""

    images: int
    workers: int
    latency_s: float
    sequential_s: float
    pool_s: float

    @property
    def saving(self) -> float:
        """Fraction of the sequential time the pool saves (production reports ~0.66 with 4 workers)."""
        return 1 - self.pool_s / self.sequential_s


async def image_phase_benchmark(
    *, latency_s: float = 4.0, images: int = 6, workers: int = 4
) -> ImagePhaseTimings:
    """Time ``images`` images against the fake server at ``latency_s`` each: 1 worker, then ``workers``."""
    requests = [
        ImageRequest(
            target=f"segment-{n}",
            prompt=f"a calm illustration, scene {n}",
            width=1280,
            height=720,
            show_name="Bench Show",
            episode_title="Bench episode",
            segment_title=f"Part {n}",
        )
        for n in range(1, images + 1)
    ]
    timings: dict[int, float] = {}
    with FakeImageServer(latency_s=latency_s) as server, tempfile.TemporaryDirectory() as tmp:
        async with httpx.AsyncClient(timeout=latency_s * 4 + 10) as client:
            engine = OpenAIImagesEngine(base_url=server.base_url, client=client)
            for size in (1, workers):
                started = time.perf_counter()
                await render_images(
                    requests, engine, out_dir=Path(tmp) / f"w{size}", fallback=TitleCardEngine(), workers=size
                )
                timings[size] = time.perf_counter() - started
    return ImagePhaseTimings(
        images=images, workers=workers, latency_s=latency_s, sequential_s=timings[1], pool_s=timings[workers]
    )
