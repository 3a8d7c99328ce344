"""The static prompt prefix every writing call of an episode shares.

Providers cache a prompt prefix only when it is byte-identical from call to call, so everything
that does not change within an episode — the hosts, audience, style, language, dialogue format, the
template, the research brief and the outline — is rendered here, once, in a fixed order, and ends
with the message marked ``cache_breakpoint``. Per-call instructions always come after it.

Intro and conclusion share a shorter prefix: the same system message, then the episode summary.
"""

from __future__ import annotations

from podwright.core.episode import Outline, ResearchBrief
from podwright.core.language import written_language
from podwright.core.llm import Message
from podwright.core.show import Show

__all__ = ["bookend_prefix", "episode_prefix", "show_system_message", "sources_block"]


def show_system_message(show: Show) -> Message:
    """The system message: who writes, for whom, in which voice, and the answer format."""
    hosts = "\n".join(
        f"- id `{host.id}`: {host.name}"
        + (f" — {host.persona}" if host.persona else "")
        + (f" Role in this episode: {show.roles[host.id]}" if host.id in show.roles else "")
        for host in show.hosts
    )
    ids = ", ".join(f'"{host.id}"' for host in show.hosts)
    content = (
        f'You write dialogue for the podcast "{show.name}".\n'
        f"Audience: {show.audience}\n"
        f"Style: {show.style}\n"
        f"Language: write every spoken line in {written_language(show.language)}.\n"
        f"Hosts:\n{hosts}\n"
        "Dialogue rules:\n"
        f'- Answer with JSON only: {{"turns": [{{"speaker": <host id>, "text": <spoken words>}}]}}; '
        f"speaker is one of {ids}.\n"
        "- Write words to be spoken aloud: no stage directions, no markdown, no sound effects, "
        "no speaker names inside text.\n"
        "- Hosts take turns naturally; each turn is one to three short sentences.\n"
        "- Say everything in the hosts' own words, once: never copy a sentence from the brief, "
        "and never say a sentence twice."
    )
    return Message(role="system", content=content)


def _brief_block(brief: ResearchBrief) -> str:
    lines = [f"Research brief:\n{brief.summary}"]
    for label, items in (
        ("Key facts", brief.key_facts),
        ("Angles", brief.angles),
        ("Open questions", brief.open_questions),
    ):
        if items:
            lines.append(f"{label}:\n" + "\n".join(f"- {item}" for item in items))
    return "\n".join(lines)


def sources_block(brief: ResearchBrief) -> str:
    """The pages research cited, numbered, with the passage each gave; or the brief's sourcing line.

    Shared by the outline call and the writers' prefix, so both write from the same sources.
    """
    if not brief.sources:
        return brief.sourcing
    lines = [brief.sourcing, "Web sources (write from these; never invent a source):"]
    for number, source in enumerate(brief.sources, start=1):
        title = source.title or source.url
        lines.append(
            f"[{number}] {title} — {source.url}" + (f"\n    {source.passage}" if source.passage else "")
        )
    return "\n".join(lines)


def _outline_block(outline: Outline) -> str:
    lines = [f'Episode plan: "{outline.title}"']
    for index, segment in enumerate(outline.segments, start=1):
        points = "; ".join(segment.key_points)
        lines.append(f"{index}. {segment.title} [{segment.kind}] — {points}")
    return "\n".join(lines)


def _template_block(show: Show) -> str:
    return "Segment flow of every episode:\n" + "\n".join(
        f"- {spec.kind}: {spec.intent}" for spec in show.template
    )


def episode_prefix(show: Show, brief: ResearchBrief, outline: Outline) -> tuple[Message, Message]:
    """The static prefix of every body-segment call of one episode (system + context block).

    The second message carries ``cache_breakpoint=True``; it depends only on the show, the brief and
    the outline, so it is byte-identical across the episode's segment calls.
    """
    blocks = (_template_block(show), _brief_block(brief), sources_block(brief), _outline_block(outline))
    context = "\n\n".join(block for block in blocks if block)
    return show_system_message(show), Message(role="user", content=context, cache_breakpoint=True)


def bookend_prefix(
    show: Show, title: str, segment_titles: list[str], summary: str
) -> tuple[Message, Message]:
    """The static prefix shared by the intro and conclusion calls: system + the episode's summary.

    They read the summary, never the full dialogue: a few hundred tokens instead of thousands.
    """
    chapters = "\n".join(f"{index}. {name}" for index, name in enumerate(segment_titles, start=1))
    context = f'Episode: "{title}"\nSegments:\n{chapters}\n\nSummary of the episode\'s dialogue:\n{summary}'
    return show_system_message(show), Message(role="user", content=context, cache_breakpoint=True)
