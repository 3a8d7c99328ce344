"""The episode page and what it does: the script editor, hearing a line, renders, approval, publishing,
downloads. Every change to an episode goes through the Python API (:class:`~podwright.app.Studio`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from podwright.core import EpisodeState, PodwrightError, Tier
from podwright.core.lifecycle import EpisodeRecord
from podwright.web.app import StudioWeb, check_csrf, web_of
from podwright.web.pages import render_with_progress
from podwright.web.runs import Run
from podwright.web.security import inside

__all__ = ["DOWNLOADS", "router"]

router = APIRouter(prefix="/e/{show}/{episode_id}", dependencies=[Depends(check_csrf)])

DOWNLOADS = (
    "episode.mp3",
    "transcript.vtt",
    "transcript.srt",
    "chapters.json",
    "youtube.json",
    "episode.mp4",
)
"""The files of a tier's render a producer may download."""


def _record(web: StudioWeb, show: str, episode_id: str) -> EpisodeRecord:
    key = f"{show}/{episode_id}"
    if not web.studio.book.exists(key):
        raise HTTPException(404, f"no episode {key!r}")
    return web.studio.episode(key)


def _back(record: EpisodeRecord, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/e/{record.key}{anchor}", status_code=303)


@router.get("", response_class=HTMLResponse)
async def episode_page(request: Request, show: str, episode_id: str) -> HTMLResponse:
    web = web_of(request)
    record = _record(web, show, episode_id)
    _, script, snapshot = web.studio.editing.script(record.key)
    costs = web.studio.costs(record.episode_id)
    images = sorted(p.name for p in (Path(record.folder) / "images").glob("*.png"))
    tier = Tier.FINAL if Tier.FINAL in record.renders else Tier.DRAFT
    share = web.locks.share(f"episode:{record.key}")
    flagged = {rendered.value: list(_qa_flags(web, record, rendered)) for rendered in record.renders}
    return web.page(
        request,
        "episode.html",
        episode=record,
        script=script,
        show=snapshot,
        costs=costs,
        images=images,
        tier=tier,
        run=web.runs.active_for(record.key),
        events=web.studio.events(record.key),
        downloads=DOWNLOADS,
        share_url=f"/listen/{share}/{record.key}",
        states=EpisodeState,
        flagged=flagged,
    )


def _qa_flags(web: StudioWeb, record: EpisodeRecord, tier: Tier) -> tuple[dict[str, Any], ...]:
    """The lines take QA flagged in ``tier``'s render (none when it was rendered without QA)."""
    try:
        return tuple(web.studio.qa(record.key, tier).flagged)
    except PodwrightError:
        return ()


# -- the script editor ---------------------------------------------------------------------------------


def _edited(request: Request, record: EpisodeRecord, segment: int, line: int | None = None) -> Response:
    if request.headers.get("x-csrf-token") is not None:
        return JSONResponse({"ok": True, "segment": segment, "line": line})
    return _back(record, f"#s{segment}")


@router.post("/lines/{segment}/{line}")
async def edit_line(
    request: Request,
    show: str,
    episode_id: str,
    segment: int,
    line: int,
    text: str = Form(...),
    host: str = Form(""),
) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    web.studio.editing.edit_line(record.key, segment, line, text=text, host=host or None)
    return _edited(request, record, segment, line)


@router.post("/lines/{segment}/{line}/delete")
async def delete_line(request: Request, show: str, episode_id: str, segment: int, line: int) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    web.studio.editing.delete_line(record.key, segment, line)
    return _edited(request, record, segment)


@router.post("/segments/{segment}/insert")
async def insert_line(
    request: Request,
    show: str,
    episode_id: str,
    segment: int,
    before: int = Form(...),
    host: str = Form(...),
    text: str = Form(...),
) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    web.studio.editing.insert_line(record.key, segment, before, host=host, text=text)
    return _edited(request, record, segment, before)


@router.post("/segments/{segment}/rewrite")
async def rewrite_segment(request: Request, show: str, episode_id: str, segment: int) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)

    async def work(run: Run, report: Any) -> None:
        report("stage", stage=f"rewrite segment {segment + 1}", finished=False)
        await web.studio.editing.rewrite_segment(record.key, segment, offline=web.offline)
        report("stage", stage=f"rewrite segment {segment + 1}", finished=True)

    run = web.runs.start(f"rewrite segment {segment + 1}", work, episode_key=record.key)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@router.get("/lines/{segment}/{line}/audio")
