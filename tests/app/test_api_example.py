"""docs/api.md's example, run as written against the loopback LLM server and the offline voices."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest

from podwright.core import EpisodeState, Tier
from podwright.store.db import connect
from podwright.store.episodes import SQLiteEpisodeBook
from tests.support.fake_openai import FakeChatServer
from tests.support.loopback_show import answer_any_stage, loopback_show_file

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return blocks[0]


def test_the_example_is_short() -> None:
    lines = [
        line for line in _example().splitlines() if line.strip() and not line.startswith(("import", "from"))
    ]
    assert len(lines) < 20


@pytest.mark.slow
def test_the_api_example_makes_a_published_episode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, podwright_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-test")
    with FakeChatServer(answer_any_stage) as server:
        loopback_show_file(tmp_path, server.base_url, name="myshow.toml")
        exec(compile(_example(), str(DOC), "exec"), {"__name__": "__main__"})
        assert len(server.requests) == 10
    printed = capsys.readouterr().out
    assert "published" in printed
    book = SQLiteEpisodeBook(connect(podwright_home / "podwright.db"))
    [record] = book.find()
    assert record.state is EpisodeState.PUBLISHED and record.published_tier is Tier.FINAL
    folder = Path(record.folder)
    assert (folder / "draft" / "episode.mp3").is_file() and (folder / "final" / "episode.mp3").is_file()
    assert set(record.renders) == {Tier.DRAFT, Tier.FINAL}
    for render in record.renders.values():
        assert render.audio_s > 0 and render.cost_usd == 0.0 and render.files
    # The starter show speaks both tiers with the same offline voices: the final found every chunk cached.
    assert record.renders[Tier.DRAFT].compute_s > 0 and record.renders[Tier.FINAL].compute_s == 0
    parsed = feedparser.parse((folder.parent / "feed.xml").read_bytes())
    assert parsed.entries[0].enclosures[0].href.endswith("/final/episode.mp3")
    steps = [(event.from_state, event.to_state) for event in book.events(record.key)]
    assert steps == [
        (None, EpisodeState.SCRIPTED),
        (EpisodeState.SCRIPTED, EpisodeState.DRAFT_RENDERED),
        (EpisodeState.DRAFT_RENDERED, EpisodeState.APPROVED),
        (EpisodeState.APPROVED, EpisodeState.FINAL_RENDERED),
        (EpisodeState.FINAL_RENDERED, EpisodeState.PUBLISHED),
    ]
