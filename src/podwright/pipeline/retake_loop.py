"""One engine worker's retake loop under take QA: takes go to be heard as they come out, failed ones
come back as retakes, and each chunk settles on its best take.

Retakes jump the engine's queue (a listener waits on them). A chunk is settled when a take passes or
``[qa] retakes`` retakes have failed too, so an always-bad line ends flagged, never looping. A voice
that ignores the seed (a retake came back as the very samples of an earlier take) is remembered by the
review: a later failed line of it is heard once more, as the same samples in other company (Whisper's
hearing, not the voice, may have been wrong), instead of being synthesized again, and it never gets a
third take, which could not differ. Only the kept take enters the chunk cache.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from podwright.core.speech import AudioClip, SpeechRequest, TTSEngine
from podwright.pipeline.take_review import ReviewRun, Take, retake_voice
from podwright.stages.take_check import TakeVerdict, best_take
from podwright.tts.batching import plan_batches
from podwright.tts.cache import ChunkCache

__all__ = ["RetakeLoop", "Speak"]

Speak = Callable[[Sequence[SpeechRequest]], tuple[list[AudioClip], float]]
"""Synthesizes a batch with the worker's engine: its clips and compute seconds."""
Spoken = Callable[[Sequence[AudioClip], float, bool], None]
"""Told of each synthesized batch: its clips, compute seconds, and whether they were retakes."""

_Heard = list[tuple[Take, TakeVerdict]]


@dataclass
class RetakeLoop:
    """Synthesizes one engine's chunks under take QA, writing each settled chunk into ``audio``."""

    engine: TTSEngine
    speak: Speak
    spoken: Spoken
    cache: ChunkCache
    run: ReviewRun
    audio: dict[str, AudioClip]
    inbox: queue.Queue[tuple[Take, TakeVerdict]] = field(default_factory=queue.Queue)
    takes: dict[str, _Heard] = field(default_factory=dict)
    retakes: list[SpeechRequest] = field(default_factory=list)
    """Chunks to synthesize again (another seed), before any new chunk."""
    rehear: list[Take] = field(default_factory=list)
    """Takes of seed-ignoring voices to be heard once more, instead of synthesized again."""

    def voice(
        self, requests: Sequence[SpeechRequest], unheard: Sequence[Take], stop: threading.Event
    ) -> None:
        """Speak ``requests`` and hear ``unheard`` (cached takes never heard) until every chunk is settled."""
        review = self.run.review
        review.start()
        for take in unheard:
            review.submit(take, self.inbox)
        batch_size = max(1, int(getattr(self.engine, "batch_size", 1)))
        batches = deque(plan_batches(requests, batch_size))
        waiting = len(unheard)
        flushed = False
        while True:
            if stop.is_set():
                return
            if review.error is not None:
                raise review.error
            while not self.inbox.empty():
                waiting -= self._settle(self.inbox.get_nowait())
            while self.rehear:
                review.submit(self.rehear.pop(0), self.inbox)
                flushed = False
            if self.retakes:
                batch, retaking = self.retakes[:batch_size], True
                del self.retakes[:batch_size]
            elif batches:
                batch, retaking = list(batches.popleft().requests), False
            elif waiting:
                if not flushed:
                    review.flush()  # nothing left to speak until these verdicts come back
                    flushed = True
                with contextlib.suppress(queue.Empty):
                    waiting -= self._settle(self.inbox.get(timeout=0.1))
                continue
            else:
                return
            clips, compute_s = self.speak(batch)
            for request, clip in zip(batch, clips, strict=True):
                earlier = self.takes.get(request.key, [])
                if retaking and any(_same_audio(clip, take.clip) for take, _ in earlier):
                    review.fixed_voices.add(_voice_of(request))
                review.submit(Take(request=request, clip=clip, number=len(earlier)), self.inbox)
            flushed = False
            waiting += 0 if retaking else len(batch)
            self.spoken(clips, compute_s, retaking)

    def _settle(self, event: tuple[Take, TakeVerdict]) -> int:
        """File one verdict: keep the best take (1: the chunk is settled), or ask for another (0)."""
        take, verdict = event
        key = take.request.key
        heard = self.takes.setdefault(key, [])
        heard.append((take, verdict))
        if verdict.passed or len(heard) > self.run.review.settings.retakes:
            return self._keep_best(key, heard)
        if _voice_of(take.request) in self.run.review.fixed_voices:
            if len(heard) > 1:
                return self._keep_best(key, heard)  # heard twice; another take would be the same samples
            self.rehear.append(Take(request=take.request, clip=take.clip, number=len(heard), rehearing=True))
            return 0
        first = heard[0][0].request
        self.retakes.append(
            SpeechRequest(text=first.text, voice=retake_voice(first.voice, len(heard)), key=key)
        )
        return 0

    def _keep_best(self, key: str, heard: _Heard) -> int:
        """Settle chunk ``key`` on the best of the takes ``heard``: cache it and record it (returns 1)."""
        verdicts = [verdict for _, verdict in heard]
        kept = best_take(verdicts)
        clip = heard[kept][0].clip
        self.cache.put(key, clip)
        self.cache.put_hearing(key, self.run.review.model, verdicts[kept].heard)
        self.audio[key] = clip
        retaken = sum(1 for take, _ in heard[1:] if not take.rehearing)
        self.run.keep(key, heard[0][0].request.text, verdicts, kept, retaken=retaken)
        return 1


def _voice_of(request: SpeechRequest) -> tuple[str, str]:
    """The engine and voice of ``request``, without its seed: what a retake keeps."""
    return request.voice.engine, request.voice.voice


def _same_audio(a: AudioClip, b: AudioClip) -> bool:
    """Whether two takes are the same samples (an engine that ignores the seed)."""
    return a.sample_rate == b.sample_rate and np.array_equal(a.samples, b.samples)
