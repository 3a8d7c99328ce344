"""One JSON POST to an image service, with its failures translated into podwright errors."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from podwright.core import ImageError
from podwright.core.images import ImageRateLimited, ImageRequest

__all__ = ["parse_retry_after", "post_json", "require_prompt"]


def require_prompt(engine: str, request: ImageRequest) -> str:
    """The request's prompt; an :class:`ImageError` when a prompt-driven engine gets none."""
    if not request.prompt.strip():
        raise ImageError(
            f"{engine}: no prompt for {request.target}",
            hint="write image prompts with the script, or use the titlecard engine",
        )
    return request.prompt


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` (delta seconds or an HTTP date) in seconds, or ``None`` when absent or unreadable."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def post_json(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], *, api_key: str | None, engine: str
) -> dict[str, Any]:
    """POST ``body`` to ``url`` and return the JSON answer.

    429 (and 503 with ``Retry-After``) becomes :class:`ImageRateLimited` so the pool can back off;
    every other failure becomes :class:`ImageError` and the pool falls back to a title card.
    """
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        response = await client.post(url, json=body, headers=headers)
    except httpx.TimeoutException as exc:
        raise ImageError(
            f"{engine}: {url} did not answer in time", hint="raise the timeout or retry later"
        ) from exc
    except httpx.HTTPError as exc:
        raise ImageError(
            f"{engine}: cannot reach {url} ({exc.__class__.__name__})", hint="check the base URL and network"
        ) from exc
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if response.status_code == 429 or (response.status_code == 503 and retry_after is not None):
        raise ImageRateLimited(
            f"{engine}: rate limited by {url} (HTTP {response.status_code})",
            hint="lower --workers, or wait for the quota to refill",
            retry_after=retry_after,
        )
    if response.status_code >= 400:
        raise ImageError(
            f"{engine}: {url} answered HTTP {response.status_code}: {response.text[:200]}",
            hint="check the model id and API key"
            if response.status_code in (401, 403, 404)
            else "retry later",
        )
    try:
        payload = response.json()
    except ValueError as exc:
        raise ImageError(f"{engine}: {url} answered with non-JSON", hint="check the base URL") from exc
    if not isinstance(payload, dict):
        raise ImageError(f"{engine}: {url} answered with unexpected JSON", hint="check the base URL")
    return payload
