"""Lines take QA flagged show on the episode page, and publishing them needs the explicit override."""

from __future__ import annotations

import json
from pathlib import Path

from podwright.core import EpisodeState, Tier
from tests.studio.episodes import write_episode_folder
from tests.web.support import Site, signed_in

FLAGGED = {
    "segment": 1,
    "turn": 0,
    "host": "maya",
    "text": "Let's talk about Welcome.",
    "heard": "lets walk a bout well come",
    "problems": ["words"],
    "takes": 3,
    "flagged": True,
}


def _flagged_final(site: Site) -> str:
    show_dir = site.studio.settings.out_root / "curious-minutes"
    folder = write_episode_folder(show_dir, "ep-qa", tiers=(Tier.DRAFT, Tier.FINAL))
    qa = {"checked": True, "model": "whisper-base", "compute_s": 1.0, "retakes": 2, "lines": [FLAGGED]}
    run = {"renders": {"final": {"tier": "final", "qa": qa}}}
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    record = site.studio.episode(folder)
    site.studio.approve(record.key)
    return record.key


async def test_flagged_lines_are_shown_and_publishing_them_is_explicit(site: Site) -> None:
    key = _flagged_final(site)
    assert site.studio.qa(key, Tier.FINAL).flagged
    async with signed_in(site) as (client, csrf):
        page = await client.get(f"/e/{key}")
        assert "Take QA flagged 1 line(s) in the final render" in page.text
        assert "lets walk a bout well come" in page.text and 'id="allow-flagged"' in page.text
        refused = await client.post(f"/e/{key}/publish", data={"csrf": csrf})
        assert refused.status_code == 400 and "flagged" in refused.text
        assert site.studio.episode(key).state is EpisodeState.FINAL_RENDERED
        accepted = await client.post(f"/e/{key}/publish", data={"csrf": csrf, "allow_flagged": "yes"})
        assert accepted.status_code in (200, 303), accepted.text
    assert site.studio.episode(key).state is EpisodeState.PUBLISHED
    assert Path(site.studio.episode(key).folder, "..", "feed.xml").resolve().is_file()
