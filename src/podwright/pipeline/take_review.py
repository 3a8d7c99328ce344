"""Take QA beside synthesis: takes are heard as the engines make them, packed and batched, on one thread.

Engine workers hand each fresh take to :meth:`TakeReview.submit` and go on synthesizing; the review
thread gathers ``[qa] batch_s`` seconds of takes (by default 240 while a voice shares this machine's
cores, one window when the voices are a GPU or a server: :meth:`TakeReview.fit_to`), hears them with one
speech-checker call (Whisper packs them into its 30-second windows, ``[qa] window_s``, and runs the
windows through the model together), checks each take (:func:`podwright.stages.take_check.check_take`)
and posts the verdict to the worker's inbox. A worker with nothing left to synthesize but verdicts to
wait for calls :meth:`TakeReview.flush`, and the takes waiting are heard at once, however few: a batch
is never waited on by the engines that would fill it. On a CPU, where Whisper's encoder costs the same
for a 3-second take as for a full window, one call per take costs about four times what the packed
batch does (docs/bench/qa.md).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from podwright.audio.whisper_checker import GAP_S
from podwright.core.model import Record
from podwright.core.show import QASettings, VoiceRef
from podwright.core.speech import AudioClip, SpeechChecker, SpeechRequest, TTSEngine
from podwright.stages.take_check import TakeProblem, TakeVerdict, check_take, letters

__all__ = ["CPU_BATCH_S", "LineCheck", "QAReport", "ReviewRun", "Take", "TakeReview", "retake_voice"]


def retake_voice(voice: VoiceRef, take: int) -> VoiceRef:
    """``voice`` with another ``seed`` for retake number ``take`` (1, 2, ...): its seed plus ``take``."""
    base = voice.settings.get("seed", 0)
    seed = int(base) if isinstance(base, int | float) and not isinstance(base, bool) else 0
    return voice.model_copy(update={"settings": {**voice.settings, "seed": seed + take}})


@dataclass(frozen=True, slots=True)
class Take:
    """One synthesized take of a chunk: ``number`` 0 is the first, 1.. are retakes."""

    request: SpeechRequest
    """What was spoken (a retake's voice carries its own seed; ``key`` is the chunk's cache key)."""
    clip: AudioClip
    number: int
    rehearing: bool = False
    """The samples of an earlier take heard once more (a voice that ignores the seed), not a new take."""


class LineCheck(Record):
    """QA's record of one chunk: every take's verdict and which take was kept."""

    key: str
    text: str
    host: str = ""
    segment: int = 0
    turn: int = 0
    takes: tuple[TakeVerdict, ...]
    kept: int
    """Index in ``takes`` of the take that went into the episode (and the chunk cache)."""
    flagged: bool
    """True when no take passed: a person should hear this line before it is published."""
    from_cache: bool = False
    """True when the kept take came from the chunk cache and was heard in an earlier render."""

    @property
    def verdict(self) -> TakeVerdict:
        """The kept take's verdict."""
        return self.takes[self.kept]


class QAReport(Record):
    """Take QA of one voicing run: every chunk checked, what it cost, and the flagged lines."""

    model: str
    lines: tuple[LineCheck, ...]
    takes_heard: int
    """Takes the checker heard in this run (retakes included, cached verdicts excluded)."""
    retakes: int
    """Takes re-synthesized because an earlier take failed."""
    batches: int
    compute_s: float
    """Seconds the checker spent hearing and checking (the QA's own compute)."""
    load_s: float

    @property
    def flagged(self) -> tuple[LineCheck, ...]:
        """The lines no take of which passed."""
        return tuple(line for line in self.lines if line.flagged)


CPU_BATCH_S = 240.0
"""Seconds of takes a batch waits for while a voice shares this machine's cores (``TakeReview.fit_to``)."""

_STOP = object()
_FLUSH = object()
_PACE_TAKES = 3


