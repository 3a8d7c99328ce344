"""Ingesting URLs from a real HTTP server on 127.0.0.1, and every way a fetch fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from podwright.core import SourceError
from podwright.sources import ingest, ingest_all
from tests.support.http_files import closed_port_url, serve_files, silent_server
from tests.support.pdf import write_pdf

ARTICLE = """<html><head><title>Tides</title></head><body>
<nav>Menu</nav><main><h1>Tides</h1><p>The moon pulls   the sea.</p></main><footer>(c)</footer>
</body></html>"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "tides.html").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Plain notes.\n", encoding="utf-8")
    (tmp_path / "guide.md").write_text("# Guide\n\nRead **this**.\n", encoding="utf-8")
    (tmp_path / "latin.html").write_bytes("<p>Caf\xe9 cr\xe8me.</p>".encode("latin-1"))
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (tmp_path / "blob").write_bytes(b"unknown bytes")
    write_pdf(tmp_path / "paper.pdf", ["Served as a PDF."], title="Served Paper")
    content_types = {
        "guide.md": "text/markdown; charset=utf-8",
        "latin.html": "text/html; charset=iso-8859-1",
        "blob": "application/octet-stream",
    }
    with serve_files(tmp_path, content_types=content_types) as base_url:
        yield base_url


def _error(url: str, **kwargs: float) -> SourceError:
    with pytest.raises(SourceError) as caught:
        ingest(url, **kwargs)  # type: ignore[arg-type]
    assert url in caught.value.message, "the message names the URL"
    assert caught.value.hint, "every source error names a fix"
    return caught.value


def test_html_page_over_http(site: str) -> None:
    doc = ingest(f"{site}/tides.html")
    assert doc.origin == f"{site}/tides.html"
    assert (doc.title, doc.text) == ("Tides", "Tides\n\nThe moon pulls the sea.")


def test_declared_charset_is_honoured(site: str) -> None:
    assert ingest(f"{site}/latin.html").text == "Café crème."


def test_text_markdown_and_pdf_over_http(site: str) -> None:
    with httpx.Client() as client:
        docs = [
            ingest(f"{site}/{name}", http_client=client) for name in ("notes.txt", "guide.md", "paper.pdf")
        ]
        assert not client.is_closed, "a client passed in is the caller's to close"
    assert [(doc.title, doc.text) for doc in docs] == [
        ("Plain notes.", "Plain notes."),
        ("Guide", "Guide\n\nRead this."),
        ("Served Paper", "Served as a PDF."),
    ]


def test_ingest_all_mixes_files_and_urls(site: str, tmp_path: Path) -> None:
    local = tmp_path / "local.txt"
    local.write_text("Local words.", encoding="utf-8")
    docs = ingest_all([str(local), f"{site}/tides.html"])
    assert [doc.title for doc in docs] == ["Local words.", "Tides"]


def test_http_404_names_the_status(site: str) -> None:
    error = _error(f"{site}/missing.html")
    assert "HTTP 404" in error.message
    assert "moved" in error.hint


def test_non_text_content_type_is_refused(site: str) -> None:
    error = _error(f"{site}/logo.png")
    assert "image/png" in error.message


def test_octet_stream_without_known_extension_is_refused(site: str) -> None:
    error = _error(f"{site}/blob")
    assert "application/octet-stream" in error.message


def test_unreachable_url_names_the_network() -> None:
    url = closed_port_url()
    error = _error(url)
    assert "cannot reach" in error.message
    assert "network" in error.hint


def test_server_that_never_answers_times_out() -> None:
    with silent_server() as url:
        error = _error(url, timeout_s=0.3)
    assert "did not answer within 0.3 s" in error.message
