"""The studio's show files: listed from its shows folder, made from the starter, hosts edited in place.

Edits rewrite only the ``[[hosts]]`` tables of a file (everything else, comments included, stays
as the producer wrote it), and the new text is validated as a whole show before it replaces the
file, so a bad edit never leaves a broken show behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path

from podwright.config import load_show, show_from_toml
from podwright.core import ConfigError, Host, Show
from podwright.core.files import atomic_write_text
from podwright.core.formats import format_named, starter_with_format
from podwright.core.slugs import ascii_slug

__all__ = ["create_show", "list_shows", "replace_hosts", "show_path"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_HEADER = re.compile(r"^\s*\[")


def list_shows(folder: Path) -> list[tuple[Path, Show | None, str | None]]:
    """Every ``*.toml`` in ``folder``: its path, the show (or ``None``) and the error that stops it."""
    found: list[tuple[Path, Show | None, str | None]] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            found.append((path, load_show(path), None))
        except ConfigError as exc:
            found.append((path, None, exc.message))
    return found


def show_path(folder: Path, slug: str) -> Path:
    """The file of show ``slug`` in ``folder`` (a clear error for a name that is not a slug)."""
    if not _SLUG.match(slug):
        raise ConfigError(
            f"{slug!r} is not a show slug", hint="use lower-case letters, digits, - and _ (e.g. my-show)"
        )
    return folder / f"{slug}.toml"


def create_show(folder: Path, *, name: str, slug: str, format: str = "") -> Path:
    """A new show file from the starter show, named ``name``, shaped by the built-in ``format`` when
    one is named; refuses to overwrite one.

    Without a ``slug``, the name's transliterated ASCII slug is used (``Ciencia para todos`` →
    ``ciencia-para-todos``, ``Наука`` → ``nauka``).
    """
    if not name.strip():
        raise ConfigError("a show needs a name", hint="type the show's name")
    slug = slug or ascii_slug(name, max_chars=62)
    path = show_path(folder, slug)
    if path.exists():
        raise ConfigError(f"show {slug!r} exists already", hint="pick another slug, or edit that show")
    text = files("podwright").joinpath("data/starter_show.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Curious Minutes"', f"name = {_value(name.strip())}", 1)
    text = text.replace('slug = "curious-minutes"', f"slug = {_value(slug)}", 1)
    if format:
        text = starter_with_format(text, format_named(format))
    show_from_toml(text, origin=str(path))
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)
    return path


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{key} = {_value(item)}" for key, item in value.items()) + " }"
    return json.dumps(str(value))  # a JSON string is a TOML basic string


def _hosts_toml(hosts: Sequence[Host]) -> str:
    blocks = []
    for host in hosts:
        lines = ["[[hosts]]", f"id = {_value(host.id)}", f"name = {_value(host.name)}"]
        lines.append(f"persona = {_value(host.persona)}")
        lines.append(f"words_per_minute = {_value(host.words_per_minute)}")
        for tier, ref in host.voices.items():
            voice = {"engine": ref.engine, "voice": ref.voice, "settings": dict(ref.settings)}
            lines.append(f"voices.{tier.value} = {_value(voice)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n\n"


def replace_hosts(path: Path, hosts: Sequence[Host]) -> Show:
    """Rewrite the ``[[hosts]]`` tables of the show file at ``path``; returns the validated show."""
    lines = load_text(path).splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == "[[hosts]]"]
    if not starts:
        raise ConfigError(f"{path} has no [[hosts]] table", hint="add the hosts in the file itself")
    end = len(lines)
    for i in range(starts[-1] + 1, len(lines)):
        if _HEADER.match(lines[i]) and lines[i].strip() != "[[hosts]]":
            end = i
            break
    # Comments right above the next table belong to it, not to the last host.
    while end > starts[-1] + 1 and lines[end - 1].lstrip().startswith("#"):
        end -= 1
    text = "".join(lines[: starts[0]]) + _hosts_toml(hosts) + "".join(lines[end:])
    show_from_toml(text, origin=str(path))  # the whole show must still be valid before it is written
    atomic_write_text(path, text)
    return load_show(path)


def load_text(path: Path) -> str:
    """A show file's text (a clear error when it cannot be read)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"show file {path} cannot be read ({exc})", hint="save it as UTF-8 TOML") from exc
