"""PDF: the text layer through pypdf, page by page; scanned and locked PDFs fail with the fix."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from podwright.core import SourceError
from podwright.sources.text import guess_title, normalize_text

__all__ = ["pdf_to_text"]

# A word broken across lines by the typesetter: "exam-\nple" reads "example".
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def pdf_to_text(data: bytes, *, origin: str, fallback_title: str) -> tuple[str, str]:
    """Return ``(title, text)`` of the PDF in ``data``; pages are separated by a blank line."""
    reader = _open(data, origin)
    pages: list[str] = []
    try:
        for page in reader.pages:
            page_text = page.extract_text() or ""
            pages.append(_HYPHEN_BREAK.sub(r"\1\2", page_text))
    except FileNotDecryptedError as exc:
        raise _locked(origin) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        # pypdf surfaces damaged content streams as assorted built-in errors, not only its own.
        raise SourceError(
            f"{origin}: the PDF's text could not be read ({exc.__class__.__name__}: {exc})",
            hint="re-export it from the original application, or print it to a new PDF",
        ) from exc
    text = normalize_text("\n\n".join(pages))
    if not text:
        raise SourceError(
            f"{origin}: the PDF has no text layer (a scan or images only)",
            hint="OCR it first, e.g. `ocrmypdf in.pdf out.pdf`, and use the output",
        )
    return _title(reader, text, fallback_title), text


def _open(data: bytes, origin: str) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _locked(origin)
        # Touch the page tree now so a damaged file fails here, with a clear message.
        _ = len(reader.pages)
    except SourceError:
        raise
    except (DependencyError, FileNotDecryptedError) as exc:
        raise _locked(origin) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceError(
            f"{origin} is not a readable PDF ({exc.__class__.__name__}: {exc})",
            hint="check the file is a complete PDF (re-download or re-export it)",
        ) from exc
    return reader


def _locked(origin: str) -> SourceError:
    return SourceError(
        f"{origin} is an encrypted PDF that needs a password",
        hint="save an unlocked copy, e.g. `qpdf --decrypt --password=PASSWORD in.pdf out.pdf`",
    )


def _title(reader: PdfReader, text: str, fallback: str) -> str:
    try:
        metadata = reader.metadata
        title = str(metadata.title).strip() if metadata is not None and metadata.title else ""
    except (PyPdfError, ValueError, KeyError, TypeError):
        title = ""
    return title or guess_title(text, fallback=fallback)
