"""A studio web app on a test's own data dir, writing through the loopback LLM server."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from podwright.app import Studio
from podwright.config import load_show, resolve_settings
from podwright.web.app import create_app
from tests.support.fake_openai import FakeChatServer
from tests.support.loopback_show import answer_any_stage, loopback_show_file

SECRET_KEY = "sk-test-never-shown-4242"


@dataclass
class Site:
    """The app, its studio, its start token and the loopback LLM server behind it."""

    app: object
    studio: Studio
    token: str
    shows: Path
    llm: FakeChatServer

    @property
    def show_file(self) -> Path:
        return self.shows / "curious-minutes.toml"


def make_site(
    tmp_path: Path, *, public_url: str = "http://testserver", max_upload: int | None = None
) -> Iterator[Site]:
    """Yield a site; the caller's monkeypatch must set OPENROUTER_API_KEY to :data:`SECRET_KEY`."""
    with FakeChatServer(answer_any_stage) as server:
        shows = tmp_path / "shows"
        shows.mkdir()
        loopback_show_file(shows, server.base_url, name="curious-minutes.toml")
        settings = dataclasses.replace(resolve_settings(out_root=tmp_path / "out"), private_sources=False)
        studio = Studio(settings, show_loader=load_show)
        extra = {"max_upload_bytes": max_upload} if max_upload else {}
        app = create_app(studio, shows_dir=shows, public_url=public_url, **extra)
        token = app.state.web.locks.start_token
        yield Site(app=app, studio=studio, token=token, shows=shows, llm=server)
        studio.close()


@contextlib.asynccontextmanager
async def signed_in(site: Site) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client holding the session cookie, and the session's CSRF token."""
    transport = httpx.ASGITransport(app=site.app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get(f"/episodes?token={site.token}", follow_redirects=True)
        assert response.status_code == 200, response.text
        yield client, csrf_of(response.text)


def csrf_of(page: str) -> str:
    match = re.search(r'<meta name="csrf" content="([0-9a-f]+)">', page)
    assert match, "no CSRF token on the page"
    return match.group(1)
