"""Any OpenAI-compatible ``/v1/images/generations`` endpoint (OpenAI, LocalAI, a gateway...)."""

from __future__ import annotations

import base64
import binascii

import httpx

from podwright.core import ImageError
from podwright.core.images import GeneratedImage, ImageRequest
from podwright.images.canvas import fit_to_request
from podwright.images.http import post_json, require_prompt

__all__ = ["OpenAIImagesEngine"]


class OpenAIImagesEngine:
    """Draws from the request's prompt, asks for base64 output, then fits it to the requested size."""

    name = "openai_images"

    def __init__(
        self,
        *,
        base_url: str = "https://api.openai.com/v1",
        api_key: str | None = None,
        model: str = "gpt-image-1",
        size: str = "1024x1024",
        client: httpx.AsyncClient,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.size = size
        """The size asked of the model; the answer is then scaled and cropped to the request."""
        self.client = client

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        """One image from ``request.prompt``."""
        require_prompt(self.name, request)
        body = {
            "model": self.model,
            "prompt": request.prompt,
            "n": 1,
            "size": self.size,
            "response_format": "b64_json",
        }
        payload = await post_json(
            self.client, f"{self.base_url}/images/generations", body, api_key=self.api_key, engine=self.name
        )
        try:
            encoded = payload["data"][0]["b64_json"]
            data = base64.b64decode(encoded, validate=True)
        except (KeyError, IndexError, TypeError, binascii.Error) as exc:
            raise ImageError(
                f"{self.name}: the answer for {request.target} holds no base64 image",
                hint="use a server that supports response_format=b64_json",
            ) from exc
        return fit_to_request(data, request, engine=self.name)
