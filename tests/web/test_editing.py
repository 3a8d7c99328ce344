"""The script editor and bad input through the app: clear messages, nothing half-saved."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from podwright.core import EpisodeState
from tests.web.support import Site, signed_in


async def _episode(site: Site) -> tuple[str, Path]:
    show = site.studio.load_show(site.show_file)
    scripted = await site.studio.write_script(show, topic="Why the night sky is dark", minutes=1)
    return scripted.episode.key, Path(scripted.episode.folder)


async def test_line_edits_change_the_script_and_nothing_else(site: Site) -> None:
    key, folder = await _episode(site)
    before = site.studio.editing.script(key)[1]
    async with signed_in(site) as (client, csrf):
        headers = {"X-CSRF-Token": csrf}
        edited = await client.post(
            f"/e/{key}/lines/1/0", data={"text": "Dark skies, bright idea.", "host": "joe"}, headers=headers
        )
        assert edited.status_code == 200 and edited.json()["ok"]
        added = await client.post(
            f"/e/{key}/segments/1/insert",
            data={"before": "1", "host": "maya", "text": "Wait, why?"},
            headers=headers,
        )
        assert added.status_code == 200
        gone = await client.post(f"/e/{key}/lines/2/0/delete", headers=headers)
        assert gone.status_code == 200
        page = await client.get(f"/e/{key}")
        assert "Dark skies, bright idea." in page.text and "Wait, why?" in page.text
    after = site.studio.editing.script(key)[1]
    assert (
        after.segments[1].turns[0].text == "Dark skies, bright idea."
        and after.segments[1].turns[0].host == "joe"
    )
    assert after.segments[1].turns[1].text == "Wait, why?"
    assert len(after.segments[1].turns) == len(before.segments[1].turns) + 1
    assert len(after.segments[2].turns) == len(before.segments[2].turns) - 1
    assert after.segments[0] == before.segments[0]
    assert "Dark skies, bright idea." in (folder / "script.md").read_text(encoding="utf-8")


async def test_bad_input_gets_a_clear_message_and_leaves_the_episode_untouched(site: Site) -> None:
    key, folder = await _episode(site)
    script_bytes = (folder / "script.json").read_bytes()
    async with signed_in(site) as (client, csrf):
        headers = {"X-CSRF-Token": csrf}
        unknown = await client.post(
            f"/e/{key}/lines/1/0", data={"text": "Hi", "host": "zoe"}, headers=headers
        )
        assert unknown.status_code == 400 and "unknown speaker 'zoe'" in unknown.json()["error"]
        empty_line = await client.post(f"/e/{key}/lines/1/0", data={"text": "   "}, headers=headers)
        assert empty_line.status_code == 400 and "must say something" in empty_line.json()["error"]
        no_line = await client.post(f"/e/{key}/lines/1/99", data={"text": "Hi"}, headers=headers)
        assert no_line.status_code == 400 and "there is no line 100" in no_line.json()["error"]
        assert (folder / "script.json").read_bytes() == script_bytes

        empty_topic = await client.post(
            "/new",
            data={"show": "curious-minutes", "topic": "  ", "minutes": "1", "tier": "draft", "csrf": csrf},
        )
        assert empty_topic.status_code == 400 and "needs a topic or a source" in empty_topic.text
        unsupported = await client.post(
            "/new",
            data={"show": "curious-minutes", "topic": "x", "minutes": "1", "tier": "draft", "csrf": csrf},
            files={"upload": ("slides.pptx", b"PK\x03\x04", "application/octet-stream")},
        )
        assert unsupported.status_code == 400 and "unsupported upload type" in unsupported.text
        assert site.app.state.web.runs.runs == {}

        site.studio.book.fail(key, "the voice server went away", actor="test")
        approve = await client.post(f"/e/{key}/approve", data={"csrf": csrf})
        assert approve.status_code == 400 and "is failed: there is no draft to approve" in approve.text
    record = site.studio.episode(key)
    assert record.state is EpisodeState.FAILED and record.approved_at is None
    assert (folder / "script.json").read_bytes() == script_bytes


async def test_the_estimate_comes_before_anything_is_paid(site: Site) -> None:
    async with signed_in(site) as (client, csrf):
        answer = await client.post(
            "/estimate",
            data={"show": "curious-minutes", "minutes": "5", "tier": "draft"},
            headers={"X-CSRF-Token": csrf},
        )
    assert answer.status_code == 200
    guess = answer.json()
    assert guess["llm_calls"] == 10 and guess["llm_tokens"] > 1000 and guess["llm_usd"] > 0
    assert guess["audio_s"] == 300 and guess["render_s"] > 0
    assert site.llm.requests == []


async def test_a_segment_is_written_again_by_the_llm(site: Site) -> None:
    key, _ = await _episode(site)
    calls = len(site.llm.requests)
    async with signed_in(site) as (client, csrf):
        response = await client.post(f"/e/{key}/segments/1/rewrite", data={"csrf": csrf})
        assert response.status_code == 303
        run = site.app.state.web.runs.get(response.headers["location"].rsplit("/", 1)[1])
        for _ in range(400):
            if run.state != "running":
                break
            await asyncio.sleep(0.05)
    assert run.state == "done", run.events
    assert len(site.llm.requests) == calls + 1
    assert site.llm.requests[-1].body["response_format"]["json_schema"]["name"] == "dialogue"


@pytest.mark.slow
async def test_a_line_is_voiced_alone_and_cached_for_the_render(site: Site) -> None:
    key, _ = await _episode(site)
    async with signed_in(site) as (client, csrf):
        await client.post(
            f"/e/{key}/lines/0/0", data={"text": "A brand new opening line."}, headers={"X-CSRF-Token": csrf}
        )
        audio = await client.get(f"/e/{key}/lines/0/0/audio?tier=draft")
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
        assert audio.content[:4] == b"RIFF" and len(audio.content) > 10_000
        assert (await client.get(f"/e/{key}/voiced?tier=draft")).json()["segments"] == [] or len(
            site.studio.editing.script(key)[1].segments[0].turns
        ) == 1
        # Every line of the intro heard: the intro is playable on its own, the rest is not yet.
        for line in range(len(site.studio.editing.script(key)[1].segments[0].turns)):
            assert (await client.get(f"/e/{key}/lines/0/{line}/audio?tier=draft")).status_code == 200
        assert (await client.get(f"/e/{key}/voiced?tier=draft")).json()["segments"] == [0]
        intro = await client.get(f"/e/{key}/segments/0/audio?tier=draft")
        assert intro.status_code == 200 and intro.content[:4] == b"RIFF"
        first = await client.get("/shows/curious-minutes/audition/maya?tier=draft")
        cached = site.studio.editing.audition(site.studio.load_show(site.show_file), "maya")
        assert first.content[:4] == b"RIFF" and first.content == cached  # the sample comes from the cache
        later = await client.get(
            f"/e/{key}/segments/1/audio?tier=draft", headers={"Accept": "application/json"}
        )
        assert later.status_code == 404 and "not voiced yet" in later.json()["error"]
