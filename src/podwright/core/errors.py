"""The one error tree of podwright.

Every failure a producer can cause or fix is a :class:`PodwrightError` whose message says what went
wrong and, in ``hint``, what to do about it. Adapters translate third-party exceptions at their
boundary (``raise SourceError(...) from exc``) so nothing above them sees an ``httpx`` or
``onnxruntime`` exception. The CLI prints ``message`` and ``hint`` on one line and exits non-zero.

::

    PodwrightError
    ├── ConfigError            show file, config or environment is wrong
    ├── SourceError            a document or URL could not be ingested
    ├── LLMError               a script-writing call failed
    │   ├── ProviderError      the provider answered with an error (status, retryable?)
    │   ├── BudgetExceeded     the call would push the episode over its budget (not made)
    │   └── OutputError        the model's answer stayed invalid after one repair
    ├── VoiceError             a voice or engine is unusable here
    │   └── SynthesisError     an engine failed while speaking a chunk
    ├── AudioError             mixing, mastering, encoding or tagging failed
    ├── ImageError             an image could not be generated
    ├── StoreError             the SQLite store is unusable
    ├── JobError               an invalid job transition or unknown job
    ├── EpisodeError           an unknown episode, or a lifecycle step it cannot take (publish unapproved)
    └── Cancelled              long work stopped because the producer cancelled it
"""

from __future__ import annotations

__all__ = [
    "AudioError",
    "BudgetExceeded",
    "Cancelled",
    "ConfigError",
    "EpisodeError",
    "ImageError",
    "JobError",
    "LLMError",
    "OutputError",
    "PodwrightError",
    "ProviderError",
    "SourceError",
    "StoreError",
    "SynthesisError",
    "VoiceError",
]


class PodwrightError(Exception):
    """Base of every error podwright raises on purpose.

    ``message`` names the problem; ``hint`` names the fix (may be empty).
    """

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigError(PodwrightError):
    """A show file, config file or environment variable is missing or invalid."""


class SourceError(PodwrightError):
    """A source document or URL could not be turned into text."""


class LLMError(PodwrightError):
    """A script-writing LLM call failed."""


class ProviderError(LLMError):
    """The provider answered with an error, or did not answer in time.

    ``status`` is the HTTP status (``None`` for timeouts and connection errors); ``retry_after`` is
    the server's ``Retry-After`` in seconds when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        timeout: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.retry_after = retry_after
        self.timeout = timeout


class BudgetExceeded(LLMError):
    """A call was refused, before it was made, because it would exceed the episode's budget."""


class OutputError(LLMError):
    """A model's answer was still not valid for its schema after one repair attempt."""


class VoiceError(PodwrightError):
    """A voice or TTS engine cannot be used on this machine."""


class SynthesisError(VoiceError):
    """An engine failed while synthesizing a chunk."""


class AudioError(PodwrightError):
    """Mixing, loudness mastering, encoding or tagging failed."""


class ImageError(PodwrightError):
    """An image engine failed to produce an image."""


class StoreError(PodwrightError):
    """The SQLite store could not be opened, migrated or written."""


class JobError(PodwrightError):
    """A production-queue job is unknown or cannot make the requested transition."""


class EpisodeError(PodwrightError):
    """An episode is unknown, or cannot take the lifecycle step asked of it (publishing a draft)."""


class Cancelled(PodwrightError):
    """Long work (a render, a script) stopped between two steps because the producer cancelled it.

    What was finished before the stop (synthesized chunks, paid answers) is kept in the caches.
    """
