"""Command: ``podwright studio`` — the web studio on this machine (FastAPI + uvicorn)."""

from __future__ import annotations

import dataclasses
import ipaddress
from pathlib import Path

import typer

from podwright.cli.common import console, friendly_errors
from podwright.core import ConfigError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``studio`` to ``app``."""
    app.command("studio")(studio)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@friendly_errors
def studio(
    host: str = typer.Option(
        "127.0.0.1", "--host", metavar="ADDRESS", help="Address to listen on (loopback unless told)."
    ),
    port: int = typer.Option(8700, "--port", metavar="PORT", min=1, max=65535, help="Port to listen on."),
    shows: Path = typer.Option(Path("shows"), "--shows", metavar="DIR", help="Folder of show files."),
    out: Path = typer.Option(Path("out"), "--out", metavar="DIR", help="Where episode folders go."),
    offline: bool = typer.Option(False, "--offline", help="Write every script with the embedded model."),
    allow_private_sources: bool = typer.Option(
        False, "--allow-private-sources", help="Let source URLs point at private or loopback hosts."
    ),
) -> None:
    """Start the web studio and print its address with a one-time start token."""
    try:
        import uvicorn

        from podwright.web.app import create_app
        from podwright.web.show_files import create_show, list_shows
    except ImportError as exc:
        raise ConfigError(
            f"the studio needs FastAPI and uvicorn ({exc.name} is missing)",
            hint='install the extra: pip install "podwright[studio]"',
        ) from exc
    from podwright.app import Studio
    from podwright.config import load_show, resolve_settings

    settings = dataclasses.replace(resolve_settings(out_root=out), private_sources=allow_private_sources)
    desk = Studio(settings, show_loader=load_show)
    if not list_shows(shows):
        create_show(shows, name="Curious Minutes", slug="curious-minutes")  # works offline as it is
    app = create_app(desk, shows_dir=shows, offline=offline, public_url=f"http://{host}:{port}")
    if not _loopback(host):
        console.print(
            f"[bold red]warning:[/] listening on {host}, reachable from other machines; anyone with the "
            "start link can use this studio",
        )
    console.print(f"podwright studio: http://{host}:{port}/?token={app.state.web.locks.start_token}")
    console.print("The link works once (it sets a cookie in the browser that opens it). Ctrl-C stops.")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        desk.close()
