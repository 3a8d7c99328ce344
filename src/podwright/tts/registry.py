"""Finding TTS engines by name through the ``podwright.tts_engines`` entry-point group."""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Callable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Union, get_args, get_origin

from podwright.core.errors import ConfigError, VoiceError
from podwright.core.speech import EngineVoice, TTSEngine

__all__ = [
    "ENTRY_POINT_GROUP",
    "check_options",
    "construct_engine",
    "create_engine",
    "describe_voice",
    "engine_names",
    "takes_option",
]

ENTRY_POINT_GROUP = "podwright.tts_engines"


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def engine_names() -> list[str]:
    """Names of every registered engine, sorted."""
    return sorted(_entry_points())


def create_engine(name: str, **options: Any) -> TTSEngine:
    """Construct the engine registered as ``name`` with ``options`` (not loaded yet).

    Options the constructor does not take, or values of the wrong type, raise :class:`ConfigError`
    naming the engine, the option and the accepted ones (they come from a show's ``[engines.NAME]``).
    """
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
    return construct_engine(name, factory, options)


def takes_option(name: str, option: str) -> bool:
    """Whether the engine registered as ``name`` is built with a keyword ``option`` (``False`` when the
    engine is unknown or cannot be imported: creating it reports that properly)."""
    found = _entry_points().get(name)
    if found is None:
        return False
    try:
        factory = found.load()
    except ImportError:
        return False
    parameters = _parameters(factory) or {}
    return option in parameters and parameters[option].kind is not inspect.Parameter.VAR_KEYWORD


def construct_engine(name: str, factory: Callable[..., Any], options: Mapping[str, Any]) -> TTSEngine:
    """Call an engine ``factory`` with ``options`` checked first; what :func:`create_engine` does once found.

    Bad options raise :class:`ConfigError` (so does a constructor that refuses a value with
    ``TypeError``/``ValueError``); a factory that builds no :class:`TTSEngine` raises :class:`VoiceError`.
    """
    check_options(name, factory, options)
    try:
        engine = factory(**options)
    except (TypeError, ValueError) as exc:
        if not options:
            raise
        # The signature passed, yet the constructor refused a value (a range, a combination).
        raise ConfigError(
            f"TTS engine {name!r} rejected its options: {exc}",
            hint=f"fix [engines.{name}] in the show file; {name} accepts {_accepted_text(factory)}",
        ) from exc
    if not isinstance(engine, TTSEngine):
        raise VoiceError(
            f"entry point {name!r} does not build a TTSEngine",
            hint="the plugin must provide name, sample_rate, max_chars, load, voices and synthesize",
        )
    return engine


def check_options(name: str, factory: Callable[..., Any], options: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` if ``options`` has a name or a value type ``factory`` does not take.

    The constructor's signature is the single source of truth: every keyword it takes is an option,
    and a plain annotation (``int``, ``float``, ``str``, ``bool``, ``None`` or a union of them) fixes
    the value's type. Factories without an inspectable signature are not checked.
    """
    parameters = _parameters(factory)
    if parameters is None or any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    hint = f"fix [engines.{name}] in the show file; {name} accepts {_accepted_text(factory)}"
    unknown = sorted(option for option in options if option not in parameters)
    if unknown:
        listed = ", ".join(_option_label(option) for option in unknown)
        raise ConfigError(f"TTS engine {name!r} has no option {listed}", hint=hint)
    module = sys.modules.get(getattr(factory, "__module__", ""), None)
    for option, value in options.items():
        allowed = _scalar_types(parameters[option].annotation, module)
        if allowed is not None and not _fits(value, allowed):
            # A show file cannot write None (TOML has no null), so naming it would only confuse.
            wanted = " or ".join(sorted(t.__name__ for t in allowed if t is not type(None))) or "unset"
            raise ConfigError(
                f"TTS engine {name!r} option {_option_label(option)} must be {wanted}, "
                f"not {type(value).__name__} {value!r}",
                hint=hint,
            )


def _parameters(factory: Callable[..., Any]) -> dict[str, inspect.Parameter] | None:
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return None
    keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {
        p.name: p
        for p in signature.parameters.values()
        if p.kind in keyword or p.kind is inspect.Parameter.VAR_KEYWORD
    }


def _accepted_text(factory: Callable[..., Any]) -> str:
    """The options a show file can set: keywords whose annotation is not a callable seam."""
    parameters = _parameters(factory) or {}
    names = [
        p.name
        for p in parameters.values()
        if p.kind is not p.VAR_KEYWORD and "Callable" not in str(p.annotation)
    ]
    return ", ".join(names) if names else "no options"


def _option_label(option: str) -> str:
    # ``api_key`` reaches an engine from the show file's ``api_key_env``; name what the producer wrote.
    return "'api_key' (from api_key_env)" if option == "api_key" else repr(option)


_SCALARS = (bool, int, float, str, type(None))


def _scalar_types(annotation: Any, module: types.ModuleType | None) -> tuple[type, ...] | None:
    """The plain types ``annotation`` allows, or ``None`` when it is anything richer (then unchecked)."""
    if annotation is inspect.Parameter.empty:
        return None
    if isinstance(annotation, str):
        # Postponed annotations are strings; evaluating one in its own module is what typing does, and a
        # name imported only for type checking just leaves that option unchecked.
        try:
            annotation = eval(annotation, vars(module) if module else {}, {})
        except Exception:
            return None
    if annotation is None:
        return (type(None),)
    if get_origin(annotation) in (Union, types.UnionType):
        members = [_scalar_types(arg, module) for arg in get_args(annotation)]
        if any(member is None for member in members):
            return None
        return tuple(t for member in members if member for t in member)
    return (annotation,) if annotation in _SCALARS else None


def _fits(value: Any, allowed: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        # TOML's true is an int to Python; it is only a fit where the engine asks for a bool.
        return bool in allowed
    if isinstance(value, int) and float in allowed:
        return True
    return isinstance(value, allowed)


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
