"""The queue, costs, shows and runs pages through the app."""

from __future__ import annotations

import json

from podwright.core import EpisodeRequest, JobState
from podwright.store.jobs import JobStore
from tests.web.support import Site, signed_in


def _jobs(site: Site) -> JobStore:
    jobs = JobStore(site.studio.conn)
    for i in range(3):
        request = EpisodeRequest(episode_id=f"job-{i}", topic=f"Topic number {i}", target_minutes=5)
        jobs.add(request, str(site.show_file), review=False, estimate_audio_s=300.0, rtf=0.05)
    jobs.claim("job-2", "worker-a", 60.0)
    jobs.fail_attempt("job-2", "worker-a", "the voice server went away", max_attempts=1)
    return jobs


async def test_the_queue_groups_jobs_shows_reasons_cancels_and_reorders(site: Site) -> None:
    jobs = _jobs(site)
    async with signed_in(site) as (client, csrf):
        page = await client.get("/queue")
        assert page.status_code == 200
        assert "queued: 2" in page.text and "failed: 1" in page.text
        assert "Reason: the voice server went away" in page.text and "worker-a" in page.text
        moved = await client.post("/queue/job-1/priority", data={"priority": "7", "csrf": csrf})
        assert moved.status_code == 303 and jobs.get("job-1").priority == 7
        bad = await client.post("/queue/job-1/priority", data={"priority": "12", "csrf": csrf})
        assert bad.status_code == 400 and "out of range" in bad.text and jobs.get("job-1").priority == 7
        gone = await client.post("/queue/job-0/cancel", data={"csrf": csrf})
        assert gone.status_code == 303 and jobs.get("job-0").state is JobState.CANCELLED
        again = await client.post("/queue/job-0/cancel", data={"csrf": csrf})
        assert again.status_code == 400 and "already cancelled" in again.text


async def test_costs_show_dollars_by_day_show_episode_and_stage(site: Site) -> None:
    show = site.studio.load_show(site.show_file)
    scripted = await site.studio.write_script(show, topic="Why the night sky is dark", minutes=1)
    async with signed_in(site) as (client, _):
        page = await client.get("/costs")
        episode = await client.get(f"/e/{scripted.episode.key}")
    assert page.status_code == 200
    for title in ("Dollars per day", "per show", "per episode", "per stage"):
        assert title in page.text
    assert (
        "curious-minutes" in page.text and scripted.episode.episode_id in page.text and "outline" in page.text
    )
    assert "Cost by stage" in episode.text and "segment-1" in episode.text


async def test_progress_streams_as_server_sent_events(site: Site) -> None:
    async with signed_in(site) as (client, csrf):
        started = await client.post(f"/e/{'x'}/y/approve", data={"csrf": csrf})
        assert started.status_code == 404
        show = site.studio.load_show(site.show_file)
        key = (await site.studio.write_script(show, topic="Stars", minutes=1)).episode.key
        rewrite = await client.post(f"/e/{key}/segments/0/rewrite", data={"csrf": csrf})
        run_id = rewrite.headers["location"].rsplit("/", 1)[1]
        events = []
        async with client.stream("GET", f"/runs/{run_id}/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line[6:]))
        page = await client.get(f"/runs/{run_id}")
    assert [event["kind"] for event in events] == ["stage", "stage", "done"]
    assert events[-1]["episode"] == key
    assert page.status_code == 200 and "rewrite segment 1" in page.text


async def test_a_show_is_made_from_the_starter_and_its_hosts_edited(site: Site) -> None:
    async with signed_in(site) as (client, csrf):
        made = await client.post("/shows", data={"name": "Night Owls", "slug": "night-owls", "csrf": csrf})
        assert made.status_code == 303
        twice = await client.post("/shows", data={"name": "Night Owls", "slug": "night-owls", "csrf": csrf})
        assert twice.status_code == 400 and "exists already" in twice.text
        bad_slug = await client.post("/shows", data={"name": "X", "slug": "../etc", "csrf": csrf})
        assert bad_slug.status_code == 400 and "not a show slug" in bad_slug.text
        saved = await client.post(
            "/shows/night-owls/hosts",
            data={"csrf": csrf, "h0_name": "Mia", "h0_persona": 'Asks "why" a lot.', "h1_name": "Jo"},
        )
        assert saved.status_code == 303, saved.text
        page = await client.get("/shows/night-owls")
    show = site.studio.load_show(site.shows / "night-owls.toml")
    assert [host.name for host in show.hosts] == ["Mia", "Jo"] and show.hosts[
        0
    ].persona == 'Asks "why" a lot.'
    assert (
        show.name == "Night Owls"
        and show.hosts[0].voices == site.studio.load_show(site.show_file).hosts[0].voices
    )
    assert "Audition" in page.text and 'value="Mia"' in page.text
    text = (site.shows / "night-owls.toml").read_text(encoding="utf-8")
    assert "[lexicon]" in text and "# The segment flow" in text  # the rest of the file is as it was


async def test_render_sessions_are_labelled_timelines_with_utilization(site: Site) -> None:
    from podwright.core import Tier
    from podwright.core.jobs import AttemptOutcome, SessionEpisode
    from podwright.store.sessions import SessionStore

    clock = iter([100.0, 160.0]).__next__
    sessions = SessionStore(site.studio.conn, clock=clock)
    session = sessions.open("worker-a", "cpu")
    sessions.add_cold_start(session, 6.0)
    sessions.record_episode(
        SessionEpisode(
            session_id=session,
            job_id="night-sky",
            tier=Tier.DRAFT,
            started_at=106.0,
            ended_at=151.0,
            audio_s=120.0,
            compute_s=40.0,
            estimate_compute_s=42.0,
            outcome=AttemptOutcome.OK,
        )
    )
    sessions.add_idle(session, 9.0)
    sessions.close(session, "idle")
    async with signed_in(site) as (client, _):
        page = await client.get("/costs")
    assert page.status_code == 200
    assert "cold start 6.0 s" in page.text and "night-sky (draft)" in page.text and "idle 9.0 s" in page.text
    assert f"Session {session} on cpu" in page.text and "utilization" in page.text
