"""Speech requests, audio clips, and the TTS engine protocol."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from podwright.core.model import Record
from podwright.core.show import VoiceRef

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["AudioClip", "EngineVoice", "SpeechChecker", "SpeechRequest", "TTSEngine"]


class SpeechRequest(Record):
    """One chunk of text to speak in one voice."""

    text: str
    voice: VoiceRef
    key: str = ""
    """The chunk's content-address (engine, voice, settings, text); set by the chunker."""


@dataclass(frozen=True, slots=True)
class AudioClip:
    """Mono float32 samples in [-1, 1] at ``sample_rate``, with the compute time it took."""

    samples: npt.NDArray[np.float32]
    sample_rate: int
    compute_s: float = 0.0
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        """Length of the clip in seconds."""
        return len(self.samples) / self.sample_rate


class EngineVoice(Record):
    """A voice an engine offers, and whether it can be used on this machine."""

    engine: str
    voice: str
    description: str = ""
    usable: bool = True
    reason: str = ""
    """Why it is unusable, and the fix (empty when usable)."""
    languages: tuple[str, ...] = ()
    """BCP-47 tags of the languages the voice speaks; ``("mul",)`` for any language (a multilingual
    server); empty when the engine does not say (a plugin), and then the cast check trusts it."""


@runtime_checkable
class TTSEngine(Protocol):
    """A speech engine. ``load`` is the cold start; ``synthesize`` takes a batch of chunks.

    Engines are registered by name under the ``podwright.tts_engines`` entry-point group.
    """

    name: str
    sample_rate: int
    max_chars: int
    """Longest chunk the engine speaks well; the chunker splits text at sentence boundaries below it."""

    # Optional: ``batch_size`` (chunks per ``synthesize`` call, default 1), ``cache_identity``, and
    # ``shares_cpu`` (default True: synthesis computes on this machine's cores; False for a GPU or a
    # speech server, so take QA hears each window as soon as it fills).

    def load(self) -> float:
        """Load weights and warm up; returns the seconds it took. Idempotent."""
        ...

    def voices(self) -> list[EngineVoice]:
        """The voices this engine offers and whether each is usable here."""
        ...

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[AudioClip]:
        """Speak each request; one clip per request, in order."""
        ...


@runtime_checkable
class SpeechChecker(Protocol):
    """Hears takes back: speech recognition for take QA (faster-whisper in ``podwright.audio``).

    ``hear`` takes a batch of clips so the model can be fed several takes at once; it returns what
    was heard in each clip, in order.
    """

    def load(self) -> float:
        """Load the model; returns the seconds it took. Idempotent."""
        ...

    def hear(self, clips: Sequence[AudioClip]) -> list[str]:
        """The words heard in each clip, one string per clip, in order."""
        ...
