"""Wiring the engine to a show: keys, engine options, TTS engines, the script client, requests.

Everything here was once scattered across command modules; the CLI, the workers and the studio now
all wire through these functions, so a show means the same thing whichever interface runs it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from podwright.app.settings import KeyLookup, StudioSettings
from podwright.core import ConfigError, EpisodeRequest, LLMClient, Show, SourceDoc, Tier
from podwright.core.slugs import ascii_slug

if TYPE_CHECKING:
    from podwright.core import TTSEngine

__all__ = [
    "build_cast_engines",
    "default_episode_id",
    "engine_options",
    "episode_request",
    "resolve_key",
    "script_client",
]

_MAX_SLUG_CHARS = 60


def engine_options(show: Show | None, keys: KeyLookup) -> dict[str, dict[str, Any]]:
    """Per-engine options from the show's ``[engines.*]`` tables, every ``api_key_env`` resolved, and
    the show's language for engines that take one.

    ``openai_speech`` without a ``base_url`` talks to OpenAI's hosted API, so it takes the usual
    ``OPENAI_API_KEY`` unless the show names another variable; a local speech server gets no key.
    """
    resolved: dict[str, dict[str, Any]] = {}
    for name, options in (show.engines if show is not None else {}).items():
        values: dict[str, Any] = dict(options)
        env = values.pop("api_key_env", None)
        if isinstance(env, str):
            values["api_key"] = keys(env)
        resolved[name] = values
    speech = resolved.setdefault("openai_speech", {})
    if "api_key" not in speech and "base_url" not in speech:
        speech["api_key"] = keys("OPENAI_API_KEY")
    if show is not None:
        _tell_language(show, resolved)
    return resolved


def _tell_language(show: Show, resolved: dict[str, dict[str, Any]]) -> None:
    """Give every cast engine that is built with a ``language`` (Chatterbox Multilingual) the show's,
    unless the show file set one: a multilingual voice speaks the language the script is written in."""
    from podwright.tts.registry import takes_option

    used = {host.voice(tier).engine for host in show.hosts for tier in Tier}
    for name in sorted(used):
        options = resolved.get(name, {})
        if "language" not in options and takes_option(name, "language"):
            resolved[name] = {**options, "language": show.language}


def build_cast_engines(show: Show, tier: Tier, keys: KeyLookup) -> dict[str, TTSEngine]:
    """One (unloaded) engine per engine the ``tier`` cast uses, built with the show's options."""
    from podwright.pipeline.voicing import build_engines, cast_for

    return build_engines(cast_for(show, tier), engine_options(show, keys))


def resolve_key(show: Show, keys: KeyLookup, *, offline: bool) -> str | None:
    """The provider key the show needs (``None`` for the local model); a clear error when unset."""
    from podwright.pipeline.clients import uses_local_model

    if uses_local_model(show, offline=offline) or not show.llm.api_key_env:
        return None
    key = keys(show.llm.api_key_env)
    if key is None:
        raise ConfigError(
            f"no API key: {show.llm.api_key_env} is not set",
            hint=f'set {show.llm.api_key_env}, use --offline, or set llm.api_key_env = "" '
            "for a server that takes no key",
        )
    return key


@contextlib.asynccontextmanager
async def script_client(
    show: Show, settings: StudioSettings, *, offline: bool, key: str | None, fresh: bool = False
) -> AsyncIterator[LLMClient]:
    """The show's script-writing client, logging every call to the ledger in the data dir.

    Answers are kept in the store's response cache, so a rerun pays only for calls never answered;
    ``fresh`` asks every call again.
    """
    import httpx

    from podwright.pipeline.clients import build_llm_client
    from podwright.store.db import connect
    from podwright.store.ledger import SQLiteLedger
    from podwright.store.responses import SQLiteAnswers

    conn = connect(settings.store)
    try:
        async with httpx.AsyncClient() as http:
            yield build_llm_client(
                show,
                offline=offline,
                api_key=key,
                models_dir=settings.models_dir,
                ledger=SQLiteLedger(conn),
                http_client=http,
                answers=SQLiteAnswers(conn),
                fresh=fresh,
            )
    finally:
        conn.close()


def default_episode_id(title: str, *, today: datetime | None = None) -> str:
    """``YYYY-MM-DD-slug-of-the-title``, e.g. ``2026-11-25-why-the-sky-is-dark``; a title in another
    script is transliterated (``Почему небо тёмное`` → ``2026-11-25-pochemu-nebo-temnoe``)."""
    date = (today or datetime.now(UTC)).strftime("%Y-%m-%d")
    slug = ascii_slug(title, max_chars=_MAX_SLUG_CHARS)
    return f"{date}-{slug}" if slug else date


def episode_request(
    topic: str | None,
    sources: Sequence[str],
    docs: Sequence[SourceDoc],
    minutes: float | None,
    episode_id: str | None,
    *,
    tier: Tier = Tier.DRAFT,
    extra: Mapping[str, object] | None = None,
) -> EpisodeRequest:
    """The episode request of a topic and/or sources, a length and an id (default: date + title)."""
    if not (topic and topic.strip()) and not sources:
        raise ConfigError(
            "nothing to write about",
            hint="give a topic or at least one source: --topic TEXT or --source PATH_OR_URL",
        )
    title = topic or (docs[0].title if docs else "episode")
    fields: dict[str, object] = {
        "episode_id": episode_id or default_episode_id(title),
        "topic": topic,
        "sources": tuple(sources),
        "tier": tier,
        **(extra or {}),
    }
    if minutes is not None:
        fields["target_minutes"] = minutes
    try:
        return EpisodeRequest.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "episode"
        raise ConfigError(
            f"invalid episode: {where}: {first['msg']}", hint="check the minutes, topic and episode id"
        ) from exc
