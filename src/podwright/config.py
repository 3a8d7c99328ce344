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
from podwright.core.formats import format_named

__all__ = [
    "api_key",
    "data_dir",
    "load_show",
    "machine_config",
    "modal_token_present",
    "open_studio",
    "resolve_settings",
    "show_from_toml",
    "store_url",
]

#: Show fields written as their own tables (``[llm]``, ``[[hosts]]``...) rather than inside ``[show]``.
_TOP_LEVEL_TABLES = frozenset(
    {
        "hosts",
        "template",
        "llm",
        "lexicon",
        "audio",
        "engines",
        "publishing",
        "qa",
        "quality",
        "schedule",
        "render",
        "research",
        "youtube",
    }
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


def modal_token_present() -> bool:
    """Whether Modal has a token to use: ``MODAL_TOKEN_ID`` and ``MODAL_TOKEN_SECRET``, or a profile
    with both in ``$MODAL_CONFIG_PATH`` (default ``~/.modal.toml``). The values are never read out."""
    if api_key("MODAL_TOKEN_ID") and api_key("MODAL_TOKEN_SECRET"):
        return True
    path = Path(os.environ.get("MODAL_CONFIG_PATH") or Path.home() / ".modal.toml")
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return any(
        isinstance(profile, dict) and profile.get("token_id") and profile.get("token_secret")
        for profile in profiles.values()
    )


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
    if isinstance(data.get("template"), str):
        try:
            format_named(data["template"])
        except ConfigError as exc:
            raise ConfigError(f"{origin}: template: {exc.message}", hint=exc.hint) from None
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


def machine_config(home: Path) -> dict[str, object]:
    """This machine's ``config.toml`` in the data dir (``PODWRIGHT_CONFIG`` names another); ``{}`` if none.

    It holds what belongs to the machine rather than to a show, e.g. ``[store] url``.
    """
    override = os.environ.get("PODWRIGHT_CONFIG")
    path = Path(override).expanduser() if override else home / "config.toml"
    if not path.is_file():
        if override:
            raise ConfigError(f"config file {path} not found", hint="fix PODWRIGHT_CONFIG, or unset it")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable TOML file ({exc})", hint="fix its syntax") from exc


def store_url(home: Path, db: Path | str | None = None) -> str | None:
    """The PostgreSQL store to use, if any: ``--db URL``, else ``PODWRIGHT_DATABASE_URL``, else the
    machine config's ``[store] url``; ``None`` means the SQLite file (``--db FILE`` or the data dir's)."""
    if db is not None:
        return str(db) if _is_url(str(db)) else None
    from_env = os.environ.get("PODWRIGHT_DATABASE_URL", "").strip()
    if from_env:
        return _checked_url(from_env, "PODWRIGHT_DATABASE_URL")
    table = machine_config(home).get("store", {})
    url = table.get("url") if isinstance(table, dict) else None
    if url is None:
        return None
    if not isinstance(url, str):
        raise ConfigError("[store] url must be a string", hint='write url = "postgresql://user@host/db"')
    return _checked_url(url, "[store] url")


def _is_url(text: str) -> bool:
    return text.startswith(("postgresql://", "postgres://"))


def _checked_url(url: str, origin: str) -> str:
    if not _is_url(url):
        raise ConfigError(
            f"{origin} is not a PostgreSQL URL",
            hint="write postgresql://user:password@host:5432/dbname (SQLite needs no URL: --db FILE)",
        )
    return url


def resolve_settings(
    *, out_root: Path | None = None, home: Path | None = None, db: Path | str | None = None
) -> StudioSettings:
    """The studio's settings from the environment, once: data dir, key lookup, who is acting, the store.

    ``db`` is a SQLite file or a PostgreSQL URL (see :func:`store_url` for where else a URL comes from).
    ``PODWRIGHT_QA=off`` skips take QA on this machine whatever the shows ask (a machine without the
    ASR extra, a test run); renders made so are recorded as unchecked.
    """
    home = home or data_dir()
    url = store_url(home, db)
    return StudioSettings(
        home=home,
        out_root=out_root or Path("out"),
        keys=api_key,
        actor=os.environ.get("PODWRIGHT_ACTOR") or getpass.getuser(),
        db_file=Path(db) if db is not None and url is None else None,
        store_url=url,
        qa=os.environ.get("PODWRIGHT_QA", "").strip().lower() not in ("off", "0", "false", "no"),
    )


def open_studio(
    *, out_root: Path | None = None, home: Path | None = None, db: Path | str | None = None
) -> Studio:
    """A :class:`~podwright.app.Studio` wired from the environment: ``PODWRIGHT_HOME``, API keys, show files.

    ``out_root`` is where new episode folders go (``out/`` by default); ``home`` overrides the data dir
    and ``db`` the store (a SQLite file, or a ``postgresql://`` URL).
    """
    return Studio(resolve_settings(out_root=out_root, home=home, db=db), show_loader=load_show)
