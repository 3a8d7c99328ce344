"""Show notes: the episode's description and the sources it was written from, as plain text.

One text for every place a listener reads about an episode — the feed item, YouTube's description,
``show_notes.md`` — so each lists the same sources in the same order: the web pages research cited
(title and URL), then the documents given; or the line saying there were none.
"""

from __future__ import annotations

from podwright.core.episode import Script
from podwright.core.language import labels_for

__all__ = ["episode_description", "show_notes", "sources_section"]


def episode_description(script: Script) -> str:
    """The published description: the metadata's, else the script's summary."""
    meta = script.metadata
    return meta.description if meta and meta.description else script.summary


def sources_section(script: Script) -> str:
    """The sourcing line, then one ``- title — URL`` line per source (empty for an older script)."""
    heading = f"{labels_for(script.language).sources}:"
    lines = [script.sourcing] if script.sourcing else ([heading] if script.sources else [])
    for source in script.sources:
        title = source.title or source.url
        lines.append(f"- {title} — {source.url}" if source.url and source.url != title else f"- {title}")
    return "\n".join(lines)


def show_notes(script: Script) -> str:
    """The description followed by the sources section (either may be empty)."""
    return "\n\n".join(
        part for part in (episode_description(script).strip(), sources_section(script)) if part
    )
