"""Research: the topic and source digests in, a :class:`ResearchBrief` out — with its sources.

The brief becomes part of the static prefix every segment call shares, so it is kept short: its
length scales with the episode, not with the sources.

When the show asks for web research (``[research] web = true``), the call carries a
:class:`~podwright.core.llm.WebSearch`: the provider (OpenRouter's ``web`` plugin or a model's
``:online`` variant) searches first and returns the pages it used as ``url_citation`` annotations.
Those become the brief's numbered sources, and through it the outline's, the writers' and the show
notes'. Without web research (off, offline, or a provider that cannot search) the brief rests on the
documents given alone, and its ``sourcing`` line says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from podwright.core.episode import EpisodeRequest, ResearchBrief, SourceDoc
from podwright.core.language import written_language
from podwright.core.llm import Citation, LLMRequest, LLMResponse, Message, WebSearch
from podwright.core.model import Record
from podwright.core.show import Show, Task
from podwright.stages.schema import response_schema
from podwright.stages.sizing import EpisodeSize, text_max_tokens

__all__ = [
    "RESPONSE",
    "BriefDraft",
    "brief_words",
    "build_request",
    "document_sources",
    "parse",
    "sourcing_line",
]

_MIN_TOKENS = 512
"""Small models write long facts whatever they are asked; below this a brief is often cut off."""

_PASSAGE_CHARS = 400
"""The most of a cited page's passage kept: enough to write from, small enough for the prefix."""


class BriefDraft(Record):
    """What the research call answers: the brief's own text (its sources come from the provider)."""

    summary: str
    key_facts: tuple[str, ...] = ()
    angles: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()


RESPONSE = BriefDraft
"""The response model of the research call."""


def brief_words(size: EpisodeSize) -> int:
    """Words a brief for an episode of ``size`` should have: enough to feed it, no more."""
    return max(100, min(800, round(size.body_words * 0.4)))


def _material(request: EpisodeRequest, sources: Sequence[SourceDoc]) -> str:
    parts: list[str] = []
    if request.topic:
        parts.append(f"Topic: {request.topic.strip()}")
    for index, doc in enumerate(sources, start=1):
        parts.append(f"Source {index}: {doc.title} ({doc.origin})\n{doc.digest.strip()}")
    return "\n\n".join(parts)


def build_request(
    show: Show,
    request: EpisodeRequest,
    sources: Sequence[SourceDoc],
    size: EpisodeSize,
    *,
    web: bool = True,
) -> LLMRequest:
    """The research call: gather what the hosts need to know, as a typed brief.

    ``web=False`` (an offline run) never asks for a web search, whatever the show says.
    """
    words = brief_words(size)
    # The counts grow with the episode so a short one gets a brief it can actually use.
    scale = words / 100
    summary_sentences = "2-3" if scale < 3 else "4-6"
    facts = max(3, min(10, round(2 * scale)))
    angles = max(2, min(5, round(scale)))
    questions = max(1, min(4, round(scale / 2)))
    search = _web_search(show) if web else None
    system = Message(
        role="system",
        content=(
            f'You are the researcher of the podcast "{show.name}" for {show.audience}. '
            f"Write in {written_language(show.language)}. Answer with JSON only."
        ),
    )
    grounding = (
        "Base every fact on the web search results and the sources; leave out what they do not support."
        if search is not None
        else "Stick to the sources when there are any."
    )
    ask = Message(
        role="user",
        content=(
            f"{_material(request, sources)}\n\n"
            f"Write a research brief for a {request.target_minutes:g}-minute episode, about {words} words "
            f"in all: a summary of {summary_sentences} sentences, {facts} key facts, {angles} angles and "
            f"{questions} open questions, each one short sentence. {grounding}"
        ),
    )
    schema = response_schema(RESPONSE)
    # Grammar-constrained small models otherwise keep adding list items until max_tokens cuts them.
    for name, most in (("key_facts", facts), ("angles", angles), ("open_questions", questions)):
        schema["properties"][name]["maxItems"] = most
    return LLMRequest(
        task=Task.RESEARCH,
        messages=(system, ask),
        max_tokens=max(_MIN_TOKENS, text_max_tokens(words)),
        temperature=show.llm.temperature,
        json_schema=schema,
        schema_name="research_brief",
        episode_id=request.episode_id,
        stage="research",
        web_search=search,
    )


def _web_search(show: Show) -> WebSearch | None:
    settings = show.research
    # The embedded model cannot search: asking it would only make the notes claim a search happened.
    if not settings.web or show.llm.provider == "local":
        return None
    return WebSearch(max_results=settings.max_results, via=settings.via)


def parse(
    draft: BriefDraft,
    responses: Iterable[LLMResponse],
    request: LLMRequest,
    sources: Sequence[SourceDoc],
) -> ResearchBrief:
    """The brief: the model's text, the pages the provider cited (once each), and its sourcing line."""
    cited: dict[str, Citation] = {}
    for response in responses:
        for citation in response.citations:
            cited.setdefault(citation.url, _trimmed(citation))
    found = tuple(cited.values())
    return ResearchBrief(
        summary=draft.summary,
        key_facts=draft.key_facts,
        angles=draft.angles,
        open_questions=draft.open_questions,
        sources=found,
        sourcing=sourcing_line(
            web_asked=request.web_search is not None, web_pages=len(found), documents=len(sources)
        ),
    )


def _trimmed(citation: Citation) -> Citation:
    passage = " ".join(citation.passage.split())
    if len(passage) > _PASSAGE_CHARS:
        passage = passage[: _PASSAGE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return citation.model_copy(update={"passage": passage})


def sourcing_line(*, web_asked: bool, web_pages: int, documents: int) -> str:
    """One line saying what research rested on, for the writers and the show notes."""
    docs = "the documents provided" if documents else ""
    if web_pages:
        pages = f"{web_pages} web page{'s' if web_pages != 1 else ''} found by web research"
        return f"Sources: {pages}" + (f", and {docs}." if docs else ".")
    if web_asked:
        return f"Sources: {docs or 'none'}; web research found no pages to cite."
    if docs:
        return "Sources: the documents provided; no web research."
    return "Sources: none; no web research (written from the model's general knowledge)."


def document_sources(sources: Sequence[SourceDoc]) -> tuple[Citation, ...]:
    """The documents given, as sources for the show notes: a web document keeps its URL, a local
    file only its title (its path means nothing to a listener and may be private)."""
    listed: list[Citation] = []
    for doc in sources:
        web = doc.origin.startswith(("http://", "https://"))
        listed.append(Citation(url=doc.origin if web else "", title=doc.title))
    return tuple(listed)
