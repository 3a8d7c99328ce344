"""The studio's pages: shows, a new episode (with its estimate), runs, episodes, the queue, costs."""

from __future__ import annotations

import contextlib
import secrets
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse

from podwright.app.url_guard import check_public_url
from podwright.core import Cancelled, ConfigError, Host, JobState, PodwrightError, Show, Tier, VoiceRef
from podwright.core.formats import Format, apply_format, format_named, format_names
from podwright.web.app import StudioWeb, check_csrf, web_of
from podwright.web.runs import Run
from podwright.web.security import safe_name
from podwright.web.show_files import create_show, list_shows, replace_hosts, show_path

if TYPE_CHECKING:
    from podwright.pipeline.voicing import VoicingProgress

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(check_csrf)])

FORMAT_CHOICE = "format:"
"""How the new-episode form's template field names a built-in format (``format:debate``)."""

#: What an uploaded source may be: its suffix, and how its first bytes must look.
UPLOAD_TYPES = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".html": "text",
    ".htm": "text",
    ".pdf": "pdf",
}


def _show(web: StudioWeb, slug: str) -> tuple[Path, Show]:
    path = show_path(web.shows_dir, slug)
    if not path.is_file():
        raise HTTPException(404, f"no show {slug!r} in {web.shows_dir}")
    return path, web.studio.load_show(path)


# -- shows ---------------------------------------------------------------------------------------------


@router.get("/shows", response_class=HTMLResponse)
async def shows_page(request: Request) -> HTMLResponse:
    web = web_of(request)
    return web.page(request, "shows.html", **_shows_context(web))


def _formats() -> list[Format]:
    return [format_named(name) for name in format_names()]


def _shows_context(web: StudioWeb) -> dict[str, Any]:
    return {"shows": list_shows(web.shows_dir), "formats": _formats()}


@router.post("/shows")
async def create_show_action(
    request: Request, name: str = Form(""), slug: str = Form(""), format: str = Form("")
) -> Response:
    web = web_of(request)
    try:
        path = create_show(web.shows_dir, name=name, slug=slug.strip(), format=format)
    except ConfigError as exc:
        return web.page(request, "shows.html", 400, error=exc, **_shows_context(web))
    return RedirectResponse(f"/shows/{path.stem}", status_code=303)


@router.get("/shows/{slug}", response_class=HTMLResponse)
async def show_page(request: Request, slug: str) -> HTMLResponse:
    web = web_of(request)
    _, show = _show(web, slug)
    return web.page(
        request, "show.html", show=show, voices=web.studio.voices(show=None).voices, tiers=list(Tier)
    )


@router.post("/shows/{slug}/hosts")
async def save_hosts(request: Request, slug: str) -> Response:
    web = web_of(request)
    path, show = _show(web, slug)
    form = await request.form()
    hosts = []
    try:
        for index, old in enumerate(show.hosts):
            voices = {
                tier: VoiceRef(
                    engine=str(form.get(f"h{index}_{tier.value}_engine") or old.voice(tier).engine),
                    voice=str(form.get(f"h{index}_{tier.value}_voice") or old.voice(tier).voice),
                    settings=old.voice(tier).settings,
                )
                for tier in Tier
            }
            hosts.append(
                Host(
                    id=old.id,
                    name=str(form.get(f"h{index}_name") or old.name).strip(),
                    persona=str(form.get(f"h{index}_persona", old.persona)).strip(),
                    voices=voices,
                    words_per_minute=old.words_per_minute,
                )
            )
        # Hosts a format leaves on the bench are kept in the file as they were.
        show = replace_hosts(path, [*hosts, *show.benched])
        web.studio.cast_engines(show, Tier.DRAFT)
    except ConfigError as exc:
        return web.page(
            request,
            "show.html",
            400,
            show=show,
            voices=web.studio.voices().voices,
            tiers=list(Tier),
            error=exc,
        )
    return RedirectResponse(f"/shows/{slug}?saved=1", status_code=303)


@router.get("/shows/{slug}/audition/{host_id}")
async def audition(request: Request, slug: str, host_id: str, tier: Tier = Tier.DRAFT) -> Response:
    import asyncio

    web = web_of(request)
    _, show = _show(web, slug)
    audio = await asyncio.to_thread(web.studio.editing.audition, show, host_id, tier)
    return Response(audio, media_type="audio/wav")


# -- a new episode -------------------------------------------------------------------------------------


def _new_context(web: StudioWeb, **values: Any) -> dict[str, Any]:
    shows = [(path, show) for path, show, _ in list_shows(web.shows_dir) if show is not None]
    return {"shows": shows, "tiers": list(Tier), "values": values, "formats": _formats()}


