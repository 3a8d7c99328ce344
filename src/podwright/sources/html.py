"""HTML: the article's readable text with its paragraphs, without page furniture.

Scripts, styles, navigation, headers, footers and asides are dropped; when the page marks its
content with ``<main>`` or ``<article>`` only that is read. Block elements become paragraphs and
``<br>`` a line break; inline markup joins its words with single spaces.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from bs4.element import Comment, NavigableString, Tag

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
_WHITESPACE = re.compile(r"\s+")
# Private-use stand-ins for breaks while inline whitespace is collapsed (not matched by \s).
_PARAGRAPH = "\ue000"
_LINE = "\ue001"


def html_to_text(markup: str | bytes) -> tuple[str | None, str]:
    """Return ``(title, text)``; the title is ``og:title``, else ``<title>``, else the first ``<h1>``."""
    soup = BeautifulSoup(markup, "html.parser")
    title = _title(soup)
    for comment in soup.find_all(string=lambda value: isinstance(value, Comment)):
        comment.extract()
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(_BLOCKS):
        tag.insert_before(_PARAGRAPH)
        tag.insert_after(_PARAGRAPH)
    for tag in root.find_all("br"):
        tag.replace_with(_LINE)
    for string in list(root.find_all(string=True)):
        if isinstance(string, NavigableString) and string.find_parent("pre") is None:
            string.replace_with(_WHITESPACE.sub(" ", str(string)))
    text = root.get_text() if isinstance(root, Tag) else str(root)
    text = text.replace(_PARAGRAPH, "\n\n").replace(_LINE, "\n")
    return title, normalize_text(text)


def _title(soup: BeautifulSoup) -> str | None:
    og = soup.find("meta", attrs={"property": "og:title"})
    if isinstance(og, Tag):
        content = og.get("content")
        if isinstance(content, str) and content.strip():
            return _WHITESPACE.sub(" ", content).strip()
    for tag in (soup.title, soup.find("h1")):
        if isinstance(tag, Tag):
            text = _WHITESPACE.sub(" ", tag.get_text()).strip()
            if text:
                return text
    return None
