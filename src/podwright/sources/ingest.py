"""Turning a path or URL into a :class:`SourceDoc`: dispatch by extension or content type.

Supported: plain text (``.txt``, or no extension when the bytes are text), Markdown (``.md``,
``.markdown``), PDF with a text layer, and HTML files or ``http(s)`` URLs. Every failure is a
:class:`SourceError` naming the file or URL, with the fix in ``hint``.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import httpx

from podwright.core import SourceDoc, SourceError
from podwright.sources.fetch import fetch
from podwright.sources.html import html_to_text
from podwright.sources.markdown import markdown_to_text
from podwright.sources.pdf import pdf_to_text
from podwright.sources.text import decode_text, guess_title, normalize_text

__all__ = ["ingest", "ingest_all"]


class _Format(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    PDF = "pdf"
    HTML = "html"


_BY_SUFFIX = {
    "": _Format.TEXT,
    ".txt": _Format.TEXT,
    ".text": _Format.TEXT,
    ".md": _Format.MARKDOWN,
    ".markdown": _Format.MARKDOWN,
    ".pdf": _Format.PDF,
    ".html": _Format.HTML,
    ".htm": _Format.HTML,
    ".xhtml": _Format.HTML,
}
_BY_MEDIA_TYPE = {
    "text/html": _Format.HTML,
    "application/xhtml+xml": _Format.HTML,
    "text/markdown": _Format.MARKDOWN,
    "text/x-markdown": _Format.MARKDOWN,
    "application/pdf": _Format.PDF,
    "text/plain": _Format.TEXT,
}
# Servers that don't know what they send: trust the URL's extension instead.
_UNTYPED = {"", "application/octet-stream", "binary/octet-stream"}
_CONVERT_HINT = "convert it to PDF, plain text (.txt) or Markdown (.md) and pass that instead"


def ingest(origin: str, *, http_client: httpx.Client | None = None, timeout_s: float = 20.0) -> SourceDoc:
    """Read the file at path ``origin``, or fetch the ``http(s)`` URL ``origin``, as clean text.

    ``http_client`` is used as given (and not closed) for URLs; without one a client is opened for
    this call. Raises :class:`SourceError` with the origin in the message and the fix in ``hint``.
    """
    if not _is_url(origin):
        return _ingest_file(origin)
    if http_client is not None:
        return _ingest_url(origin, http_client, timeout_s)
    with httpx.Client() as client:
        return _ingest_url(origin, client, timeout_s)


def ingest_all(
    origins: Sequence[str], *, http_client: httpx.Client | None = None, timeout_s: float = 20.0
) -> list[SourceDoc]:
    """Ingest every origin in order, sharing one HTTP client; the first failure raises."""
    if http_client is None and any(_is_url(origin) for origin in origins):
        with httpx.Client() as client:
            return [ingest(origin, http_client=client, timeout_s=timeout_s) for origin in origins]
    return [ingest(origin, http_client=http_client, timeout_s=timeout_s) for origin in origins]


def _is_url(origin: str) -> bool:
    scheme = urlsplit(origin).scheme.lower()
    if scheme in ("http", "https"):
        return True
    if "://" in origin:
        raise SourceError(
            f"{origin}: unsupported address scheme '{scheme}'",
            hint="pass an http(s) URL or a local file path",
        )
    return False


def _ingest_file(origin: str) -> SourceDoc:
    path = Path(origin).expanduser()
    if not path.exists():
        raise SourceError(
            f"source file {origin} not found",
            hint="check the path (relative paths start from the current directory)",
        )
    if path.is_dir():
        raise SourceError(f"source {origin} is a folder, not a file", hint="pass the documents inside it")
    suffix = path.suffix.lower()
    fmt = _BY_SUFFIX.get(suffix)
    if fmt is None:
        raise SourceError(f"{origin}: unsupported file type '{suffix}'", hint=_CONVERT_HINT)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(
            f"cannot read {origin} ({exc.strerror or exc})", hint="check the file's permissions"
        ) from exc
    return _document(fmt, data, origin=origin, fallback_title=path.stem or path.name, charset=None)


def _ingest_url(url: str, client: httpx.Client, timeout_s: float) -> SourceDoc:
    download = fetch(url, client, timeout_s=timeout_s)
    suffix = PurePosixPath(urlsplit(download.url).path).suffix.lower()
    fmt = _BY_MEDIA_TYPE.get(download.content_type)
    if fmt is None and download.content_type.startswith("text/"):
        fmt = _Format.TEXT
    if fmt is None and download.content_type in _UNTYPED and suffix:
        fmt = _BY_SUFFIX.get(suffix)
    if fmt is None:
        what = download.content_type or "untyped content"
        raise SourceError(
            f"{url} serves {what}, not a text document",
            hint="link to an HTML page, PDF, text or Markdown file instead, or " + _CONVERT_HINT,
        )
    path = PurePosixPath(urlsplit(download.url).path)
    fallback = path.stem or urlsplit(download.url).hostname or url
    return _document(fmt, download.body, origin=url, fallback_title=fallback, charset=download.charset)


def _document(
    fmt: _Format, data: bytes, *, origin: str, fallback_title: str, charset: str | None
) -> SourceDoc:
    if not data.strip():
        raise SourceError(f"{origin} is empty", hint="add text to it, or drop it from the sources")
    title: str | None
    if fmt is _Format.PDF:
        title, text = pdf_to_text(data, origin=origin, fallback_title=fallback_title)
    elif fmt is _Format.HTML:
        title, text = html_to_text(_decode_declared(data, charset, origin) if charset else data)
    elif fmt is _Format.MARKDOWN:
        title, text = markdown_to_text(_decode(data, charset, origin))
    else:
        text = normalize_text(_decode(data, charset, origin))
        title = guess_title(text, fallback=fallback_title)
    if not text and fmt is _Format.HTML:
        raise SourceError(
            f"{origin} has no readable text",
            hint="if the page builds its text with JavaScript, save it from a browser as PDF and pass that",
        )
    if not text:
        raise SourceError(
            f"{origin} holds only whitespace", hint="add text to it, or drop it from the sources"
        )
    return SourceDoc(origin=origin, title=title or fallback_title, text=text)


def _decode(data: bytes, charset: str | None, origin: str) -> str:
    return _decode_declared(data, charset, origin) if charset else decode_text(data, origin=origin)


def _decode_declared(data: bytes, charset: str, origin: str) -> str:
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise SourceError(
            f"{origin} is not valid {charset} text as its server declares ({exc.__class__.__name__})",
            hint="ask the site owner to fix the charset, or save the page as UTF-8 and pass the file",
        ) from exc
