"""Built-in formats: the shapes of episode listeners know, each a segment template like a show's own.

``deep-dive`` (the default shape), ``brief`` (one host, about two minutes), ``debate`` (two hosts take
opposite sides), ``critique`` and ``interview`` (a host and a guest) live as TOML files in
``podwright/data/templates/``. A producer picks one by name: ``podwright init --format debate``,
``template = "debate"`` in a show file, ``--format`` on ``script``/``produce``, or the studio's
new-episode form.

Applying a format to a show (:func:`apply_format`) seats the first hosts the format needs (a brief
seats one; the others wait on the bench and a later format can seat them again), gives each seated
host the format's role (the debate's sides, the interviewer and the guest), and replaces the show's
template with the format's segments, whose intents name the hosts who play each role.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files

from pydantic import Field, ValidationError, model_validator

from podwright.core.errors import ConfigError
from podwright.core.model import Record
from podwright.core.show import SegmentSpec, Show

__all__ = [
    "DEFAULT_MINUTES",
    "Format",
    "FormatRole",
    "apply_format",
    "default_minutes",
    "format_named",
    "format_names",
    "starter_with_format",
]

DEFAULT_MINUTES = 10.0
"""An episode's length when neither the request nor the show's format says."""


class FormatRole(Record):
    """A part a seated host plays in a format, given to the hosts in the show's order."""

    name: str
    """Short name the segment intents use as ``{name}`` (``for``, ``against``, ``guest``...)."""
    part: str
    """What the host does in this role; goes into the writers' prompt beside the host's persona."""


class Format(Record):
    """One built-in episode format."""

    name: str
    title: str
    description: str
    hosts: int | None = Field(default=None, ge=1, le=4)
    """How many of the show's hosts take part (the first ones); ``None``: all of them."""
    minutes: float = Field(default=DEFAULT_MINUTES, gt=0, le=180)
    """The episode's length when the request does not give one."""
    roles: tuple[FormatRole, ...] = ()
    """One per seated host, in the show's host order (empty: hosts keep their personas only)."""
    segments: tuple[SegmentSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_role_per_host(self) -> Format:
        if self.roles and len(self.roles) != self.hosts:
            raise ValueError(f"format {self.name}: {len(self.roles)} roles for {self.hosts} hosts")
        return self


def _normal(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(" ", "-")


@cache
def _builtin() -> dict[str, Format]:
    folder = files("podwright").joinpath("data/templates")
    found: dict[str, Format] = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            fmt = Format.model_validate(tomllib.loads(entry.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:  # a packaging bug, not user input
            raise ConfigError(
                f"built-in format {entry.name} is broken ({exc})", hint="reinstall podwright"
            ) from exc
        found[fmt.name] = fmt
    return found


def format_names() -> tuple[str, ...]:
    """The built-in formats' names, sorted."""
    return tuple(sorted(_builtin()))


def format_named(name: str) -> Format:
    """The built-in format called ``name`` (``deep_dive`` and ``Deep dive`` read as ``deep-dive``).

    An unknown name is a :class:`ConfigError` listing the known ones.
    """
    found = _builtin().get(_normal(name))
    if found is None:
        raise ConfigError(
            f"unknown format {name!r}; the built-in formats are {', '.join(format_names())}",
            hint="pick one of those names, or write the show's own [[template]] tables",
        )
    return found


def apply_format(show: Show, fmt: Format | str) -> Show:
    """``show`` shaped by ``fmt``: its template, the hosts it seats and the roles they play."""
    chosen = format_named(fmt) if isinstance(fmt, str) else fmt
    cast = (*show.hosts, *show.benched)
    seats = chosen.hosts or len(cast)
    if len(cast) < seats:
        raise ConfigError(
            f"the {chosen.name} format needs {seats} hosts and show {show.slug!r} has {len(cast)}",
            hint=f"add a [[hosts]] table to the show file, or pick a format for {len(cast)} host(s)",
        )
    seated, benched = cast[:seats], cast[seats:]
    roles = {host.id: role.part for host, role in zip(seated, chosen.roles, strict=False)}
    names = {role.name: host.name for host, role in zip(seated, chosen.roles, strict=False)}
    template = tuple(
        spec.model_copy(update={"intent": _cast_intent(spec.intent, names)}) for spec in chosen.segments
    )
    return show.model_copy(
        update={
            "hosts": seated,
            "benched": benched,
            "roles": roles,
            "template": template,
            "format": chosen.name,
        }
    )


def _cast_intent(intent: str, names: dict[str, str]) -> str:
    """``intent`` with each ``{role}`` replaced by the name of the host who plays it."""
    for role, host in names.items():
        intent = intent.replace("{" + role + "}", host)
    return intent


def default_minutes(show: Show) -> float:
    """The episode length when none is asked for: the show's format's, else :data:`DEFAULT_MINUTES`."""
    return format_named(show.format).minutes if show.format else DEFAULT_MINUTES


def starter_with_format(text: str, fmt: Format) -> str:
    """The starter show file's ``text`` with ``template = "<name>"`` in ``[show]`` instead of its
    ``[[template]]`` tables (everything else, comments included, is kept)."""
    out: list[str] = []
    in_template = placed = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped == "[[template]]":
            if not in_template and not placed:
                out.append(
                    f'# Here: the built-in "{fmt.name}" format (`template` in [show]). {fmt.description}\n'
                    "# Write [[template]] tables instead (and drop `template`) to make your own flow.\n"
                )
                placed = True
            in_template = True
            continue
        if in_template:
            if not stripped or (not stripped.startswith(("#", "[")) and "=" in stripped):
                continue  # a key of the template table, or the blank line after it
            in_template = False
            out.append("\n")
        out.append(line)
        if stripped.startswith("slug ="):
            seats = f"; it seats the first {fmt.hosts} host(s)" if fmt.hosts else ""
            assign = f'template = "{fmt.name}"'
            out.append(f"{assign:<36}# a built-in format{seats}\n")
    return "".join(out)
