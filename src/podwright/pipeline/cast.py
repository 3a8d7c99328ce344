"""The cast of a tier: each host's voice, the engines it needs, and checks before anything is spoken."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from podwright.core.errors import VoiceError
from podwright.core.language import ANY_LANGUAGE, language_name, speaks
from podwright.core.speech import EngineVoice, TTSEngine
from podwright.tts.chatterbox import MULTILINGUAL_LANGUAGES
from podwright.tts.registry import create_engine, describe_voice

if TYPE_CHECKING:
    from podwright.core.show import Show, Tier, VoiceRef

__all__ = [
    "build_engines",
    "cast_for",
    "check_cast",
    "sound_alike_hosts",
    "speaks_show_language",
    "voices_for",
]


def cast_for(show: Show, tier: Tier) -> dict[str, VoiceRef]:
    """Host id → the host's voice for ``tier``."""
    return {host.id: host.voice(tier) for host in show.hosts}


def check_cast(show: Show, tier: Tier, engines: Mapping[str, TTSEngine]) -> None:
    """Raise :class:`VoiceError` naming the host, the voice and the fix if any host cannot speak here,
    or cannot speak the show's language (naming the voices that can)."""
    for host in show.hosts:
        ref = host.voice(tier)
        where = f"[hosts.voices.{tier.value}] of host {host.id!r} in the show file"
        engine = engines.get(ref.engine)
        if engine is None:
            raise VoiceError(
                f"host {host.name} ({host.id}) speaks the {tier.value} tier with engine {ref.engine!r}, "
                "which is not available",
                hint=f"available engines: {', '.join(sorted(engines)) or '(none)'}; change {where} "
                "or install the engine's extra",
            )
        status = describe_voice(engine, ref.voice)
        if not status.usable:
            raise VoiceError(
                f"host {host.name} ({host.id}) cannot speak the {tier.value} tier: "
                f"{ref.engine} voice {ref.voice!r} is unusable here",
                hint=f"{status.reason}; or pick another voice in {where} (see `podwright voices`)",
            )
        if not speaks_show_language(status, show.language):
            raise VoiceError(
                f"host {host.name} ({host.id}) cannot speak the {tier.value} tier: {ref.engine} voice "
                f"{ref.voice!r} speaks {', '.join(status.languages)}, not the show's language, "
                f"{show.language} ({language_name(show.language)})",
                hint=f"pick a voice in {where} that does: {voices_for(show.language, engines)}",
            )


def speaks_show_language(voice: EngineVoice, language: str) -> bool:
    """Whether ``voice`` speaks ``language`` (a voice that declares no languages is trusted)."""
    return not voice.languages or any(speaks(spoken, language) for spoken in voice.languages)


def voices_for(language: str, engines: Mapping[str, TTSEngine]) -> str:
    """The voices of ``engines`` that speak ``language``, and the multilingual engines that would."""
    found = [
        f"{voice.engine}:{voice.voice}"
        for engine in engines.values()
        for voice in engine.voices()
        if voice.languages and voice.usable and speaks_show_language(voice, language)
    ]
    others = [f"openai_speech (speaks any language: {ANY_LANGUAGE})"]
    if any(speaks(spoken, language) for spoken in MULTILINGUAL_LANGUAGES):
        others.append("chatterbox with `multilingual = true` under [engines.chatterbox]")
    here = f"{', '.join(found)}; or " if found else ""
    return f"{here}{' or '.join(others)} (see `podwright voices`)"


def sound_alike_hosts(show: Show, tier: Tier, engines: Mapping[str, TTSEngine]) -> list[str]:
    """Warnings for hosts of ``tier`` who would sound like the same person, naming distinct voices here.

    Two hosts sound alike when they share an engine voice and differ only in settings that the engine
    does not count as changing the speaker (its ``timbre_settings``; hibari's ``seed`` changes the
    take, not the person). Listeners cannot tell such hosts apart.
    """
    groups: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[str]] = {}
    for host in show.hosts:
        ref = host.voice(tier)
        timbre: frozenset[str] = getattr(engines.get(ref.engine), "timbre_settings", frozenset())
        identity = tuple(sorted((k, repr(v)) for k, v in ref.settings.items() if k in timbre))
        groups.setdefault((ref.engine, ref.voice, identity), []).append(host.name)
    clones = [(key, names) for key, names in groups.items() if len(names) > 1]
    if not clones:
        return []
    usable = sorted(
        f"{voice.engine}:{voice.voice}"
        for engine in engines.values()
        for voice in engine.voices()
        if voice.usable
    )
    return [
        f"{' and '.join(names)} would sound the same in the {tier.value} tier ({engine} voice {voice!r}); "
        f"distinct voices on this machine: {', '.join(usable) or '(none)'}"
        for (engine, voice, _), names in clones
    ]


def build_engines(
    cast: Mapping[str, VoiceRef], options: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, TTSEngine]:
    """One engine instance per engine the cast uses, built from the registry with per-engine ``options``."""
    options = options or {}
    names = sorted({ref.engine for ref in cast.values()})
    return {name: create_engine(name, **dict(options.get(name, {}))) for name in names}
