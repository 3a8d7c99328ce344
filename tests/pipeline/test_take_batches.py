"""When take QA hears: a batch of ``[qa] batch_s`` seconds in one checker call, a half-filled last window
left for the next batch, and whatever is waiting heard at once when a worker flushes (it waits on it)."""

from __future__ import annotations

import queue
from collections.abc import Sequence

import numpy as np

from podwright.core.show import QASettings, VoiceRef
from podwright.core.speech import AudioClip, SpeechRequest
from podwright.pipeline.take_review import CPU_BATCH_S, Take, TakeReview
from podwright.tts.chatterbox import ChatterboxEngine
from podwright.tts.openai_speech import OpenAISpeechEngine
from podwright.tts.registry import create_engine
from tests.support.heard_back import TranscriptChecker

VOICE = VoiceRef(engine="tone", voice="high")


class CallLog(TranscriptChecker):
    """A TranscriptChecker that remembers how many takes each call heard."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def hear(self, clips: Sequence[AudioClip]) -> list[str]:
        self.sizes.append(len(clips))
        return super().hear(clips)


def _take(checker: TranscriptChecker, number: int) -> Take:
    # 0.6 s of audio + the 0.4 s gap the checker lays after it: one second of a window each.
    clip = AudioClip(samples=np.full(9_600, 0.01 * (number + 1), dtype=np.float32), sample_rate=16_000)
    request = SpeechRequest(text=f"line {number}", voice=VOICE, key=f"k{number}")
    checker.register(clip, request.text)  # heard right: no word failure to confirm alone
    return Take(request=request, clip=clip, number=0)


def _verdicts(inbox: queue.Queue[object], count: int) -> list[object]:
    return [inbox.get(timeout=60) for _ in range(count)]


def test_takes_under_a_batch_wait_and_are_heard_together_when_the_review_stops() -> None:
    checker = CallLog()
    review = TakeReview(checker, QASettings())
    inbox: queue.Queue[object] = queue.Queue()
    with review:
        for number in range(5):
            review.submit(_take(checker, number), inbox)
    assert len(_verdicts(inbox, 5)) == 5
    assert checker.sizes == [5]


def test_a_full_batch_is_heard_without_a_flush_and_the_rest_on_one() -> None:
    checker = CallLog()
    inbox: queue.Queue[object] = queue.Queue()
    with TakeReview(checker, QASettings(window_s=2.0, batch_s=4.0)) as review:
        for number in range(5):
            review.submit(_take(checker, number), inbox)
        assert len(_verdicts(inbox, 4)) == 4  # two full windows: heard with no one waiting on them
        assert checker.sizes == [4] and inbox.empty()
        review.flush()  # the worker has nothing left to speak: the fifth take is heard alone
        assert len(_verdicts(inbox, 1)) == 1
        assert checker.sizes == [4, 1]


def test_a_half_filled_last_window_waits_for_the_next_batch() -> None:
    checker = CallLog()
    inbox: queue.Queue[object] = queue.Queue()
    with TakeReview(checker, QASettings(window_s=2.0, batch_s=3.0)) as review:
        for number in range(3):
            review.submit(_take(checker, number), inbox)
        assert len(_verdicts(inbox, 2)) == 2  # the full window; the third take would half-fill another
        review.submit(_take(checker, 3), inbox)
        review.flush()
        assert len(_verdicts(inbox, 2)) == 2
    assert checker.sizes == [2, 2]


def test_a_flush_with_nothing_waiting_hears_nothing() -> None:
    checker = CallLog()
    inbox: queue.Queue[object] = queue.Queue()
    with TakeReview(checker, QASettings()) as review:
        review.flush()
        review.submit(_take(checker, 0), inbox)
        review.flush()
        assert len(_verdicts(inbox, 1)) == 1
    assert checker.sizes == [1]


class _Voice:
    """Just what ``fit_to`` reads of an engine."""

    def __init__(self, shares_cpu: bool) -> None:
        self.shares_cpu = shares_cpu


def test_batches_fit_where_the_voices_compute_unless_the_show_sets_them() -> None:
    review = TakeReview(CallLog(), QASettings())
    review.fit_to([_Voice(shares_cpu=False)])  # a GPU or a speech server: each window as it fills
    assert review.batch_s == QASettings().window_s
    review.fit_to([_Voice(shares_cpu=False), _Voice(shares_cpu=True)])  # a voice on these cores
    assert review.batch_s == CPU_BATCH_S
    review.fit_to([object()])  # an engine that does not say computes here
    assert review.batch_s == CPU_BATCH_S
    pinned = TakeReview(CallLog(), QASettings(batch_s=60.0))
    pinned.fit_to([_Voice(shares_cpu=False)])
    assert pinned.batch_s == 60.0


def test_engines_say_whether_they_share_this_machines_cores() -> None:
    assert create_engine("hibari").shares_cpu and create_engine("piper").shares_cpu
    assert not OpenAISpeechEngine("http://127.0.0.1:9").shares_cpu
    assert not ChatterboxEngine(device="cuda").shares_cpu and ChatterboxEngine(device="cpu").shares_cpu
