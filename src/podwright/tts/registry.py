"""Finding TTS engines by name through the ``podwright.tts_engines`` entry-point group."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

from podwright.core.errors import VoiceError
from podwright.core.speech import EngineVoice, TTSEngine

__all__ = ["ENTRY_POINT_GROUP", "create_engine", "describe_voice", "engine_names"]

ENTRY_POINT_GROUP = "podwright.tts_engines"


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def engine_names() -> list[str]:
    """Names of every registered engine, sorted."""
    return sorted(_entry_points())


def create_engine(name: str, **options: Any) -> TTSEngine:
    """Construct the engine registered as ``name`` with ``options`` (not loaded yet)."""
    found = _entry_points()
    if name not in found:
        raise VoiceError(
            f"unknown TTS engine {name!r}",
            hint=f"use one of: {', '.join(sorted(found)) or '(none registered)'}; "
            "plugins register under the 'podwright.tts_engines' entry-point group",
        )
    try:
        factory = found[name].load()
    except ImportError as exc:
        raise VoiceError(
            f"TTS engine {name!r} could not be imported: {exc}",
            hint="reinstall podwright with the extra that provides this engine",
        ) from exc
    engine = factory(**options)
    if not isinstance(engine, TTSEngine):
        raise VoiceError(
            f"entry point {name!r} does not build a TTSEngine",
            hint="the plugin must provide name, sample_rate, max_chars, load, voices and synthesize",
        )
    return engine


def describe_voice(engine: TTSEngine, voice: str) -> EngineVoice:
    """Whether ``engine`` can speak ``voice`` here, and if not, why and how to fix it.

    Engines that accept open-ended voice ids (a clip path, a server's own voices) answer through an
    optional ``voice_status(voice)`` method; otherwise the voice must be one ``voices()`` lists.
    """
    status = getattr(engine, "voice_status", None)
    if callable(status):
        answer = status(voice)
        if isinstance(answer, EngineVoice):
            return answer
    offered = engine.voices()
    for candidate in offered:
        if candidate.voice == voice:
            return candidate
    names = ", ".join(candidate.voice for candidate in offered) or "(none)"
    return EngineVoice(
        engine=engine.name,
        voice=voice,
        usable=False,
        reason=f"{engine.name} has no voice {voice!r}; it offers {names}",
    )
