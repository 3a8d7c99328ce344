"""The studio's locks, one test each: token, cookie, CSRF, uploads, downloads, SSRF, keys, --host."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from podwright.core import Tier
from tests.web.support import SECRET_KEY, Site, csrf_of, signed_in


async def _episode(site: Site) -> str:
    show = site.studio.load_show(site.show_file)
    scripted = await site.studio.write_script(show, topic="Why the night sky is dark", minutes=1)
    return scripted.episode.key


async def _scripted_then_cancel(site: Site, run_id: str) -> None:
    """Wait for the run's script (no need to hear it here), then cancel its render."""
    runs = site.app.state.web.runs
    run = runs.get(run_id)
    for _ in range(1200):
        if run.state != "running" or any(e["kind"] == "scripted" for e in run.events):
            break
        await asyncio.sleep(0.05)
    runs.cancel(run_id)
    await asyncio.sleep(0)
    assert any(e["kind"] == "scripted" for e in run.events), run.events


async def test_every_page_needs_the_start_token_once(site: Site) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=site.app), base_url="http://testserver"
    ) as c:
        for path in ("/episodes", "/shows", "/queue", "/costs", "/new"):
            assert (await c.get(path)).status_code == 401
        assert (await c.get("/estimate")).status_code == 401
        assert (await c.get("/episodes?token=wrong")).status_code == 403
        first = await c.get(f"/episodes?token={site.token}")
        assert first.status_code == 303 and "podwright_session" in first.headers["set-cookie"]
        assert "httponly" in first.headers["set-cookie"].lower()
        assert "samesite=strict" in first.headers["set-cookie"].lower()
        assert (await c.get("/episodes")).status_code == 200  # the cookie now
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=site.app), base_url="http://testserver"
    ) as c:
        assert (await c.get(f"/episodes?token={site.token}")).status_code == 403  # spent


async def test_forms_and_api_calls_need_the_csrf_token(site: Site) -> None:
    async with signed_in(site) as (client, csrf):
        refused = await client.post("/shows", data={"name": "Night", "slug": "night"})
        assert refused.status_code == 403 and "CSRF" in refused.text
        assert not (site.shows / "night.toml").exists()
        wrong = await client.post("/shows", data={"name": "Night", "slug": "night", "csrf": "0" * 64})
        assert wrong.status_code == 403
        made = await client.post("/shows", data={"name": "Night", "slug": "night", "csrf": csrf})
        assert made.status_code == 303 and (site.shows / "night.toml").is_file()
        api = await client.post("/estimate", data={"show": "night"}, headers={"X-CSRF-Token": "nope"})
        assert api.status_code == 403


async def test_uploads_have_a_size_limit_a_type_check_and_stay_in_their_folder(
    site: Site, tmp_path: Path
) -> None:
    site.app.state.web.max_upload_bytes = 2000
    async with signed_in(site) as (client, csrf):
        form = {"show": "curious-minutes", "minutes": "1", "tier": "draft", "csrf": csrf}
        big = await client.post("/new", data=form, files={"upload": ("notes.txt", b"x" * 5000, "text/plain")})
        assert big.status_code in (400, 413) and "MB" in big.text
        exe = await client.post(
            "/new", data=form, files={"upload": ("tool.exe", b"MZ\x90\x00", "application/x")}
        )
        assert exe.status_code == 400 and "unsupported upload type" in exe.text
        fake_pdf = await client.post(
            "/new", data=form, files={"upload": ("paper.pdf", b"hello", "application/pdf")}
        )
        assert fake_pdf.status_code == 400 and "not a PDF" in fake_pdf.text
        sneaky = await client.post(
            "/new",
            data=form,
            files={"upload": ("../../escape.md", b"# Stars\n\nThe night sky is dark.\n", "text/markdown")},
        )
        assert sneaky.status_code == 303
        await _scripted_then_cancel(site, sneaky.headers["location"].rsplit("/", 1)[1])
    uploads = site.studio.settings.home / "uploads"
    [saved] = list(uploads.rglob("escape.md"))
    assert saved.resolve().is_relative_to(uploads.resolve())
    assert not list(tmp_path.parent.glob("escape.md")) and not list(tmp_path.glob("escape.md"))


