"""Cancelling a run stops its synthesis in the worker thread: nothing is packaged or recorded after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from podwright.core import Cancelled, EpisodeState, Tier
from podwright.web.pages import render_with_progress
from podwright.web.runs import Run
from tests.web.support import Site


@pytest.mark.slow
async def test_a_cancelled_render_stops_before_packaging_and_records_nothing(site: Site) -> None:
    show = site.studio.load_show(site.show_file)
    scripted = await site.studio.write_script(show, topic="Why the night sky is dark", minutes=1)
    key, folder = scripted.episode.key, Path(scripted.episode.folder)
    run = Run(id="r1", what="render")
    events: list[str] = []

    def report(kind: str, **data: object) -> None:
        events.append(kind)
        if kind == "voiced" and not run.stop.is_set():
            run.stop.set()  # the producer presses Cancel while the first chunks are being voiced

    web = site.app.state.web  # type: ignore[attr-defined]
    with pytest.raises(Cancelled):
        await render_with_progress(web, run, report, key, Tier.DRAFT)
    assert not (folder / "draft" / "episode.mp3").exists()
    record = site.studio.episode(key)
    assert record.state is EpisodeState.SCRIPTED and record.renders == {}
    assert events.count("voiced") == 1  # it stopped at the next batch, not after the episode