async def line_audio(
    request: Request, show: str, episode_id: str, segment: int, line: int, tier: Tier = Tier.DRAFT
) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    audio = await asyncio.to_thread(web.studio.editing.voice_line, record.key, segment, line, tier)
    return Response(audio, media_type="audio/wav", headers={"Cache-Control": "no-store"})


@router.get("/voiced")
async def voiced(request: Request, show: str, episode_id: str, tier: Tier = Tier.DRAFT) -> JSONResponse:
    web = web_of(request)
    record = _record(web, show, episode_id)
    return JSONResponse(
        {"segments": await asyncio.to_thread(web.studio.editing.voiced_segments, record.key, tier)}
    )


@router.get("/segments/{segment}/audio")
async def segment_audio(
    request: Request, show: str, episode_id: str, segment: int, tier: Tier = Tier.DRAFT
) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    audio = await asyncio.to_thread(web.studio.editing.segment_audio, record.key, segment, tier)
    if audio is None:
        raise HTTPException(404, f"segment {segment + 1} is not voiced yet")
    return Response(audio, media_type="audio/wav")


@router.get("/peaks")
async def peaks(request: Request, show: str, episode_id: str, tier: Tier = Tier.DRAFT) -> JSONResponse:
    web = web_of(request)
    record = _record(web, show, episode_id)
    return JSONResponse({"peaks": await asyncio.to_thread(web.studio.waveform, record.key, tier)})


# -- the lifecycle ---------------------------------------------------------------------------------------


@router.post("/render")
async def render(request: Request, show: str, episode_id: str, tier: Tier = Form(Tier.DRAFT)) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    if web.runs.active_for(record.key) is not None:
        raise HTTPException(409, "this episode is being worked on; wait for it to finish or cancel it")
    web.studio.cast_engines(web.studio.editing.script(record.key)[2], tier)  # a clear error before it starts

    async def work(run: Run, report: Any) -> None:
        await render_with_progress(web, run, report, record.key, tier)

    run = web.runs.start(f"render {tier.value}", work, episode_key=record.key)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@router.post("/approve")
async def approve(request: Request, show: str, episode_id: str) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    web.studio.approve(record.key)
    return _back(record)


@router.post("/publish")
async def publish(request: Request, show: str, episode_id: str, allow_flagged: str = Form("")) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    web.studio.publish(record.key, allow_flagged=allow_flagged == "yes")
    write_feed(web, record.show_slug)
    return _back(record)


@router.post("/unpublish")
async def unpublish(request: Request, show: str, episode_id: str) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    web.studio.unpublish(record.key)
    published = [r for r in web.studio.episodes(record.show_slug) if r.state is EpisodeState.PUBLISHED]
    if published:
        write_feed(web, record.show_slug)
    else:
        feed = Path(record.folder).parent / "feed.xml"
        feed.unlink(missing_ok=True)
    return _back(record)


@router.post("/cancel")
async def cancel(request: Request, show: str, episode_id: str) -> Response:
    web = web_of(request)
    record = _record(web, show, episode_id)
    run = web.runs.active_for(record.key)
    if run is not None:
        web.runs.cancel(run.id)
    web.studio.cancel_episode(record.key)
    return _back(record)


def write_feed(web: StudioWeb, show_slug: str) -> Path:
    """Write the show's feed with enclosures at its signed share address."""
    signature = web.locks.share(f"show:{show_slug}")
    return web.studio.write_feed(show_slug, base_url=f"{web.public_url}/s/{signature}/{show_slug}")


# -- downloads -------------------------------------------------------------------------------------------


@router.get("/files/{tier}/{name}")
async def download(request: Request, show: str, episode_id: str, tier: Tier, name: str) -> FileResponse:
    web = web_of(request)
    record = _record(web, show, episode_id)
    path = inside(Path(record.folder), tier.value, name) if name in DOWNLOADS else None
    if path is None:
        raise HTTPException(404, f"no file {name!r} in the {tier.value} render")
    return FileResponse(path, filename=f"{record.episode_id}-{tier.value}-{name}")


@router.get("/images/{name}")
async def image(request: Request, show: str, episode_id: str, name: str) -> FileResponse:
    web = web_of(request)
    record = _record(web, show, episode_id)
    path = inside(Path(record.folder) / "images", name) if name.endswith((".png", ".jpg")) else None
    if path is None:
        raise HTTPException(404, f"no image {name!r}")
    return FileResponse(path)