@router.get("/new", response_class=HTMLResponse)
async def new_page(request: Request, show: str = "") -> HTMLResponse:
    web = web_of(request)
    return web.page(request, "new.html", **_new_context(web, show=show, minutes=3, tier="draft"))


@router.post("/estimate")
async def estimate(
    request: Request, show: str = Form(...), minutes: float = Form(3.0), tier: Tier = Form(Tier.DRAFT)
) -> JSONResponse:
    web = web_of(request)
    _, chosen = _show(web, show)
    if not 0 < minutes <= 180:
        raise ConfigError("minutes must be between 0 and 180", hint="pick a length in minutes")
    guess = web.studio.estimate(chosen, minutes=minutes, tier=tier, offline=web.offline)
    return JSONResponse(
        {
            "llm_calls": guess.llm_calls,
            "llm_tokens": guess.llm_input_tokens + guess.llm_output_tokens,
            "llm_usd": guess.llm_usd,
            "render_s": round(guess.render_s, 1),
            "render_usd": guess.render_usd,
            "audio_s": guess.audio_s,
            "gpu": guess.gpu,
            "calibrated_from": guess.calibrated_from,
        }
    )


async def _save_upload(web: StudioWeb, upload: UploadFile) -> str:
    name = safe_name(upload.filename or "")
    kind = UPLOAD_TYPES.get(Path(name).suffix.lower())
    if kind is None:
        raise ConfigError(
            f"{name}: unsupported upload type", hint=f"upload one of: {', '.join(sorted(UPLOAD_TYPES))}"
        )
    data = await upload.read(web.max_upload_bytes + 1)
    if len(data) > web.max_upload_bytes:
        raise ConfigError(
            f"{name} is over {web.max_upload_bytes // (1024 * 1024)} MB", hint="upload a smaller file"
        )
    if kind == "pdf" and not data.startswith(b"%PDF-"):
        raise ConfigError(f"{name} is not a PDF file", hint="upload the PDF itself, or save it as text")
    if kind == "text":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{name} is not UTF-8 text", hint="save it as UTF-8, or upload a PDF") from exc
    folder = web.uploads_dir / secrets.token_hex(8)
    folder.mkdir(parents=True)
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise ConfigError(f"upload name {name!r} is not a file name", hint="rename the file")
    target.write_bytes(data)
    return str(target)


@router.post("/new")
async def new_episode(
    request: Request,
    show: str = Form(""),
    topic: str = Form(""),
    url: str = Form(""),
    minutes: float = Form(3.0),
    tier: Tier = Form(Tier.DRAFT),
    template: str = Form(""),
    upload: UploadFile | None = File(None),
) -> Response:
    web = web_of(request)
    values = {
        "show": show,
        "topic": topic,
        "url": url,
        "minutes": minutes,
        "tier": tier.value,
        "template": template,
    }
    try:
        chosen = _show(web, show)[1] if show else None
        if chosen is None:
            raise ConfigError("pick a show", hint="make one on the Shows page first")
        if template.startswith(FORMAT_CHOICE):
            chosen = apply_format(chosen, template.removeprefix(FORMAT_CHOICE))
        elif template and template != show:
            # Another show's own flow: this show's format roles would not fit it.
            update: dict[str, object] = {
                "template": _show(web, template)[1].template,
                "format": None,
                "roles": {},
            }
            chosen = chosen.model_copy(update=update)
        sources = [url.strip()] if url.strip() else []
        if sources and not web.studio.settings.private_sources:
            check_public_url(sources[0])
        if upload is not None and upload.filename:
            sources.append(await _save_upload(web, upload))
        if not topic.strip() and not sources:
            raise ConfigError(
                "an episode needs a topic or a source", hint="type a topic, or upload or link a source"
            )
        web.studio.check_can_write(chosen, offline=web.offline)
        web.studio.cast_engines(chosen, tier)
    except ConfigError as exc:
        return web.page(request, "new.html", 400, error=exc, **_new_context(web, **values))
    run = web.runs.start(
        f"new episode: {topic or sources[0]}", _produce(web, chosen, topic, sources, minutes, tier)
    )
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


def _produce(web: StudioWeb, show: Show, topic: str, sources: list[str], minutes: float, tier: Tier) -> Any:
    async def work(run: Run, report: Any) -> None:
        scripted = await web.studio.write_script(
            show,
            topic=topic.strip() or None,
            sources=sources,
            minutes=minutes,
            offline=web.offline,
            on_event=lambda event: report("stage", stage=event.stage, finished=event.finished),
        )
        run.episode_key = scripted.episode.key
        report("scripted", episode=scripted.episode.key)
        await render_with_progress(web, run, report, scripted.episode.key, tier)

    return work


