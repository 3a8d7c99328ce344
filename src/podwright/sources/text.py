"""Plain text: decoding bytes safely and normalizing whitespace while keeping paragraphs.

Every format ends here: whatever the source, research reads paragraphs separated by one blank line,
lines trimmed, runs of spaces collapsed, and no control characters.
"""

from __future__ import annotations

import codecs
import re

from podwright.core import SourceError

__all__ = ["decode_text", "guess_title", "normalize_text"]

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufeff\u200b]")


def decode_text(data: bytes, *, origin: str) -> str:
    """Decode ``data`` as UTF-8 (with or without BOM) or BOM-marked UTF-16.

    Raises :class:`SourceError` naming ``origin`` when the bytes are not text in those encodings:
    guessing a legacy code page would feed the script writer mojibake without anyone noticing.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{origin} is not UTF-8 text (undecodable byte at offset {exc.start})",
            hint="re-save it as UTF-8 (most editors offer 'Save with encoding')",
        ) from exc
    if "\x00" in text:
        # NUL never occurs in text; a UTF-8-valid binary file must not slip through as prose.
        raise SourceError(
            f"{origin} looks like a binary file, not text",
            hint="convert it to PDF, plain text or Markdown",
        )
    return text


def normalize_text(text: str) -> str:
    """Trim lines, collapse spaces, drop control characters, keep one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def guess_title(text: str, *, fallback: str, max_chars: int = 100) -> str:
    """The first line when it is short enough to be a title, else ``fallback``."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line if len(line) <= max_chars else fallback
    return fallback
