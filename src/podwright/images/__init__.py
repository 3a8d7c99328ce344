"""Layer 2: image engines behind the ImageEngine protocol (remote APIs and offline title cards).

``titlecard`` is the offline default; ``openai_images`` speaks any OpenAI-compatible
``/images/generations`` endpoint; ``openrouter`` uses image-output chat models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podwright.core import ConfigError
from podwright.images.openai_images import OpenAIImagesEngine
from podwright.images.openrouter import OpenRouterImagesEngine
from podwright.images.titlecard import TitleCardEngine

if TYPE_CHECKING:
    import httpx

    from podwright.core.images import ImageEngine

__all__ = [
    "IMAGE_ENGINES",
    "OpenAIImagesEngine",
    "OpenRouterImagesEngine",
    "TitleCardEngine",
    "create_engine",
]

IMAGE_ENGINES = ("titlecard", "openai_images", "openrouter")
"""Every engine name :func:`create_engine` knows."""


def create_engine(
    name: str,
    *,
    client: httpx.AsyncClient | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
) -> ImageEngine:
    """The engine called ``name``; remote engines need ``client`` (its timeout is the HTTP timeout)."""
    if name == "titlecard":
        return TitleCardEngine()
    if name not in IMAGE_ENGINES:
        raise ConfigError(f"unknown image engine {name!r}", hint=f"use one of: {', '.join(IMAGE_ENGINES)}")
    if client is None:
        raise ConfigError(
            f"the {name} image engine needs an HTTP client", hint="pass client=httpx.AsyncClient()"
        )
    options: dict[str, str] = {}
    if base_url:
        options["base_url"] = base_url
    if model:
        options["model"] = model
    if name == "openai_images":
        return OpenAIImagesEngine(api_key=api_key, client=client, **options)
    return OpenRouterImagesEngine(api_key=api_key, client=client, **options)
