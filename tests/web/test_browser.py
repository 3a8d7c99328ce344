"""The whole production loop in a real browser (Debian's Chromium driven by Playwright), against the
loopback LLM server and the offline voices; screenshots of every page go to docs/studio/.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.support import SECRET_KEY, Site, make_site

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "studio"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="needs Debian's chromium (`make test` installs it)"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Site, str]]:
    import uvicorn

    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET_KEY)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    for site in make_site(tmp_path, public_url=url):
        server = uvicorn.Server(uvicorn.Config(site.app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        yield site, url
        server.should_exit = True
        thread.join(timeout=10)


def _shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_the_whole_loop_in_a_browser(served: tuple[Site, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    site, url = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(240_000)
        page.goto(f"{url}/shows?token={site.token}")
        expect(page.get_by_role("link", name="Curious Minutes")).to_be_visible()
        _shot(page, "shows")
        page.get_by_role("link", name="Curious Minutes").click()
        expect(page.get_by_role("button", name="Save hosts")).to_be_visible()
        _shot(page, "show")

        # Create an episode and follow its progress.
        page.goto(f"{url}/new")
        page.locator("input[name=topic]").fill("Why the night sky is dark")
        page.locator("input[name=minutes]").fill("1")
        page.locator("input[name=minutes]").dispatch_event("change")
        expect(page.locator("#estimate")).to_contain_text("LLM calls")
        _shot(page, "new-episode")
        page.get_by_role("button", name="Start").click()
        expect(page).to_have_url(re.compile(r"/runs/r1$"))
        expect(page.locator("#stages li").first).to_be_visible()
        expect(page.locator("#run-bar")).to_contain_text("voiced", timeout=240_000)
        _shot(page, "progress")
        page.wait_for_url(re.compile(r"/e/curious-minutes/"), timeout=300_000)
        episode_url = page.url
        expect(page.locator("#episode-state")).to_have_text("draft_rendered")
        expect(page.locator("canvas.waveform").first).to_be_visible()

        # Edit a line, hear just that line.
        line = page.locator("form.line").first
        line.locator("textarea").fill("Tonight we ask why the sky goes dark at all.")
        with page.expect_response(re.compile(r"/lines/0/0/audio")) as heard:
            line.get_by_role("button", name="Save & hear").click()
        assert heard.value.status == 200 and heard.value.headers["content-type"] == "audio/wav"
        player = page.locator("#line-player")
        expect(player).to_be_visible()
        page.wait_for_function("document.getElementById('line-player').duration > 0")
        _shot(page, "episode")

        # Approve, render the final tier, publish, find it in the feed.
        page.get_by_role("button", name="Approve").click()
        expect(page.locator("#episode-state")).to_have_text("approved")
        page.get_by_role("button", name="Render final").click()
        page.wait_for_url(episode_url, timeout=300_000)
        expect(page.locator("#episode-state")).to_have_text("final_rendered")
        page.get_by_role("button", name="Publish").click()
        expect(page.locator("#episode-state")).to_have_text("published")
        share = page.locator("#share-link").get_attribute("href")
        assert share

        listener = browser.new_page()  # no cookie: the signed link alone opens it
        listener.goto(url + share)
        expect(listener.get_by_role("heading", level=1)).to_be_visible()
        listener.wait_for_function("document.querySelectorAll('.transcript .cue').length > 0")
        _shot(listener, "listener")
        feed_link = listener.locator("audio").get_attribute("src")
        assert feed_link
        feed = httpx.get(url + feed_link.rsplit("/", 3)[0] + "/feed.xml")
        assert feed.status_code == 200 and "<enclosure" in feed.text
        mp3 = re.search(r'enclosure url="([^"]+)"', feed.text)
        assert mp3 and mp3.group(1).endswith("/final/episode.mp3")
        assert httpx.get(mp3.group(1)).status_code == 200

        page.goto(f"{url}/episodes")
        _shot(page, "episodes")
        page.goto(f"{url}/queue")
        _shot(page, "queue")
        page.goto(f"{url}/costs")
        expect(page.get_by_role("heading", name="Dollars per day")).to_be_visible()
        _shot(page, "costs")
        browser.close()
    final = site.studio.episode("curious-minutes/" + episode_url.rsplit("/", 1)[1])
    script = (Path(final.folder) / "script.json").read_text(encoding="utf-8")
    assert "Tonight we ask why the sky goes dark at all." in script
    assert final.published_tier is not None and final.published_tier.value == "final"
    assert shutil.which("chromium") or CHROMIUM.is_file()
