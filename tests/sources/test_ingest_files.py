"""Ingesting real files made in tmp_path: text, Markdown, PDF, HTML, and every way they fail."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from podwright.core import SourceDoc, SourceError
from podwright.sources import ingest, ingest_all
from tests.support.pdf import pdf_bytes, write_pdf


def _write(path: Path, data: str | bytes) -> str:
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return str(path)


def _error(origin: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        ingest(origin)
    assert origin in caught.value.message, "the message names the file"
    assert caught.value.hint, "every source error names a fix"
    return caught.value


def test_plain_text_keeps_paragraphs_and_normalizes_whitespace(tmp_path: Path) -> None:
    origin = _write(
        tmp_path / "notes.txt",
        "Tidal power\r\n\r\n\r\n  The moon   pulls\tthe sea.  \r\nTwice a day.\n\n\n\nSecond   paragraph.\n",
    )
    doc = ingest(origin)
    assert isinstance(doc, SourceDoc)
    assert doc.origin == origin
    assert doc.title == "Tidal power"
    assert doc.text == "Tidal power\n\nThe moon pulls the sea.\nTwice a day.\n\nSecond paragraph."


def test_text_without_extension_is_read_when_it_decodes(tmp_path: Path) -> None:
    doc = ingest(_write(tmp_path / "README", "Just words here.\n"))
    assert doc.text == "Just words here."


@pytest.mark.parametrize(
    ("encoded", "label"),
    [
        ("\ufeffCafé au lait.".encode(), "utf-8-sig"),
        ("Café au lait.".encode("utf-16"), "utf-16 with BOM"),
        ("Café au lait.".encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16-be with BOM"),
    ],
)
def test_bom_marked_encodings_decode(tmp_path: Path, encoded: bytes, label: str) -> None:
    doc = ingest(_write(tmp_path / "cafe.txt", encoded))
    assert doc.text == "Café au lait.", label


def test_undecodable_bytes_fail_with_resave_hint(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "latin1.txt", "Café crème brûlée".encode("latin-1")))
    assert "UTF-8" in error.message
    assert "re-save" in error.hint


def test_binary_without_extension_is_refused(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "blob", b"\x00\x01\x02abc"))
    assert "binary" in error.message


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
def test_empty_or_whitespace_file_fails(tmp_path: Path, content: bytes) -> None:
    error = _error(_write(tmp_path / "empty.txt", content))
    assert "empty" in error.message


def test_whitespace_in_utf16_counts_as_empty(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "blank.txt", "   \n \n".encode("utf-16")))
    assert "whitespace" in error.message


def test_missing_file(tmp_path: Path) -> None:
    error = _error(str(tmp_path / "nowhere.md"))
    assert "not found" in error.message
    assert "path" in error.hint


def test_folder_is_not_a_source(tmp_path: Path) -> None:
    assert "folder" in _error(str(tmp_path)).message


@pytest.mark.parametrize("name", ["report.docx", "cover.png", "data.xlsx"])
def test_unsupported_extension_names_the_conversion(tmp_path: Path, name: str) -> None:
    error = _error(_write(tmp_path / name, b"PK\x03\x04 whatever"))
    assert "unsupported file type" in error.message
    assert "PDF" in error.hint and "Markdown" in error.hint


def test_markdown_becomes_prose_with_title_from_first_heading(tmp_path: Path) -> None:
    source = """Intro line before heading.

# The Deep Sea

