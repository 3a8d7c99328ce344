"""The embedded writer on a real multi-page PDF, at 3 and 5 minutes: every run ends with a valid script.

The small local model is deterministic, so a cap that cuts its JSON cuts it on every run: answers
cut at ``max_tokens`` must be re-asked with a larger cap, never parsed. The PDF is kept under the
digest threshold (three pages, research reads it whole) so the two runs stay as short as the
embedded model allows on two cores; the digest stage's answers go through the same cap handling.
The runs share one store, so the 5-minute run replays whatever the 3-minute run already asked.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from podwright.core import EpisodeRequest, Script
from podwright.llm.local import assemble_model
from podwright.pipeline.clients import build_llm_client
from podwright.pipeline.episode import write_episode_script
from podwright.sources.ingest import ingest
from podwright.store.db import connect
from podwright.store.ledger import SQLiteLedger
from podwright.store.responses import SQLiteAnswers
from tests.stages.shows import starter_show
from tests.support.pdf import write_pdf

_FACTS = [
    "Tides rise and fall twice a day because the Moon's gravity pulls harder on the near side of "
    "the Earth than on its far side, stretching the oceans into two bulges.",
    "The Sun adds its own, weaker pull: when Sun and Moon line up at new and full moon the bulges "
    "add into spring tides, and at the quarter moons they partly cancel into neap tides.",
    "In the Bay of Fundy the funnel shape of the bay and a natural sloshing period close to twelve "
    "and a half hours make the water rise by more than fifteen metres.",
    "Tidal friction slowly brakes the Earth's spin, lengthening the day by about two milliseconds "
    "a century, while the Moon drifts away by almost four centimetres a year.",
    "Harbour pilots read tide tables computed from dozens of harmonic constituents, each a sine "
    "wave tied to one cycle of the Moon or Sun, fitted to years of gauge records.",
    "Tidal power stations such as La Rance in France have turned the rising and falling water "
    "into electricity since 1966, with turbines that work in both directions.",
]


def _pages(count: int) -> list[str]:
    """Distinct prose per page: the facts, rotated and numbered, so no two pages read the same."""
    pages = []
    for page in range(count):
        facts = _FACTS[page % len(_FACTS) :] + _FACTS[: page % len(_FACTS)]
        paragraphs = [f"Section {page + 1}.{n + 1}. {fact}" for n, fact in enumerate(facts * 5)]
        pages.append("\n\n".join(paragraphs))
    return pages


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for both runs: the second replays the shared digests from the response cache."""
    return tmp_path_factory.mktemp("local-pdfs") / "podwright.db"


@pytest.mark.slow
@pytest.mark.long
@pytest.mark.parametrize("minutes", [3.0, 5.0])
def test_the_embedded_writer_finishes_scripts_from_multi_page_pdfs(
    minutes: float, store: Path, tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    pytest.importorskip("llama_cpp", reason="needs podwright[local]")
    assert pytestconfig.cache is not None
    models = pytestconfig.cache.mkdir("podwright-models")
    assemble_model(models)
    pdf = write_pdf(tmp_path / "tides.pdf", _pages(3), title="How the tides work")
    doc = ingest(str(pdf))
    assert doc.text.count("Section 3.") > 0  # all three pages were read
    show = starter_show()
    conn = connect(store)
    try:
        client = build_llm_client(
            show,
            offline=True,
            api_key=None,
            models_dir=models,
            ledger=SQLiteLedger(conn),
            answers=SQLiteAnswers(conn),
        )
        request = EpisodeRequest(episode_id=f"tides-{minutes:g}", sources=(str(pdf),), target_minutes=minutes)
        folder, result = asyncio.run(
            write_episode_script(show, request, client=client, out_root=tmp_path / "out", sources=[doc])
        )
    finally:
        conn.close()
    script = Script.model_validate_json((folder / "script.json").read_text(encoding="utf-8"))
    assert [s.kind for s in script.segments] == ["intro", "setup", "deep_dive", "takeaways", "conclusion"]
    assert all(segment.turns for segment in script.segments)
    assert script.word_count > 0.3 * minutes * show.words_per_minute
    # Every answer the parser saw was whole: a cut one was re-asked with a larger cap first.
    assert result.run.answers == result.run.calls - result.run.retries
    with sqlite3.connect(store) as ledger:
        rows = ledger.execute(
            "SELECT COUNT(*), COALESCE(SUM(error_class IS NOT NULL), 0) FROM llm_calls WHERE episode_id = ?",
            (request.episode_id,),
        ).fetchone()
    assert rows == (result.run.calls, 0)