async def render_with_progress(web: StudioWeb, run: Run, report: Any, key: str, tier: Tier) -> None:
    """Render ``tier`` of ``key``, reporting chunks voiced (the page then plays voiced segments)."""
    run.episode_key = key
    report("render", tier=tier.value)

    def progress(voiced: VoicingProgress) -> None:
        if run.stop.is_set():
            # Raised in the voicing thread: the engines stop after their batch in hand (it is cached),
            # and nothing is packaged or recorded.
            raise Cancelled("the render was cancelled", hint="render it again; voiced chunks are kept")
        report(
            "voiced", done=voiced.done, total=voiced.total, audio_s=round(voiced.audio_s, 1), tier=tier.value
        )

    rendered = await web.studio.render(key, tier, on_progress=progress)
    report("rendered", tier=tier.value, audio_s=round(rendered.result.audio_s, 1))


# -- runs --------------------------------------------------------------------------------------------


def _run(web: StudioWeb, run_id: str) -> Run:
    run = web.runs.get(run_id)
    if run is None:
        raise HTTPException(404, f"no run {run_id!r} (runs are forgotten when the studio restarts)")
    return run


@router.get("/runs/{run_id}", response_class=HTMLResponse)
async def run_page(request: Request, run_id: str) -> HTMLResponse:
    web = web_of(request)
    return web.page(request, "run.html", run=_run(web, run_id))


@router.get("/runs/{run_id}/events")
async def run_events(request: Request, run_id: str) -> StreamingResponse:
    web = web_of(request)
    return StreamingResponse(
        web.runs.stream(_run(web, run_id)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/runs/{run_id}/cancel")
async def cancel_run(request: Request, run_id: str) -> Response:
    web = web_of(request)
    run = _run(web, run_id)
    web.runs.cancel(run_id)
    if run.episode_key is not None:
        with contextlib.suppress(PodwrightError):
            web.studio.cancel_episode(run.episode_key)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


# -- episodes, queue, costs ------------------------------------------------------------------------------


@router.get("/episodes", response_class=HTMLResponse)
async def episodes_page(request: Request) -> HTMLResponse:
    web = web_of(request)
    return web.page(
        request, "episodes.html", episodes=web.studio.episodes(), runs=list(web.runs.runs.values())
    )


@router.get("/queue", response_class=HTMLResponse)
async def queue_page(request: Request) -> HTMLResponse:
    web = web_of(request)
    views = web.studio.queue.jobs()
    groups: dict[JobState, list[Any]] = defaultdict(list)
    for view in views:
        groups[view.job.state].append(view)
    failed = {view.job.id: web.studio.queue.attempts(view.job.id) for view in groups.get(JobState.FAILED, [])}
    return web.page(
        request,
        "queue.html",
        groups=[(state, groups[state]) for state in JobState if groups.get(state)],
        attempts=failed,
    )


@router.post("/queue/{job_id}/cancel")
async def cancel_job(request: Request, job_id: str) -> RedirectResponse:
    web_of(request).studio.queue.cancel(job_id)
    return RedirectResponse("/queue", status_code=303)


@router.post("/queue/{job_id}/priority")
async def job_priority(request: Request, job_id: str, priority: int = Form(...)) -> RedirectResponse:
    web_of(request).studio.queue.set_priority(job_id, priority)
    return RedirectResponse("/queue", status_code=303)


@router.get("/costs", response_class=HTMLResponse)
async def costs_page(request: Request) -> HTMLResponse:
    from podwright.web.charts import bars, session_timelines

    web = web_of(request)
    rows = web.studio.spend_by_day()
    show_of = {record.episode_id: record.show_slug for record in web.studio.episodes()}
    totals: dict[str, dict[str, float]] = {"day": {}, "show": {}, "episode": {}, "stage": {}}
    unknown = 0
    for day, episode_id, stage, dollars, _calls in rows:
        if dollars is None:
            unknown += 1
        for axis, name in (
            ("day", day),
            ("show", show_of.get(episode_id or "", "(no show)")),
            ("episode", episode_id or "(none)"),
            ("stage", stage),
        ):
            totals[axis][name] = totals[axis].get(name, 0.0) + (dollars or 0.0)
    charts = {axis: bars(values) for axis, values in totals.items()}
    sessions = web.studio.queue.sessions()
    return web.page(
        request,
        "costs.html",
        charts=charts,
        unknown=unknown,
        timelines=session_timelines(sessions),
        sessions=sessions,
    )
