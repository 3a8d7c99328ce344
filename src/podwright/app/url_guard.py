"""Refusing source URLs that point inside the machine or its network (SSRF), while serving a web app.

A studio served to a browser fetches the URLs its users type. Every request the fetch makes (the
first one and each redirect) is checked: its host must resolve only to public addresses, never to
loopback, private, link-local, multicast or reserved ones, unless the operator allows them.
"""

from __future__ import annotations

import ipaddress
import socket

import httpx

from podwright.core import SourceError

__all__ = ["check_public_host", "check_public_url", "public_only_client"]


def check_public_host(host: str, port: int | None = None) -> None:
    """Raise :class:`SourceError` unless every address ``host`` resolves to is a public one."""
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise SourceError(f"cannot resolve {host!r} ({exc})", hint="check the address") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise SourceError(
                f"source URL host {host!r} is a private, loopback or link-local address ({address})",
                hint="fetch public pages only, or start the studio with --allow-private-sources",
            )


def check_public_url(url: str) -> None:
    """Raise :class:`SourceError` unless ``url`` is an http(s) address of a public host."""
    parts = httpx.URL(url) if "://" in url else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.host:
        raise SourceError(
            f"{url!r} is not a web address", hint="give an http(s) URL, e.g. https://example.com/a"
        )
    check_public_host(parts.host, parts.port)


def _guard(request: httpx.Request) -> None:
    check_public_host(request.url.host, request.url.port)


def public_only_client() -> httpx.Client:
    """An HTTP client that checks the host of every request it sends, redirects included."""
    return httpx.Client(event_hooks={"request": [_guard]})
