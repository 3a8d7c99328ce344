"""The studio web app: a FastAPI application over one :class:`~podwright.app.Studio`.

:func:`create_app` wires the pages (``pages``), the episode desk (``desk``) and the locks
(``security``): every route but the static assets and the signed share links needs the session
cookie, every change needs the CSRF token, and a :class:`~podwright.core.PodwrightError` becomes a
one-line message on the page (JSON for scripts), never a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from podwright.app import Studio
from podwright.core import PodwrightError
from podwright.web.runs import RunBoard
from podwright.web.security import COOKIE, Locks

__all__ = ["MAX_UPLOAD_BYTES", "StudioWeb", "check_csrf", "create_app", "web_of"]

log = logging.getLogger("podwright.studio")

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""The largest source file a producer may upload."""
_PUBLIC = ("/static/", "/s/", "/listen/")
_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class StudioWeb:
    """What every route needs: the studio, its locks, its runs and where its files go."""

    studio: Studio
    locks: Locks
    runs: RunBoard
    shows_dir: Path
    templates: Jinja2Templates
    offline: bool = False
    public_url: str = "http://127.0.0.1:8700"
    max_upload_bytes: int = MAX_UPLOAD_BYTES

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded sources are kept (one random folder per upload)."""
        return self.studio.settings.home / "uploads"

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A page rendered from ``templates/name`` with the session's CSRF token."""
        session = request.cookies.get(COOKIE, "")
        context.setdefault("error", None)
        return self.templates.TemplateResponse(
            request,
            name,
            {"csrf": self.locks.csrf(session) if session else "", "nav": name.split(".")[0], **context},
            status_code=status,
        )


def web_of(request: Request) -> StudioWeb:
    """The :class:`StudioWeb` of the app serving ``request``."""
    web: StudioWeb = request.app.state.web
    return web


async def check_csrf(request: Request) -> None:
    """Refuse a change (POST…) without the session's CSRF token (``X-CSRF-Token`` or field ``csrf``)."""
    if request.method not in _CHANGES:
        return
    web = web_of(request)
    token = request.headers.get("x-csrf-token")
    if token is None and "form" in request.headers.get("content-type", ""):
        field = (await request.form()).get("csrf")
        token = field if isinstance(field, str) else None
    if not web.locks.check_csrf(request.cookies.get(COOKIE, ""), token):
        raise HTTPException(403, "the form's CSRF token is missing or wrong")


def _wants_json(request: Request) -> bool:
    return (
        "application/json" in request.headers.get("accept", "")
        or request.headers.get("x-csrf-token") is not None
    )


def create_app(
    studio: Studio,
    *,
    shows_dir: Path,
    offline: bool = False,
    public_url: str = "http://127.0.0.1:8700",
    locks: Locks | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> FastAPI:
    """The studio app for ``studio``; its start token is ``app.state.web.locks.start_token``."""
    from podwright.web import desk, pages, sharing

    templates = Jinja2Templates(directory=str(files("podwright.web").joinpath("templates")))
    templates.env.filters["money"] = lambda v: "unknown" if v is None else f"${v:,.4f}"
    templates.env.filters["secs"] = lambda v: "—" if v is None else f"{v:,.1f} s"
    web = StudioWeb(
        studio=studio,
        locks=locks or Locks.for_home(studio.settings.home),
        runs=RunBoard(),
        shows_dir=shows_dir,
        templates=templates,
        offline=offline,
        public_url=public_url.rstrip("/"),
        max_upload_bytes=max_upload_bytes,
    )
    shows_dir.mkdir(parents=True, exist_ok=True)
    app = FastAPI(title="podwright studio", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = web
    app.mount("/static", StaticFiles(directory=str(files("podwright.web").joinpath("static"))), name="static")

    @app.middleware("http")
    async def locks_middleware(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if path.startswith(_PUBLIC):
            response: Response = await call_next(request)
            return response
        token = request.query_params.get("token")
        if token is not None:
            session = web.locks.trade(token)
            if session is None:
                return _refused(web, request, "this start link was used already or is wrong", 403)
            rest = {k: v for k, v in request.query_params.items() if k != "token"}
            target = path + ("?" + urlencode(rest) if rest else "")
            redirect = RedirectResponse(target, status_code=303)
            redirect.set_cookie(COOKIE, session, httponly=True, samesite="strict", path="/")
            return redirect
        session = request.cookies.get(COOKIE)
        if not web.locks.valid(session):
            return _refused(web, request, "this page needs the studio's start link", 401)
        if request.method in _CHANGES:
            length = int(request.headers.get("content-length") or 0)
            if length > web.max_upload_bytes + 64 * 1024:
                return _refused(
                    web, request, f"the upload is over {web.max_upload_bytes // (1024 * 1024)} MB", 413
                )
        response = await call_next(request)
        return response

    @app.exception_handler(PodwrightError)
    async def podwright_error(request: Request, exc: PodwrightError) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": exc.message, "hint": exc.hint}, status_code=400)
        return web.page(request, "error.html", 400, message=exc.message, hint=exc.hint)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)
        return web.page(request, "error.html", exc.status_code, message=str(exc.detail), hint="")

    @app.get("/")
    async def home() -> RedirectResponse:
        return RedirectResponse("/episodes", status_code=303)

    app.include_router(pages.router)
    app.include_router(desk.router)
    app.include_router(sharing.router)
    return app


def _refused(web: StudioWeb, request: Request, message: str, status: int) -> Response:
    log.warning("refused %s %s: %s", request.method, request.url.path, message)
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    return web.page(
        request, "error.html", status, message=message, hint="open the URL `podwright studio` printed"
    )
