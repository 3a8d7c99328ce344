"""Image-output models through OpenRouter chat completions (``modalities: ["image", "text"]``).

The image comes back as a data URL in ``choices[0].message.images[].image_url.url``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import httpx

from podwright.core import ImageError
from podwright.core.images import GeneratedImage, ImageRequest
from podwright.images.canvas import fit_to_request
from podwright.images.http import post_json, require_prompt

__all__ = ["OpenRouterImagesEngine", "decode_data_url"]


def decode_data_url(url: str) -> bytes:
    """The bytes of a ``data:image/...;base64,...`` URL; :class:`ImageError` for anything else."""
    head, sep, encoded = url.partition(",")
    if not sep or not head.startswith("data:image/") or not head.endswith(";base64"):
        raise ImageError("the image is not a base64 data URL", hint="use a model with image output")
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise ImageError(
            "the image data URL is not valid base64", hint="retry, or use another model"
        ) from exc


class OpenRouterImagesEngine:
    """Asks an image-output chat model for one picture; fits it to the requested size."""

    name = "openrouter"

    def __init__(
        self,
        *,
        base_url: str = "https://openrouter.ai/api/v1",
        api_key: str | None = None,
        model: str = "google/gemini-2.5-flash-image",
        client: httpx.AsyncClient,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.client = client

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        """One image from ``request.prompt``, asked in the request's aspect ratio."""
        require_prompt(self.name, request)
        shape = "square" if request.width == request.height else f"{request.width}:{request.height} landscape"
        body = {
            "model": self.model,
            "modalities": ["image", "text"],
            "messages": [
                {"role": "user", "content": f"{request.prompt}\n\nOne {shape} image, no text or lettering."}
            ],
        }
        payload = await post_json(
            self.client, f"{self.base_url}/chat/completions", body, api_key=self.api_key, engine=self.name
        )
        return fit_to_request(decode_data_url(_first_image_url(payload, request)), request, engine=self.name)


def _first_image_url(payload: dict[str, Any], request: ImageRequest) -> str:
    try:
        url = payload["choices"][0]["message"]["images"][0]["image_url"]["url"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ImageError(
            f"openrouter: the answer for {request.target} holds no image",
            hint="pick a model with image output (e.g. google/gemini-2.5-flash-image)",
        ) from exc
    if not isinstance(url, str):
        raise ImageError(f"openrouter: the image for {request.target} has no URL", hint="retry later")
    return url
