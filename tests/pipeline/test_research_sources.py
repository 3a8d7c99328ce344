"""Research with sources, end to end on the loopback server: the web search OpenRouter runs, the pages
it cites, and those pages in the brief, the outline, the writers' prefix, script.json, show_notes.md,
youtube.json and the feed item — and, without web research, the notes that say so."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import feedparser
import pytest

from podwright import Studio, Tier
from podwright.config import show_from_toml
from podwright.core import ConfigError, ResearchSettings, SourceDoc
from podwright.pipeline.script import ScriptPipeline
from tests.stages.shows import episode, starter_show
from tests.support.fake_openai import FakeChatServer, WebPage
from tests.support.loopback_show import loopback_show_file
from tests.support.script_responder import script_responder
from tests.support.scripted_llm import ScriptedLLM

PAGES = [
    WebPage(
        url="https://tides.example/moon",
        title="How the Moon makes tides",
        content="The Moon's gravity pulls the ocean into two bulges, one facing it and one opposite.",
    ),
    WebPage(
        url="https://tides.example/spring",
        title="Spring and neap tides",
        content="When Sun and Moon line up, their pulls add: spring tides are the highest.",
    ),
    WebPage(
        url="https://tides.example/bays", title="Why bays differ", content="A bay's shape can amplify tides."
    ),
]


def _requests_named(server: FakeChatServer, schema: str) -> list[dict[str, object]]:
    return [
        r.body
        for r in server.requests
        if r.body.get("response_format", {}).get("json_schema", {}).get("name") == schema
    ]


def _text(body: dict[str, object]) -> str:
    return json.dumps(body["messages"], ensure_ascii=False)


@pytest.mark.slow
async def test_web_sources_reach_the_script_show_notes_youtube_and_the_feed(
    studio: Studio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "test-key")
    with FakeChatServer(script_responder(starter_show()), web_pages=PAGES) as server:
        path = loopback_show_file(tmp_path, server.base_url)
        path.write_text(
            path.read_text() + "allow_draft_publishing = true\n\n[research]\nweb = true\nmax_results = 3\n"
        )
        show = studio.load_show(path)
        produced = await studio.produce(show, topic="Tides", minutes=0.5, tier=Tier.DRAFT, episode_id="tides")
        [research] = _requests_named(server, "research_brief")
        [outline] = _requests_named(server, "outline")
        segments = _requests_named(server, "dialogue")
        others = [r.body for r in server.requests if r.body is not research]

    # Only research searches the web, with the show's result count.
    assert research["plugins"] == [{"id": "web", "max_results": 3}]
    assert all("plugins" not in body for body in others)
    # The outline and every writer's prefix are written from the cited pages, passages included.
    for body in (outline, *segments[:3]):
        for page in PAGES:
            assert page.url in _text(body) and page.content in _text(body)
    assert "3 web pages found by web research" in _text(outline)

    folder = Path(produced.episode.folder)
    script = json.loads((folder / "script.json").read_text())
    assert [(s["url"], s["title"], s["passage"]) for s in script["sources"]] == [
        (p.url, p.title, p.content) for p in PAGES
    ]
    notes = (folder / "show_notes.md").read_text()
    assert "Sources: 3 web pages found by web research." in notes
    assert f"- {PAGES[0].title} — {PAGES[0].url}" in notes
    assert "## Sources" in (folder / "script.md").read_text()

    youtube = json.loads(studio.write_youtube(folder, Tier.DRAFT).read_text())
    assert all(page.url in youtube["description"] for page in PAGES)
    assert youtube["description"].index(PAGES[2].url) < youtube["description"].index("Chapters:")

    studio.approve(folder)
    studio.publish(folder, Tier.DRAFT)
    feed = feedparser.parse(
        studio.write_feed("curious-minutes", base_url="https://cdn.example/").read_bytes()
    )
    [entry] = feed.entries
    assert all(page.url in entry.description for page in PAGES)
    assert "Sources: 3 web pages" in entry.description


async def test_without_web_research_the_notes_say_the_documents_alone_were_used(tmp_path: Path) -> None:
    show = starter_show()
    doc = SourceDoc(origin=str(tmp_path / "private" / "tides.md"), title="Tide tables", text="High at 6.")
    web_doc = SourceDoc(origin="https://example.com/tides", title="Tides online", text="Low at noon.")
    llm = ScriptedLLM(show.host_ids)
    result = await ScriptPipeline(llm, show).write(episode(), [doc, web_doc])
    research = next(r for r in llm.requests if r.stage == "research")
    assert research.web_search is None
    assert result.brief.sourcing == "Sources: the documents provided; no web research."
    script = result.script
    # A local document is listed by its title only: its path is nobody's business.
    assert [(s.url, s.title) for s in script.sources] == [
        ("", "Tide tables"),
        (web_doc.origin, "Tides online"),
    ]
    outline = next(r for r in llm.requests if r.stage == "outline")
    assert "no web research" in outline.messages[-1].content


async def test_web_research_off_when_offline_even_if_the_show_asks() -> None:
    show = starter_show().model_copy(
        update={"research": starter_show().research.model_copy(update={"web": True})}
    )
    llm = ScriptedLLM(show.host_ids)
    # The starter show writes with the embedded model: it cannot search, so nothing asks it to.
    result = await ScriptPipeline(llm, show).write(episode())
    assert next(r for r in llm.requests if r.stage == "research").web_search is None
    assert "no web research" in result.script.sourcing
    remote = show.model_copy(update={"llm": show.llm.model_copy(update={"provider": "openai_compat"})})
    llm = ScriptedLLM(show.host_ids)
    await ScriptPipeline(llm, remote, web=False).write(episode())
    assert next(r for r in llm.requests if r.stage == "research").web_search is None
    llm = ScriptedLLM(show.host_ids)
    result = await ScriptPipeline(llm, remote).write(episode())
    assert next(r for r in llm.requests if r.stage == "research").web_search is not None
    # Asked, but this fake provider found nothing: the notes say so rather than claim sources.
    assert result.script.sourcing == "Sources: none; web research found no pages to cite."


def test_the_estimate_counts_the_search_and_the_sources_it_adds(studio: Studio) -> None:
    show = starter_show()
    remote = show.model_copy(update={"llm": show.llm.model_copy(update={"provider": "openai_compat"})})
    searching = remote.model_copy(update={"research": ResearchSettings(web=True, max_results=5)})
    plain = studio.estimate(remote, minutes=5, tier=Tier.DRAFT)
    web = studio.estimate(searching, minutes=5, tier=Tier.DRAFT)
    offline = studio.estimate(searching, minutes=5, tier=Tier.DRAFT, offline=True)
    assert plain.llm_usd is not None and web.llm_usd is not None
    # The outline and the three segment calls each carry five sources' worth of prompt.
    assert web.llm_input_tokens - plain.llm_input_tokens == 4 * 5 * 120
    assert web.llm_usd - plain.llm_usd > 5 * 0.004
    assert offline.llm_usd == studio.estimate(show, minutes=5, tier=Tier.DRAFT).llm_usd == 0


def test_research_settings_are_read_and_checked_in_the_show_file() -> None:
    starter = files("podwright").joinpath("data/starter_show.toml").read_text(encoding="utf-8")
    show = show_from_toml(starter + '\n[research]\nweb = true\nmax_results = 8\nvia = "online"\n')
    assert show.research == ResearchSettings(web=True, max_results=8, via="online")
    assert show_from_toml(starter).research.web is False
    with pytest.raises(ConfigError, match=r"show.toml: research.max_results: Input should be less than"):
        show_from_toml(starter + "\n[research]\nmax_results = 99\n", origin="show.toml")