class TakeReview:
    """Hears and checks takes on its own thread; verdicts go to the inbox each take was submitted with.

    Use as a context manager around a voicing run; ``error`` holds what stopped the thread, if anything.
    """

    def __init__(self, checker: SpeechChecker, settings: QASettings, *, model: str | None = None) -> None:
        self.checker = checker
        self.settings = settings
        self.model = model or settings.model
        self.error: BaseException | None = None
        self.takes_heard = 0
        self.batches = 0
        self.confirmations = 0
        """Takes heard a second time, alone, to confirm a word failure heard in a batch."""
        self.compute_s = 0.0
        self.load_s = 0.0
        self.batch_s = settings.batch_s if settings.batch_s is not None else CPU_BATCH_S
        """Seconds of takes a batch waits for (``[qa] batch_s``, else set by :meth:`fit_to` the voices)."""
        self.fixed_voices: set[tuple[str, str]] = set()
        """Voices (engine, voice) that gave a retake the very samples of an earlier take: they ignore
        the seed, so their failed lines are heard once more instead of synthesized again."""
        self._paces: dict[tuple[str, str], list[float]] = {}
        self._queue: queue.Queue[Any] = queue.Queue()
        self._carried: list[tuple[Take, queue.Queue[Any]]] = []
        """Takes left out of the last batch (they would have half-filled a window): the next batch's first."""
        self._thread: threading.Thread | None = None

    def __enter__(self) -> TakeReview:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the review thread (loading the checker first, on that thread)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="take-review", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop the thread after the takes already submitted."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    def fit_to(self, engines: Iterable[TTSEngine]) -> None:
        """Size batches for the voices of a render, unless the show set ``[qa] batch_s``.

        While a voice computes on this machine's cores, Whisper's time is the voice's: batches wait
        for :data:`CPU_BATCH_S` of takes, fewer and fuller calls. When every voice is a GPU or a speech
        server the cores are idle while it speaks: each window is heard as soon as it fills, so
        verdicts (and retakes) come while the voice is still busy, not after it.
        """
        if self.settings.batch_s is not None:
            return
        on_cpu = any(getattr(engine, "shares_cpu", True) for engine in engines)
        self.batch_s = CPU_BATCH_S if on_cpu else self.settings.window_s

    def submit(self, take: Take, inbox: queue.Queue[Any]) -> None:
        """Hear ``take`` soon; ``(take, verdict)`` is put in ``inbox`` once it is checked."""
        self._queue.put((take, inbox))

    def flush(self) -> None:
        """Hear the takes submitted so far without waiting for a full window (the caller waits on them)."""
        self._queue.put(_FLUSH)

    def check(self, text: str, heard: str, clip: AudioClip, voice: VoiceRef | None = None) -> TakeVerdict:
        """The verdict on one take of ``text`` in ``voice``; a passed take teaches the voice's pace."""
        key = (voice.engine, voice.voice) if voice is not None else None
        paces = self._paces.get(key, []) if key is not None else []
        # The voice's pace is known once three of its takes passed: the median of their seconds per letter.
        pace = sorted(paces)[len(paces) // 2] if len(paces) >= _PACE_TAKES else None
        verdict = check_take(
            text, heard, clip.samples, clip.sample_rate, self.settings, pace_s_per_letter=pace
        )
        count = letters(text)
        if key is not None and verdict.passed and count:
            self._paces.setdefault(key, []).append(verdict.duration_s / count)
        return verdict

    def _batch(
        self, first: tuple[Take, queue.Queue[Any]]
    ) -> tuple[list[tuple[Take, queue.Queue[Any]]], bool]:
        """``batch_s`` seconds of takes in full windows, or fewer on a flush or a stop; takes that would
        only half-fill a last window wait for the next batch (unless a worker waits on them)."""
        batch = [first]
        window = self.settings.window_s
        filled = 0.0  # seconds of the window being filled
        full = 0  # takes in ``batch`` that sit in full windows
        total = 0.0
        flushed = stopping = False
        item: Any = first
        while True:
            seconds = _packed_s(item)
            if filled and filled + seconds > window:
                full, filled = len(batch) - 1, 0.0
            filled += seconds
            total += seconds
            if filled >= window:
                full, filled = len(batch), 0.0
            if total >= self.batch_s:
                break
            item = self._next()
            if item is _STOP or item is _FLUSH:
                stopping, flushed = item is _STOP, True
                break
            batch.append(item)
        if not flushed and 0 < full < len(batch):
            # Nothing waits on the half-filled last window yet: its takes open the next batch.
            self._carried, batch = batch[full:], batch[:full]
        return batch, stopping

    def _next(self) -> Any:
        """The next take (or marker): a carried take first, then the queue's (waiting for one)."""
        return self._carried.pop(0) if self._carried else self._queue.get()

    def _run(self) -> None:
        try:
            self.load_s = self.checker.load()
        except BaseException as exc:
            self.error = exc
        stopping = False
        while not stopping:
            item = self._next()
            if item is _STOP:
                return
            if item is _FLUSH:
                continue  # nothing is waiting
            batch, stopping = self._batch(item)
            if self.error is not None:
                continue  # the workers see ``error`` and stop; drain what is left
            try:
                self._hear(batch)
            except BaseException as exc:
                self.error = exc

    def _hear(self, batch: Sequence[tuple[Take, queue.Queue[Any]]]) -> None:
        started = time.perf_counter()
        heard = self.checker.hear([take.clip for take, _ in batch])
        if len(heard) != len(batch):
            raise RuntimeError(f"the speech checker heard {len(heard)} takes of {len(batch)}")
        verdicts = [
            self.check(take.request.text, text, take.clip, take.request.voice)
            for (take, _), text in zip(batch, heard, strict=True)
        ]
        if len(batch) > 1:
            # Heard in a batch, a take's words can drift into its neighbour's; a word failure is
            # confirmed by hearing that take alone before it costs a retake.
            for index, ((take, _), verdict) in enumerate(zip(batch, verdicts, strict=True)):
                if TakeProblem.WORDS in verdict.problems:
                    (alone,) = self.checker.hear([take.clip])
                    verdicts[index] = self.check(take.request.text, alone, take.clip, take.request.voice)
                    self.confirmations += 1
        self.compute_s += time.perf_counter() - started
        self.takes_heard += len(batch)
        self.batches += 1
        for (take, inbox), verdict in zip(batch, verdicts, strict=True):
            inbox.put((take, verdict))


def _packed_s(item: tuple[Take, queue.Queue[Any]]) -> float:
    """Seconds a take fills in a packed window: its length and the silence after it."""
    return item[0].clip.duration_s + GAP_S


class ReviewRun:
    """One voicing run's take QA: where each chunk sits in the script, and the lines settled so far.

    Engine workers settle chunks from their own threads; the report is read once they are all done.
    """

    def __init__(
        self, review: TakeReview, places: dict[str, tuple[str, int, int]], order: Sequence[str]
    ) -> None:
        self.review = review
        self.places = places
        self.order = {key: index for index, key in enumerate(order)}
        self.lines: dict[str, LineCheck] = {}
        self.retakes = 0
        self._lock = threading.Lock()
        self._start = (review.takes_heard, review.batches, review.compute_s)

    def keep(
        self,
        key: str,
        text: str,
        verdicts: Sequence[TakeVerdict],
        kept: int,
        *,
        from_cache: bool = False,
        retaken: int | None = None,
    ) -> None:
        """Record chunk ``key``'s takes and the one kept; ``retaken`` is how many of them were
        synthesized again (default: every take after the first)."""
        host, segment, turn = self.places.get(key, ("", 0, 0))
        line = LineCheck(
            key=key,
            text=text,
            host=host,
            segment=segment,
            turn=turn,
            takes=tuple(verdicts),
            kept=kept,
            flagged=not verdicts[kept].passed,
            from_cache=from_cache,
        )
        with self._lock:
            self.lines[key] = line
            self.retakes += 0 if from_cache else (len(verdicts) - 1 if retaken is None else retaken)

    def report(self) -> QAReport:
        """The run's QA report, lines in script order."""
        heard, batches, compute_s = self._start
        review = self.review
        return QAReport(
            model=review.model,
            lines=tuple(sorted(self.lines.values(), key=lambda line: self.order.get(line.key, 0))),
            takes_heard=review.takes_heard - heard,
            retakes=self.retakes,
            batches=review.batches - batches,
            compute_s=round(review.compute_s - compute_s, 4),
            load_s=round(review.load_s, 4),
        )
