"""The ``chatterbox`` engine: Resemble AI's Chatterbox in-process on a GPU, the publishable final voice.

What makes it cheap per episode: the model loads once per render session (``load`` is the cold start);
a voice's conditioning (speaker embedding and prompt tokens from its reference clip) is computed once
and cached, so requests are grouped per voice and the model switches conditioning once per voice;
each voice has a fixed seed so a re-render of the same chunk sounds the same; chunks stay ≤ ~300
characters (longer ones drift); edge silence is trimmed. Weights come from ``weights_dir`` or the local
Hugging Face cache; podwright never downloads them.

``multilingual = true`` loads Chatterbox Multilingual (``chatterbox.mtl_tts``, chatterbox-tts ≥ 0.1.4)
instead, which speaks the 23 languages of :data:`MULTILINGUAL_LANGUAGES`; the engine is told the
show's language (``language``, filled in from the show when the show file does not set it) and
passes it to every ``generate`` call. The English model speaks English only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from podwright.core.errors import SynthesisError, VoiceError
from podwright.core.show import VoiceRef
from podwright.core.speech import AudioClip, EngineVoice, SpeechRequest
from podwright.tts.batching import plan_batches, voice_id
from podwright.tts.silence import limit_peak, trim_edge_silence

__all__ = ["DEFAULT_VOICE", "MULTILINGUAL_LANGUAGES", "ChatterboxEngine"]

DEFAULT_VOICE = "default"
"""The model's built-in conditioning; any other voice id is a path to a reference clip (5–15 s WAV)."""
_REPO = "ResembleAI/chatterbox"
_INSTALL_HINT = "pip install 'podwright[chatterbox]' on a machine with an NVIDIA GPU"

MULTILINGUAL_LANGUAGES = (
    "ar", "da", "de", "el", "en", "es", "fi", "fr", "he", "hi", "it", "ja",
    "ko", "ms", "nl", "no", "pl", "pt", "ru", "sv", "sw", "tr", "zh",
)  # fmt: skip
"""What Chatterbox Multilingual speaks (its ``SUPPORTED_LANGUAGES``; ``language_id`` takes these codes)."""


def _default_factory(weights_dir: str | None, device: str) -> Any:
    """Load ChatterboxTTS from ``weights_dir`` or the local HF cache, never from the network."""
    from chatterbox.tts import ChatterboxTTS

    if weights_dir is None:
        from huggingface_hub import snapshot_download

        weights_dir = snapshot_download(repo_id=_REPO, local_files_only=True)
    return ChatterboxTTS.from_local(weights_dir, device)


def _multilingual_factory(weights_dir: str | None, device: str) -> Any:
    """Load ChatterboxMultilingualTTS from ``weights_dir`` or the local HF cache, never from the network."""
    from chatterbox.mtl_tts import ChatterboxMultilingualTTS

    if weights_dir is None:
        from huggingface_hub import snapshot_download

        weights_dir = snapshot_download(repo_id=_REPO, local_files_only=True)
    return ChatterboxMultilingualTTS.from_local(weights_dir, device)


def _torch_seed(seed: int) -> None:
    import torch

    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def _to_samples(wav: Any) -> np.ndarray[Any, np.dtype[np.float32]]:
    if hasattr(wav, "detach"):
        wav = wav.detach().float().cpu().numpy()
    return np.asarray(wav, dtype=np.float32).reshape(-1)


def voice_seed(voice: VoiceRef) -> int:
    """The voice's fixed seed: its ``seed`` setting, else derived from the voice id (stable across runs)."""
    if "seed" in voice.settings:
        return int(voice.settings["seed"])
    return int.from_bytes(hashlib.sha256(voice.voice.encode()).digest()[:4], "big")


def _generate_options(voice: VoiceRef) -> dict[str, float]:
    """Keyword arguments for ``generate``; the newer-release knobs only when the voice sets them."""
    options = {
        "exaggeration": float(voice.settings.get("exaggeration", 0.5)),
        "temperature": float(voice.settings.get("temperature", 0.8)),
    }
    for name in ("cfg_weight", "min_p", "top_p", "repetition_penalty"):
        if name in voice.settings:
            options[name] = float(voice.settings[name])
    return options


