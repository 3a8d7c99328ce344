"""Fetching a source URL: one GET, redirects followed, transport and HTTP failures made plain."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from podwright import __version__
from podwright.core import SourceError

__all__ = ["Download", "fetch"]

_USER_AGENT = f"podwright/{__version__} (podcast source ingestion)"


@dataclass(frozen=True, slots=True)
class Download:
    """The body of a successful GET and what the server said it is."""

    url: str
    """The final URL, after redirects."""
    body: bytes
    content_type: str
    """The media type alone, lower-cased, without parameters (empty when the server sent none)."""
    charset: str | None


def fetch(url: str, client: httpx.Client, *, timeout_s: float) -> Download:
    """GET ``url``; raises :class:`SourceError` for timeouts, unreachable hosts and HTTP errors."""
    try:
        response = client.get(
            url, timeout=timeout_s, follow_redirects=True, headers={"User-Agent": _USER_AGENT}
        )
    except httpx.TimeoutException as exc:
        raise SourceError(
            f"{url} did not answer within {timeout_s:g} s ({exc.__class__.__name__})",
            hint="check the address and your network, or try again later",
        ) from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise SourceError(f"{url} is not a valid web address ({exc})", hint="check the URL") from exc
    except httpx.HTTPError as exc:
        raise SourceError(
            f"cannot reach {url} ({exc.__class__.__name__}: {exc or 'no detail'})",
            hint="check the address and your network connection",
        ) from exc
    if response.status_code >= 400:
        raise SourceError(
            f"{url} answered HTTP {response.status_code} {response.reason_phrase}".rstrip(),
            hint=_status_hint(response.status_code),
        )
    media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return Download(
        url=str(response.url),
        body=response.content,
        content_type=media_type,
        charset=response.charset_encoding,
    )


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "the page needs a login or blocks robots; save it as HTML or PDF and pass the file"
    if status in (404, 410):
        return "check the address; the page may have moved or been removed"
    if status == 429 or status >= 500:
        return "the server is busy or failing; try again later"
    return "check the address"