Anglerfish live **very** deep, see [the survey](https://example.org/survey) and ![a fish](fish.png).
Use `sonar` _carefully_ and ~~never~~ always <br> listen.

## Findings ##

- First item
* Second item
1. Numbered item

> Quoted wisdom here.

| depth | species |
|------:|---------|
| 200 m | lanternfish |

```python
print("code stays as text")
```

---
Reference [link][ref] and <https://example.org/auto>.

[ref]: https://example.org/ref
"""
    doc = ingest(_write(tmp_path / "deep.md", source))
    assert doc.title == "The Deep Sea"
    assert doc.text == (
        "Intro line before heading.\n\n"
        "The Deep Sea\n\n"
        "Anglerfish live very deep, see the survey and a fish.\n"
        "Use sonar carefully and never always listen.\n\n"
        "Findings\n\n"
        "First item\nSecond item\nNumbered item\n\n"
        "Quoted wisdom here.\n\n"
        "depth, species\n200 m, lanternfish\n\n"
        'print("code stays as text")\n\n'
        "Reference link and https://example.org/auto."
    )


def test_markdown_front_matter_title_wins_and_is_not_text(tmp_path: Path) -> None:
    source = '---\ntitle: "Front Title"\nauthor: someone\n---\n# Heading Title\n\nBody text.\n'
    doc = ingest(_write(tmp_path / "front.markdown", source))
    assert doc.title == "Front Title"
    assert doc.text == "Heading Title\n\nBody text."


def test_markdown_setext_heading_and_no_title_falls_back_to_file_name(tmp_path: Path) -> None:
    doc = ingest(_write(tmp_path / "setext.md", "Big Title\n=========\n\nSome prose.\n"))
    assert (doc.title, doc.text) == ("Big Title", "Big Title\n\nSome prose.")
    doc = ingest(_write(tmp_path / "plain-notes.md", "Only *prose* here.\n"))
    assert (doc.title, doc.text) == ("plain-notes", "Only prose here.")


def test_pdf_text_layer_and_metadata_title(tmp_path: Path) -> None:
    origin = str(
        write_pdf(
            tmp_path / "paper.pdf",
            ["Coral reefs cover less than one percent of the ocean floor.", "Page two (with parens)."],
            title="Reef Report",
        )
    )
    doc = ingest(origin)
    assert doc.title == "Reef Report"
    assert doc.text == (
        "Coral reefs cover less than one percent of the ocean floor.\n\nPage two (with parens)."
    )


def test_pdf_title_falls_back_to_first_line(tmp_path: Path) -> None:
    doc = ingest(str(write_pdf(tmp_path / "untitled.pdf", ["Kelp Forests\nThey grow fast."])))
    assert doc.title == "Kelp Forests"


def test_pdf_mixed_pages_keep_the_text_ones(tmp_path: Path) -> None:
    doc = ingest(str(write_pdf(tmp_path / "mixed.pdf", [None, "Text after a figure."])))
    assert doc.text == "Text after a figure."


def test_scanned_pdf_without_text_layer_names_ocr(tmp_path: Path) -> None:
    error = _error(str(write_pdf(tmp_path / "scan.pdf", [None, None])))
    assert "no text layer" in error.message
    assert "ocrmypdf" in error.hint


def test_encrypted_pdf_asks_for_an_unlocked_copy(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_bytes(["Secret plans."]))))
    writer.encrypt(user_password="hunter2", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    error = _error(_write(tmp_path / "locked.pdf", buffer.getvalue()))
    assert "encrypted" in error.message
    assert "qpdf" in error.hint


def test_pdf_with_only_an_owner_password_still_reads(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_bytes(["Open to read."]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert ingest(_write(tmp_path / "owner.pdf", buffer.getvalue())).text == "Open to read."


def test_damaged_pdf_is_a_clear_error(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n"))
    assert "PDF" in error.message


HTML_PAGE = """<!doctype html>
<html><head><title>Whales | Ocean Site</title>
<meta property="og:title" content="Whales of the North">
<style>body { color: red }</style><script>var tracking = 1;</script></head>
<body>
<header><h1>Ocean Site</h1></header>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article>
  <h1>Whales of the
      North</h1>
  <p>Humpbacks   <em>sing</em> long
     songs.</p>
  <p>Line one<br>line two</p>
  <ul><li>Blue whale</li><li>Fin whale</li></ul>
  <!-- a comment that must not appear -->
  <pre>keep   this
  spacing</pre>
</article>
<aside>Related links</aside>
<footer>Copyright</footer>
</body></html>
"""


def test_html_file_drops_furniture_and_keeps_paragraphs(tmp_path: Path) -> None:
    doc = ingest(_write(tmp_path / "whales.html", HTML_PAGE))
    assert doc.title == "Whales of the North"
    assert doc.text == (
        "Whales of the North\n\nHumpbacks sing long songs.\n\nLine one\nline two\n\n"
        "Blue whale\n\nFin whale\n\nkeep this\nspacing"
    )


def test_html_title_falls_back_to_title_tag_then_h1(tmp_path: Path) -> None:
    doc = ingest(_write(tmp_path / "a.htm", "<title> Plain  Title </title><p>Body.</p>"))
    assert doc.title == "Plain Title"
    doc = ingest(_write(tmp_path / "b.html", "<body><h1>Heading</h1><p>Body.</p></body>"))
    assert doc.title == "Heading"


def test_html_without_text_hints_at_javascript(tmp_path: Path) -> None:
    error = _error(_write(tmp_path / "app.html", "<html><body><script>render()</script></body></html>"))
    assert "no readable text" in error.message
    assert "JavaScript" in error.hint


def test_ingest_all_keeps_order_and_stops_at_the_first_failure(tmp_path: Path) -> None:
    first = _write(tmp_path / "one.txt", "One.")
    second = _write(tmp_path / "two.md", "# Two\n\nTwo.")
    docs = ingest_all([first, second])
    assert [doc.title for doc in docs] == ["One.", "Two"]
    with pytest.raises(SourceError, match=r"missing\.txt"):
        ingest_all([first, str(tmp_path / "missing.txt"), second])


def test_other_url_schemes_are_refused() -> None:
    with pytest.raises(SourceError, match="unsupported address scheme 'ftp'"):
        ingest("ftp://example.org/file.txt")


def test_html_reading_time_grows_with_size_not_with_nesting_depth() -> None:
    """A 50,000-deep page reads in one walk (it used to grow with the square of the depth)."""
    from podwright.sources.html import html_to_text

    depth = 50_000
    page = (
        "<html><head><title>Deep</title></head><body><nav>menu</nav>"
        + "<div><span>word</span> " * depth
        + "<pre>kept   as is</pre>"
        + "</div>" * depth
        + "</body></html>"
    )
    title, text = html_to_text(page)
    assert title == "Deep"
    assert text.count("word") == depth and "menu" not in text
    assert text.endswith("kept as is")
