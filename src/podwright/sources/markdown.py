"""Markdown to clean prose: what a host could read aloud, with the document's title.

Headings become their own paragraphs, links and images keep their text, emphasis and inline code
marks go, list and quote markers go, tables become one line per row. Fenced code is kept as plain
text (markers dropped): a source about software loses its substance without it, and the writers
decide what to say about it.
"""

from __future__ import annotations

import re

from podwright.sources.text import normalize_text

__all__ = ["markdown_to_text"]

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FRONT_TITLE = re.compile(r"^title\s*:\s*(.+?)\s*$", re.IGNORECASE)

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def markdown_to_text(source: str) -> tuple[str | None, str]:
    """Return ``(title, prose)``; the title is front matter ``title:`` or the first ``# `` heading."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title, lines = _split_front_matter(lines)
    out: list[str] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
                out.append("")
            else:
                out.append(line)
            continue
        if match := _FENCE.match(line):
            fence = match.group(1)[0] * 3
            out.append("")
            continue
        if match := _ATX.match(line):
            heading = _inline(match.group(2))
            if title is None and len(match.group(1)) == 1 and heading:
                title = heading
            out.extend(["", heading, ""])
            continue
        if _SETEXT.match(line) and out and out[-1].strip() and _is_setext(lines, index):
            heading = out.pop()
            if title is None and line.strip().startswith("="):
                title = heading
            out.extend(["", heading, ""])
            continue
        if _RULE.match(line):
            out.append("")
            continue
        if _REF_DEF.match(line) or _TABLE_RULE.match(line):
            continue
        out.append(_block_line(line))
    return title, normalize_text("\n".join(out))


def _split_front_matter(lines: list[str]) -> tuple[str | None, list[str]]:
    if not lines or lines[0].strip() != "---":
        return None, lines
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            title = None
            for line in lines[1:end]:
                if match := _FRONT_TITLE.match(line):
                    title = match.group(1).strip("'\"") or None
            return title, lines[end + 1 :]
    return None, lines


def _is_setext(lines: list[str], index: int) -> bool:
    # A '---' under a paragraph line is a heading underline; under a list item or blank it is a rule.
    previous = lines[index - 1] if index > 0 else ""
    return bool(previous.strip()) and not _BULLET.match(previous) and not _FENCE.match(previous)


def _block_line(line: str) -> str:
    line = _QUOTE.sub("", line)
    line = _BULLET.sub("", line)
    stripped = line.strip()
    if stripped.startswith("|") or (stripped.count("|") >= 2 and not stripped.startswith("`")):
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        line = ", ".join(cell for cell in cells if cell)
    return _inline(line)


def _inline(text: str) -> str:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE_SPAN.sub(lambda match: match.group(2).strip(), text)
    text = _HTML_TAG.sub("", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _STRIKE.sub(r"\1", text)
    return _ESCAPE.sub(r"\1", text).strip()
