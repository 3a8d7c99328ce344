"""The image pool: a bounded number of images in flight, rate-limit backoff, and a title card on failure.

Image services are slow (several seconds an image) and rate limited, so an episode's images are made
concurrently by at most ``workers`` at a time. A worker that is told "429, retry after N s" waits
while keeping its slot, so a rate-limited service is not hit harder. An image that still fails, or
takes longer than ``timeout_s``, is replaced by the fallback engine's title card: a missing picture
never fails an episode.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from podwright.core import ImageError
from podwright.core.files import atomic_write_bytes
from podwright.core.images import GeneratedImage, ImageEngine, ImageRateLimited, ImageRequest

__all__ = ["ImageOutcome", "ImageRetry", "backoff_delay", "render_images"]

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ImageRetry:
    """How patiently a rate-limited image is asked for again."""

    max_attempts: int = 4
    """Attempts in all, the first included (1 disables retries)."""
    base_delay_s: float = 1.0
    """Wait before the first retry when the server names none; doubles each retry."""
    max_delay_s: float = 60.0
    """No single wait is longer, whatever ``Retry-After`` asks."""
    jitter: float = 0.25
    """Up to this fraction of a backoff is randomly taken off, so workers do not return in lockstep."""


def backoff_delay(
    policy: ImageRetry, attempt: int, *, retry_after: float | None, rand: float
) -> float | None:
    """Seconds to wait after ``attempt`` failed attempts, or ``None`` to give up.

    The server's ``Retry-After`` wins (capped); otherwise exponential backoff minus up to ``jitter``.
    ``rand`` is a uniform draw in ``[0, 1)`` supplied by the caller, which keeps this function pure.
    """
    if attempt >= policy.max_attempts:
        return None
    if retry_after is not None:
        return min(max(retry_after, 0.0), policy.max_delay_s)
    delay = min(policy.base_delay_s * 2.0 ** (attempt - 1), policy.max_delay_s)
    return delay * (1 - policy.jitter * rand)


@dataclass(frozen=True, slots=True)
class ImageOutcome:
    """Where one image landed and how it got there."""

    target: str
    path: Path
    engine: str
    """The engine whose image was written (the fallback's name when it fell back)."""
    fell_back: bool
    seconds: float
    """Wall time from taking a worker slot to the file being written."""
    attempts: int
    """Calls made to the main engine (0 when it was the fallback itself)."""
    error: str | None = None
    """Why the main engine's image was not used, when it fell back."""


@dataclass(slots=True)
class _Pool:
    engine: ImageEngine
    fallback: ImageEngine
    out_dir: Path
    slots: asyncio.Semaphore
    timeout_s: float
    retry: ImageRetry
    sleep: Sleep
    rand: Callable[[], float]
    outcomes: dict[str, ImageOutcome] = field(default_factory=dict)

    async def make(self, request: ImageRequest) -> None:
        async with self.slots:
            started = time.perf_counter()
            attempts: list[int] = []
            error: str | None = None
            image: GeneratedImage | None = None
            if self.engine is not self.fallback:
                try:
                    async with asyncio.timeout(self.timeout_s):
                        image = await self._with_retries(request, attempts)
                except TimeoutError:
                    error = f"{self.engine.name} took longer than {self.timeout_s:g} s"
                except ImageError as exc:
                    error = str(exc)
            if image is None:
                image = await self.fallback.generate(request)
            path = await asyncio.to_thread(_write_atomically, self.out_dir, request.target, image)
            self.outcomes[request.target] = ImageOutcome(
                target=request.target,
                path=path,
                engine=image.engine,
                fell_back=error is not None,
                seconds=time.perf_counter() - started,
                attempts=len(attempts),
                error=error,
            )

    async def _with_retries(self, request: ImageRequest, attempts: list[int]) -> GeneratedImage:
        # ``attempts`` is filled as calls are made, so the count survives a timeout or a final failure.
        while True:
            attempts.append(len(attempts) + 1)
            attempt = len(attempts)
            try:
                return await self.engine.generate(request)
            except ImageRateLimited as exc:
                delay = backoff_delay(self.retry, attempt, retry_after=exc.retry_after, rand=self.rand())
                if delay is None:
                    raise ImageError(
                        f"{self.engine.name}: still rate limited after {attempt} attempts ({exc.message})",
                        hint="lower --workers or raise the service's quota",
                    ) from exc
                await self.sleep(delay)


def _write_atomically(out_dir: Path, target: str, image: GeneratedImage) -> Path:
    path = out_dir / f"{target}{image.extension}"
    atomic_write_bytes(path, image.data)
    # An earlier run may have left the other format under the same target; keep one file per target.
    for stale in out_dir.glob(f"{target}.*"):
        if stale != path and stale.suffix in (".png", ".jpg"):
            stale.unlink(missing_ok=True)
    return path


async def render_images(
    requests: Sequence[ImageRequest],
    engine: ImageEngine,
    *,
    out_dir: Path,
    fallback: ImageEngine,
    workers: int = 4,
    timeout_s: float = 120.0,
    retry: ImageRetry | None = None,
    sleep: Sleep = asyncio.sleep,
    rand: Callable[[], float] = random.random,
) -> list[ImageOutcome]:
    """Make every image in ``requests`` into ``out_dir`` (``<target>.png``), ``workers`` at a time.

    Returns one outcome per request, in request order. A failed or timed-out image is drawn by
    ``fallback`` instead; only a failure of the fallback itself raises.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    targets = [request.target for request in requests]
    if len(set(targets)) != len(targets):
        raise ValueError(f"image targets must be unique, got {targets}")
    pool = _Pool(
        engine=engine,
        fallback=fallback,
        out_dir=out_dir,
        slots=asyncio.Semaphore(workers),
        timeout_s=timeout_s,
        retry=retry or ImageRetry(),
        sleep=sleep,
        rand=rand,
    )
    try:
        async with asyncio.TaskGroup() as group:
            for request in requests:
                group.create_task(pool.make(request))
    except ExceptionGroup as failures:
        # Only the fallback can fail here; report its own error, not a group of one.
        first = failures.exceptions[0]
        if isinstance(first, ImageError):
            raise first from failures
        raise
    return [pool.outcomes[target] for target in targets]
