"""The ``podwright`` command: one Typer app, each command group registered from its own module.

Every command is a thin layer over the Python API (:class:`podwright.app.Studio`): it parses input,
calls the studio and presents what it returns.
"""

from __future__ import annotations

import logging

import typer

from podwright import __version__
from podwright.cli import costs, episodes, media, qa, queue, rendering, scripting, serverless, voices, web
from podwright.cli.common import typer_app

__all__ = ["app", "main"]

app = typer_app("Topic or documents in, publishable podcast episodes out.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"podwright {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """Topic or documents in, publishable podcast episodes out."""


for module in (scripting, rendering, episodes, qa, voices, costs, queue, media, web, serverless):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    # Library warnings (pypdf on a damaged PDF, say) would otherwise reach stderr ahead of
    # podwright's own one-line error about the same problem.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    app()
