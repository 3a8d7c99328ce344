"""What every command shares: the console, the studio, JSON output, and one clear line per error."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
import typer.core
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape

from podwright.app import Studio
from podwright.config import open_studio
from podwright.core import PodwrightError, Tier

__all__ = [
    "CONTEXT",
    "console",
    "err_console",
    "friendly_errors",
    "parse_tier",
    "print_json",
    "studio",
    "typer_app",
]

console = Console()
err_console = Console(stderr=True)

#: ``-h`` as well as ``--help`` everywhere.
CONTEXT = {"help_option_names": ["-h", "--help"]}

P = ParamSpec("P")
R = TypeVar("R")


def _argument_type(self: typer.core.TyperArgument, ctx: object) -> str | None:
    # Typer prints a Python type beside each argument ("EPISODE <str>"); our arguments are named for
    # the value they take (EPISODE, PATH_OR_URL), which says more to a producer than "<str>".
    return None


typer.core.TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign,assignment]


def typer_app(help_text: str) -> typer.Typer:
    """A command group with podwright's habits: ``-h``, help shown as written (brackets kept)."""
    return typer.Typer(
        help=help_text,
        no_args_is_help=True,
        add_completion=False,
        context_settings=CONTEXT,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )


# Options that `script`, `produce` and friends share: one declaration each, the same help everywhere.
SHOW_FILE = typer.Option(..., "--show", metavar="FILE", help="The show file (TOML).")
TOPIC = typer.Option(None, "--topic", metavar="TEXT", help="What the episode is about.")
SOURCES = typer.Option([], "--source", metavar="PATH_OR_URL", help="A document path or URL (repeatable).")
MINUTES = typer.Option(
    None, "--minutes", metavar="MINUTES", help="Target length in minutes (default: the format's, else 10)."
)
OUT_ROOT = typer.Option(
    Path("out"), "--out", metavar="DIR", help="Output root: files go to DIR/SHOW/EPISODE-ID/."
)
OFFLINE = typer.Option(False, "--offline", help="Use the embedded local model (no key, no network).")
EPISODE_ID = typer.Option(None, "--episode-id", metavar="ID", help="Episode id (default: date + title).")
FRESH = typer.Option(
    False, "--fresh", help="Ask every LLM call again instead of reusing answers already paid for."
)
TIER = typer.Option("draft", "--tier", metavar="TIER", help="draft (fast voices) or final.")
FORMAT = typer.Option(
    None,
    "--format",
    metavar="NAME",
    help="Shape this episode with a built-in format instead of the show's template: "
    "deep-dive, brief, debate, critique or interview.",
)
WORKERS = typer.Option(None, "--workers", metavar="N", min=1, help="Engines synthesizing at once.")


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print a :class:`PodwrightError` as ``error: message`` + ``fix: hint`` and exit 1, never a traceback."""

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


@contextlib.contextmanager
def studio(out: Path | None = None, *, db: Path | str | None = None) -> Iterator[Studio]:
    """The studio wired from the environment, closed when the command ends."""
    opened = open_studio(out_root=out, db=db)
    try:
        yield opened
    finally:
        opened.close()


def parse_tier(value: str) -> Tier:
    """``draft`` or ``final``, else a clear error."""
    try:
        return Tier(value)
    except ValueError:
        from podwright.core import ConfigError

        raise ConfigError(f"unknown tier {value!r}", hint="use --tier draft or --tier final") from None


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def print_json(value: Any) -> None:
    """Print records, dataclasses or plain data as JSON on stdout (for ``--json``)."""
    typer.echo(json.dumps(_plain(value), indent=2, ensure_ascii=False, default=str))