async def test_downloads_cannot_traverse_paths(site: Site) -> None:
    key = await _episode(site)
    async with signed_in(site) as (client, _):
        for path in (
            f"/e/{key}/files/draft/..%2F..%2Fscript.json",
            f"/e/{key}/files/draft/../script.json",
            f"/e/{key}/files/draft/script.json",
            f"/e/{key}/images/..%2Fscript.json",
            f"/e/{key}/files/nope/episode.mp3",
        ):
            response = await client.get(path)
            assert response.status_code in (404, 422), path
            assert '"segments"' not in response.text
        outside = await client.get("/s/" + "0" * 32 + f"/{key.split('/')[0]}/../script.json")
        assert outside.status_code != 200 and '"segments"' not in outside.text


async def test_url_sources_refuse_private_loopback_and_link_local_hosts(site: Site) -> None:
    async with signed_in(site) as (client, csrf):
        form = {"show": "curious-minutes", "minutes": "1", "tier": "draft", "csrf": csrf, "topic": "Stars"}
        for url in (
            "http://127.0.0.1:9/page",
            "http://10.0.0.8/x",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
        ):
            response = await client.post("/new", data={**form, "url": url})
            assert response.status_code == 400 and "private, loopback or link-local" in response.text, url
    assert site.app.state.web.runs.runs == {}
    assert site.llm.requests == []


async def test_keys_are_never_shown_or_logged(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    key = await _episode(site)
    async with signed_in(site) as (client, _):
        for path in (
            "/shows",
            "/shows/curious-minutes",
            "/new",
            "/episodes",
            f"/e/{key}",
            "/costs",
            "/queue",
        ):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert SECRET_KEY not in page.text, path
    assert SECRET_KEY not in caplog.text
    # The one place the key goes: the provider's Authorization header.
    assert all(SECRET_KEY not in str(r.body) for r in site.llm.requests)


async def test_share_links_are_signed(site: Site) -> None:
    key = await _episode(site)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=site.app), base_url="http://testserver"
    ) as c:
        assert (await c.get(f"/listen/{'0' * 32}/{key}")).status_code == 403
        assert (await c.get(f"/s/{'0' * 32}/{key.split('/')[0]}/feed.xml")).status_code == 403
        good = site.app.state.web.locks.share(f"episode:{key}")
        assert (await c.get(f"/listen/{good}/{key}")).status_code == 404  # signed, but not published


def test_studio_binds_to_loopback_and_warns_for_another_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from podwright.cli.main import app

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: calls.append(kw))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    local = runner.invoke(app, ["studio", "--port", "8799"])
    assert local.exit_code == 0, local.output
    assert calls[-1]["host"] == "127.0.0.1" and "warning" not in local.output
    assert "http://127.0.0.1:8799/?token=" in local.output
    assert (tmp_path / "shows" / "curious-minutes.toml").is_file()  # the starter, offline as it is
    wide = runner.invoke(app, ["studio", "--host", "0.0.0.0"])
    assert wide.exit_code == 0 and calls[-1]["host"] == "0.0.0.0"
    assert "warning" in wide.output and "other machines" in wide.output


async def test_tier_names_in_paths_are_checked(site: Site) -> None:
    key = await _episode(site)
    async with signed_in(site) as (client, _):
        assert (await client.get(f"/e/{key}/peaks?tier=gold")).status_code == 422
        page = await client.get(f"/e/{key}/peaks?tier={Tier.DRAFT.value}")
        assert page.status_code == 400 and "no draft render" in page.text


def test_csrf_of_finds_the_token() -> None:
    assert csrf_of('<meta name="csrf" content="ab12">') == "ab12"
