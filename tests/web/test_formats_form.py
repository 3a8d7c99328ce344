"""The studio offers the built-in formats: for a new show, and for a new episode of any show."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from podwright.config import load_show
from podwright.core import Script
from podwright.core.formats import format_named, format_names
from tests.web.support import Site, signed_in


async def test_the_studio_offers_the_formats_for_a_new_show_and_a_new_episode(site: Site) -> None:
    async with signed_in(site) as (client, csrf):
        page = await client.get("/new")
        assert all(f'value="format:{name}"' in page.text for name in format_names())
        made = await client.post(
            "/shows", data={"name": "Both Sides", "slug": "both-sides", "format": "debate", "csrf": csrf}
        )
        assert made.status_code == 303
        shown = await client.get("/shows/both-sides")
        assert "The built-in <strong>debate</strong> format" in shown.text and "Argues FOR" in shown.text
        form: dict[str, Any] = {"show": "curious-minutes", "topic": "Tides", "minutes": "1", "tier": "draft"}
        bad = await client.post("/new", data={**form, "template": "format:panel", "csrf": csrf})
        assert bad.status_code == 400 and "unknown format &#39;panel&#39;" in bad.text
        started = await client.post("/new", data={**form, "template": "format:interview", "csrf": csrf})
        assert started.status_code == 303
        run = site.app.state.web.runs.runs[started.headers["location"].rsplit("/", 1)[1]]  # type: ignore[attr-defined]
        while run.episode_key is None and run.state == "running":
            await asyncio.sleep(0.05)
        run.stop.set()  # the script is what this test reads: stop the render it goes on to
        with contextlib.suppress(BaseException):
            await run.task
    assert run.episode_key is not None, run.error
    assert load_show(site.shows / "both-sides.toml").format == "debate"
    folder = Path(site.studio.episode(run.episode_key).folder)
    script = Script.model_validate_json((folder / "script.json").read_text())
    assert [s.kind for s in script.segments][1:-1] == [s.kind for s in format_named("interview").segments]
    assert "guest" in json.loads((folder / "show.json").read_text())["roles"]["joe"]
