"""A tiny PDF writer for tests: real, valid PDFs with a text layer, or image-only pages (no text).

Each page is a string of text (Helvetica, wrapped to fit, one ``Tj`` per line) or ``None`` for a page
that only paints an image, like a scan. No third-party dependency; pypdf reads the result.
"""

from __future__ import annotations

import textwrap
import zlib
from collections.abc import Sequence
from pathlib import Path

__all__ = ["pdf_bytes", "write_pdf"]

_LINE_CHARS = 90
_LINES_PER_PAGE = 60


def write_pdf(path: Path, pages: Sequence[str | None], *, title: str | None = None) -> Path:
    """Write a PDF with one page per item of ``pages`` to ``path``; returns ``path``."""
    path.write_bytes(pdf_bytes(pages, title=title))
    return path


def pdf_bytes(pages: Sequence[str | None], *, title: str | None = None) -> bytes:
    """The bytes of a PDF with one page per item (text, or ``None`` for an image-only page)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled once the page tree's number is known
    pages_ref = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pixels = bytes((x * 16 + y * 8) % 256 for y in range(16) for x in range(16))
    image = add(
        _stream(
            b"/Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8",
            pixels,
            compress=True,
        )
    )
    kids: list[int] = []
    for page in pages:
        content = add(_stream(b"", _image_content() if page is None else _text_content(page)))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                % (pages_ref, content, font, image)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_ref
    objects[pages_ref - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    info = add(b"<< /Title (%s) /Producer (podwright tests) >>" % _escape(title)) if title else None
    return _assemble(objects, catalog, info)


def _assemble(objects: list[bytes], root: int, info: int | None) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, root)
    if info is not None:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _stream(dictionary: bytes, data: bytes, *, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data)
        dictionary += b" /Filter /FlateDecode"
    return b"<< %s /Length %d >>\nstream\n" % (dictionary.strip(), len(data)) + data + b"\nendstream"


def _text_content(text: str) -> bytes:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, _LINE_CHARS) or [""])
    ops = [b"BT /F1 10 Tf 12 TL 50 750 Td"]
    for line in lines[:_LINES_PER_PAGE]:
        ops.append(b"(%s) Tj T*" % _escape(line))
    ops.append(b"ET")
    return b"\n".join(ops)


def _image_content() -> bytes:
    return b"q 400 0 0 400 100 200 cm /Im1 Do Q"


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
