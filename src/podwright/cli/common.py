"""What every command shares: the console, and turning a PodwrightError into one clear line."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from podwright.core import PodwrightError

__all__ = ["console", "err_console", "friendly_errors"]

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print a :class:`PodwrightError` as ``error: message — hint`` and exit 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PodwrightError as exc:
            # Messages name show-file tables like [llm.tiers]: print them verbatim, not as markup.
            err_console.print("[bold red]error:[/] " + escape(exc.message), highlight=False, soft_wrap=True)
            if exc.hint:
                err_console.print("  fix: " + escape(exc.hint), highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("interrupted; finished work is kept and the next run resumes from it")
            raise typer.Exit(130) from None

    return wrapper
