"""The ``podwright`` command: one Typer app, each command group registered from its own module."""

from __future__ import annotations

import logging

import typer

from podwright import __version__
from podwright.cli import costs, queue, rendering, scripting, studio, voices

__all__ = ["app", "main"]

app = typer.Typer(
    name="podwright",
    help="Topic or documents in, publishable podcast episodes out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


for module in (scripting, rendering, voices, costs, queue, studio):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    # Library warnings (pypdf on a damaged PDF, say) would otherwise reach stderr ahead of
    # podwright's own one-line error about the same problem.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    app()
