"""What is shared outside the studio, by signed links only: a listener page per published episode, and
each show's RSS feed with its published audio and artwork.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from podwright.core import EpisodeState
from podwright.core.lifecycle import EpisodeRecord
from podwright.web.app import StudioWeb, web_of
from podwright.web.security import inside

__all__ = ["router"]

router = APIRouter()


def _published(web: StudioWeb, show: str, episode_id: str) -> EpisodeRecord:
    key = f"{show}/{episode_id}"
    if not web.studio.book.exists(key):
        raise HTTPException(404, "no such episode")
    record = web.studio.book.get(key)
    if record.state is not EpisodeState.PUBLISHED or record.published_tier is None:
        raise HTTPException(404, "this episode is not published")
    return record


@router.get("/listen/{signature}/{show}/{episode_id}", response_class=HTMLResponse)
async def listener_page(request: Request, signature: str, show: str, episode_id: str) -> HTMLResponse:
    web = web_of(request)
    if not web.locks.check_share(f"episode:{show}/{episode_id}", signature):
        raise HTTPException(403, "this share link is not valid")
    record = _published(web, show, episode_id)
    _, script, snapshot = web.studio.editing.script(record.key)
    tier = record.published_tier.value if record.published_tier else "final"
    media = f"/s/{web.locks.share(f'show:{show}')}/{show}/{Path(record.folder).name}/{tier}"
    return web.page(request, "listen.html", episode=record, script=script, show=snapshot, media=media)


@router.get("/s/{signature}/{show}/{path:path}")
async def shared_file(request: Request, signature: str, show: str, path: str) -> FileResponse:
    web = web_of(request)
    if not web.locks.check_share(f"show:{show}", signature):
        raise HTTPException(403, "this share link is not valid")
    published = [r for r in web.studio.episodes(show) if r.state is EpisodeState.PUBLISHED]
    if not published:
        raise HTTPException(404, "this show has nothing published")
    show_dir = Path(published[0].folder).parent
    parts = path.split("/")
    allowed = (
        parts in (["feed.xml"], ["cover.png"], ["cover.jpg"])
        or any(
            parts[:2] == [Path(r.folder).name, r.published_tier.value if r.published_tier else ""]
            for r in published
        )
        or any(parts[:2] == [Path(r.folder).name, "images"] for r in published)
    )
    found = inside(show_dir, *parts) if allowed else None
    if found is None:
        raise HTTPException(404, "no such published file")
    media = "application/rss+xml" if parts == ["feed.xml"] else None
    return FileResponse(found, media_type=media)
