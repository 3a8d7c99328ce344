"""Configuration resolved once, at the edge: data dir, show files, API keys.

This is the only module (with ``cli``) that reads environment variables and config files; everything
below receives resolved values as arguments. :func:`open_studio` is how a Python script gets a
:class:`~podwright.app.Studio` wired the way the command line wires it.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from pathlib import Path

import platformdirs
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from podwright.app.settings import StudioSettings
from podwright.app.studio import Studio
from podwright.core import ConfigError, Show

__all__ = ["api_key", "data_dir", "load_show", "open_studio", "resolve_settings", "show_from_toml"]

#: Show fields written as their own tables (``[llm]``, ``[[hosts]]``...) rather than inside ``[show]``.
_TOP_LEVEL_TABLES = frozenset(
    {"hosts", "template", "llm", "lexicon", "audio", "engines", "publishing", "qa", "quality", "schedule"}
    | {"youtube"}
)


def data_dir() -> Path:
    """The data dir: ``$PODWRIGHT_HOME`` or the platform's user data dir; created if missing."""
    override = os.environ.get("PODWRIGHT_HOME")
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir("podwright"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def api_key(env_var: str) -> str | None:
    """The API key named by ``env_var`` (never logged), or ``None`` when unset or empty."""
    value = os.environ.get(env_var, "").strip()
    return value or None


def show_from_toml(text: str, *, origin: str = "<show>") -> Show:
    """Parse and validate a show from TOML text; errors name the field and the fix."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{origin}: not valid TOML ({exc})", hint="fix the syntax, or run `podwright init` for a starter"
        ) from exc
    show_table = raw.pop("show", {})
    if not isinstance(show_table, dict):
        raise ConfigError(f"{origin}: [show] must be a table", hint="see `podwright init` for the layout")
    data = {**show_table, **raw}
    try:
        return Show.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(error) for error in exc.errors()]
        fields = ", ".join(dict.fromkeys(where for where, _ in problems))
        listed = "; ".join(f"{where}: {msg}" for where, msg in problems)
        # One problem reads as before; several are all listed, so one edit fixes them all.
        head = f"{origin}: " if len(problems) == 1 else f"{origin}: {len(problems)} problems: "
        raise ConfigError(head + listed, hint=f"fix {fields} in the show file") from exc


def _problem(error: ErrorDetails) -> tuple[str, str]:
    """``(field, message)`` of one validation error, the field spelled as the show file writes it."""
    loc = [str(part) for part in error["loc"]]
    if loc and loc[0] not in _TOP_LEVEL_TABLES:
        loc.insert(0, "show")  # the field lives in the [show] table of the file
    # Array-of-table indexes read 1-based, as a producer counts [[hosts]] entries.
    where = ".".join(str(int(part) + 1) if part.isdigit() else part for part in loc) or "show"
    return where, error["msg"].removeprefix("Value error, ")


def load_show(path: Path) -> Show:
    """Read and validate the show file at ``path``; ``[publishing] cover`` is resolved against its folder."""
    if not path.is_file():
        raise ConfigError(f"show file {path} not found", hint="pass --show FILE, or run `podwright init`")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"show file {path} cannot be read ({exc})", hint="save it as UTF-8 TOML") from exc
    show = show_from_toml(text, origin=str(path))
    cover = show.publishing.cover
    if cover and not Path(cover).is_absolute():
        resolved = str((path.resolve().parent / cover).resolve())
        show = show.model_copy(update={"publishing": show.publishing.model_copy(update={"cover": resolved})})
    return show


def resolve_settings(
    *, out_root: Path | None = None, home: Path | None = None, db: Path | None = None
) -> StudioSettings:
    """The studio's settings from the environment, once: data dir, key lookup, who is acting.

    ``PODWRIGHT_QA=off`` skips take QA on this machine whatever the shows ask (a machine without the
    ASR extra, a test run); renders made so are recorded as unchecked.
    """
    return StudioSettings(
        home=home or data_dir(),
        out_root=out_root or Path("out"),
        keys=api_key,
        actor=os.environ.get("PODWRIGHT_ACTOR") or getpass.getuser(),
        db_file=db,
        qa=os.environ.get("PODWRIGHT_QA", "").strip().lower() not in ("off", "0", "false", "no"),
    )


def open_studio(*, out_root: Path | None = None, home: Path | None = None, db: Path | None = None) -> Studio:
    """A :class:`~podwright.app.Studio` wired from the environment: ``PODWRIGHT_HOME``, API keys, show files.

    ``out_root`` is where new episode folders go (``out/`` by default); ``home`` overrides the data dir
    and ``db`` the store file inside it.
    """
    return Studio(resolve_settings(out_root=out_root, home=home, db=db), show_loader=load_show)
