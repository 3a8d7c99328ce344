"""HTML: the article's readable text with its paragraphs, without page furniture.

Scripts, styles, navigation, headers, footers and asides are dropped; when the page marks its
content with ``<main>`` or ``<article>`` only that is read. Block elements become paragraphs and
``<br>`` a line break; inline markup joins its words with single spaces.

The page is read in one streaming pass (the standard library's tokenizer, a stack of open tags, no
tree), so reading time grows with the page's size and never with its nesting depth: tree builders
re-link descendants as they go, which made a 50,000-deep page take minutes.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from bs4.dammit import UnicodeDammit

from podwright.sources.text import normalize_text

__all__ = ["html_to_text"]

_DROPPED = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "canvas",
    "button",
    "select",
)
_BLOCKS = (
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "figure",
    "figcaption",
    "hr",
    "ul",
    "ol",
    "dl",
    "address",
)
_DROPPED_SET = frozenset(_DROPPED)
_BLOCK_SET = frozenset(_BLOCKS)
_DROPPED_SET = frozenset(_DROPPED)
_BLOCK_SET = frozenset(_BLOCKS)
# Never part of the text, wherever they sit: the head and what only it holds.
_UNREAD = frozenset({"head", "title"})
# Elements that never have content: they open nothing on the stack.
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_WHITESPACE = re.compile(r"\s+")
# Private-use stand-ins for breaks while inline whitespace is collapsed (not matched by \s).
_PARAGRAPH = "\ue000"
_LINE = "\ue001"


def html_to_text(markup: str | bytes) -> tuple[str | None, str]:
    """Return ``(title, text)``; the title is ``og:title``, else ``<title>``, else the first ``<h1>``."""
    if isinstance(markup, bytes):
        markup = UnicodeDammit(markup, is_html=True).unicode_markup or ""
    reader = _PageReader()
    reader.feed(markup)
    reader.close()
    return reader.title(), normalize_text(reader.text())


class _PageReader(HTMLParser):
    """Collects the text of the whole page, of its first ``<article>`` and first ``<main>`` at once."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._open: list[str] = []
        self._open_count: Counter[str] = Counter()
        """How many of each tag are open: a stray end tag is found stray in O(1), not by a scan."""
        self._hidden = 0
        """Open elements whose text is not read (page furniture, the head)."""
        self._pre = 0
        self._body: list[str] = []
        self._regions: dict[str, list[str]] = {}
        """Text of the first ``article`` and first ``main`` outside page furniture."""
        self._in_region: dict[str, int] = {}
        """Stack depth at which each region opened, while it is open."""
        self._og_title: str | None = None
        self._title: list[str] | None = None
        self._h1: list[str] | None = None
        self._capturing: dict[str, int] = {}
        """``title``/``h1`` being captured, with the stack depth it opened at."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open ``tag``: a paragraph break for blocks, and start whatever it marks."""
        if tag == "meta":
            values = dict(attrs)
            if values.get("property") == "og:title" and (values.get("content") or "").strip():
                self._og_title = self._og_title or values["content"]
            return
        if tag in _VOID:
            if not self._hidden:
                self._emit(_LINE if tag == "br" else _PARAGRAPH if tag == "hr" else "")
            return
        self._open.append(tag)
        self._open_count[tag] += 1
        depth = len(self._open)
        if (tag == "title" and self._title is None) or (tag == "h1" and self._h1 is None):
            self._capturing[tag] = depth
            if tag == "title":
                self._title = []
            else:
                self._h1 = []
        if tag in _DROPPED_SET or tag in _UNREAD:
            self._hidden += 1
            return
        if self._hidden:
            return
        if tag in ("article", "main") and tag not in self._regions:
            self._regions[tag] = []
            self._in_region[tag] = depth
        if tag in _BLOCK_SET:
            self._emit(_PARAGRAPH)
        if tag == "pre":
            self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """``<tag/>``: opened and closed at once."""
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and tag != "meta":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        """Close ``tag`` and every element left open inside it (a stray end tag is ignored)."""
        if not self._open_count[tag]:
            return
        while self._open:
            closed = self._open.pop()
            self._open_count[closed] -= 1
            self._close(closed, len(self._open) + 1)
            if closed == tag:
                return

    def _close(self, tag: str, depth: int) -> None:
        if self._capturing.get(tag) == depth:
            del self._capturing[tag]
        if tag in _DROPPED_SET or tag in _UNREAD:
            self._hidden -= 1
            return
        if self._hidden:
            return
        if tag == "pre":
            self._pre -= 1
        if tag in _BLOCK_SET:
            self._emit(_PARAGRAPH)
        for region, opened in list(self._in_region.items()):
            if opened == depth:
                del self._in_region[region]

    def handle_data(self, data: str) -> None:
        """Text: into the title being captured, and (unless hidden) into the page and open regions."""
        if "title" in self._capturing and self._title is not None:
            self._title.append(data)
        if "h1" in self._capturing and self._h1 is not None:
            self._h1.append(data)
        if not self._hidden:
            self._emit(data if self._pre else _WHITESPACE.sub(" ", data))

    def _emit(self, text: str) -> None:
        if not text:
            return
        self._body.append(text)
        for region in self._in_region:
            self._regions[region].append(text)

    def text(self) -> str:
        """The first article's text, else the first main's, else the whole page's; breaks restored."""
        parts = self._regions.get("article") or self._regions.get("main") or self._body
        return "".join(parts).replace(_PARAGRAPH, "\n\n").replace(_LINE, "\n")

    def title(self) -> str | None:
        """``og:title``, else ``<title>``, else the first ``<h1>``; whitespace collapsed."""
        for candidate in (self._og_title, *("".join(p) for p in (self._title, self._h1) if p is not None)):
            if candidate is not None:
                collapsed = _WHITESPACE.sub(" ", candidate).strip()
                if collapsed:
                    return collapsed
        return None