class ChatterboxEngine:
    """Speaks with Chatterbox. Settings: ``exaggeration``, ``cfg_weight``, ``temperature``, ``seed``.

    ``model_factory(weights_dir, device)`` and ``seeder(seed)`` replace the real model loader and
    ``torch.manual_seed``; tests inject a small fake with ``prepare_conditionals``, ``generate``, ``sr``
    and ``conds``.
    """

    name = "chatterbox"

    def __init__(
        self,
        weights_dir: str | None = None,
        device: str = "cuda",
        max_chars: int = 300,
        batch_size: int = 8,
        multilingual: bool = False,
        language: str = "en",
        *,
        model_factory: Callable[[str | None, str], Any] | None = None,
        seeder: Callable[[int], None] | None = None,
    ) -> None:
        self.weights_dir = weights_dir
        self.device = device
        self.shares_cpu = device == "cpu"
        """Whether synthesis runs on this machine's cores: on a GPU, take QA's Whisper has them."""
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.sample_rate = 24_000
        self.version = "chatterbox"
        self.multilingual = multilingual
        self.language = language
        """The language every chunk is spoken in (multilingual only): the show's, by default."""
        self._factory = model_factory
        self._seeder = seeder
        self._model: Any = None
        self._conds: dict[str, Any] = {}
        self._active: str | None = None
        self._builtin_conds: Any = None
        self._lock = threading.Lock()
        self.conditioning_computed = 0
        """How many times a reference clip was turned into conditioning (once per voice when warm)."""

    @property
    def cache_identity(self) -> str:
        """What changes this engine's audio: its version, where its weights come from, and (multilingual)
        the model and the language it speaks."""
        identity = f"{self.version}; weights={self.weights_dir or 'default'}"
        return f"{identity}; multilingual={self.language_id}" if self.multilingual else identity

    @property
    def language_id(self) -> str:
        """The ``language_id`` Chatterbox Multilingual is given: the base language of ``language``."""
        return self.language.replace("_", "-").split("-")[0].lower()

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this engine's voices speak: English, or the multilingual model's 23."""
        return MULTILINGUAL_LANGUAGES if self.multilingual else ("en",)

    timbre_settings: frozenset[str] = frozenset({"exaggeration"})
    """Voice settings that change how the speaker sounds enough to tell two hosts apart."""

    def unusable_reason(self) -> str:
        """Why the engine cannot run here, with the fix; empty when it can (or a factory is injected)."""
        if self._factory is not None:
            return ""
        if importlib.util.find_spec("chatterbox") is None:
            return f"chatterbox-tts is not installed; {_INSTALL_HINT}"
        if self.multilingual and importlib.util.find_spec("chatterbox.mtl_tts") is None:
            return "this chatterbox-tts has no multilingual model; pip install 'chatterbox-tts>=0.1.4'"
        if self.device.startswith("cuda"):
            import torch

            if not torch.cuda.is_available():
                return (
                    "no CUDA GPU on this machine; render the final tier on a GPU backend (Modal, Ray) "
                    "or set device='cpu'"
                )
        if self.weights_dir is not None and not Path(self.weights_dir).is_dir():
            return (
                f"weights_dir {self.weights_dir} does not exist; copy the ResembleAI/chatterbox files there"
            )
        if self.weights_dir is None:
            try:
                from huggingface_hub import snapshot_download

                snapshot_download(repo_id=_REPO, local_files_only=True)
            except Exception:
                return (
                    f"no weights: set weights_dir to a folder with the {_REPO} files, "
                    "or pre-populate the Hugging Face cache on this machine"
                )
        return ""

    def voice_status(self, voice: str) -> EngineVoice:
        """Usable when the engine can run and the voice is ``default`` or an existing reference clip."""
        reason = self.unusable_reason()
        if not reason and voice != DEFAULT_VOICE and not Path(voice).expanduser().is_file():
            reason = f"reference clip {voice} does not exist; give a path to a 5–15 s WAV of the speaker"
        description = "built-in voice" if voice == DEFAULT_VOICE else f"cloned from {Path(voice).name}"
        if self.multilingual:
            description += ", multilingual"
        return EngineVoice(
            engine=self.name,
            voice=voice,
            description=description,
            usable=not reason,
            reason=reason,
            languages=self.languages,
        )

    def voices(self) -> list[EngineVoice]:
        """The built-in voice; any reference clip path is a voice too."""
        return [self.voice_status(DEFAULT_VOICE)]

    def load(self) -> float:
        """Load the weights onto the device (the cold start); returns the seconds it took."""
        with self._lock:
            if self._model is not None:
                return 0.0
            reason = self.unusable_reason()
            if reason:
                raise VoiceError("the chatterbox engine cannot run here", hint=reason)
            started = time.perf_counter()
            factory = self._factory or (_multilingual_factory if self.multilingual else _default_factory)
            try:
                self._model = factory(self.weights_dir, self.device)
            except (ImportError, OSError, RuntimeError, ValueError) as exc:
                raise VoiceError(f"chatterbox could not load its weights: {exc}", hint=_INSTALL_HINT) from exc
            self.sample_rate = int(self._model.sr)
            self._builtin_conds = self._model.conds
            return time.perf_counter() - started

    def _condition(self, voice: VoiceRef) -> None:
        """Make ``voice`` the model's active conditioning, computing it only the first time."""
        key = voice_id(voice)
        if self._active == key:
            return
        if key not in self._conds:
            exaggeration = float(voice.settings.get("exaggeration", 0.5))
            if voice.voice == DEFAULT_VOICE:
                self._conds[key] = self._builtin_conds
            else:
                self._model.prepare_conditionals(
                    str(Path(voice.voice).expanduser()), exaggeration=exaggeration
                )
                self._conds[key] = self._model.conds
                self.conditioning_computed += 1
        self._model.conds = self._conds[key]
        self._active = key

    def synthesize(self, requests: Sequence[SpeechRequest]) -> list[AudioClip]:
        """Speak each request; grouped per voice internally, returned in input order."""
        self.load()
        results: list[AudioClip | None] = [None] * len(requests)
        seeder = self._seeder or _torch_seed
        with self._lock:
            for batch in plan_batches(requests, self.batch_size):
                self._condition(batch.voice)
                options: dict[str, Any] = dict(_generate_options(batch.voice))
                if self.multilingual:
                    options["language_id"] = self.language_id
                for index, request in zip(batch.indexes, batch.requests, strict=True):
                    # A fixed seed per chunk, not per batch: the chunk sounds the same however it was batched.
                    seeder(voice_seed(batch.voice))
                    started = time.perf_counter()
                    try:
                        wav = self._model.generate(request.text, **options)
                    except Exception as exc:
                        raise SynthesisError(
                            f"chatterbox failed on {request.text[:60]!r}: {exc}",
                            hint="keep chunks under 300 characters; check GPU memory",
                        ) from exc
                    samples = trim_edge_silence(_to_samples(wav), self.sample_rate)
                    results[index] = AudioClip(
                        samples=limit_peak(samples),
                        sample_rate=self.sample_rate,
                        compute_s=time.perf_counter() - started,
                    )
        return [clip for clip in results if clip is not None]
