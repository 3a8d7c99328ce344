from __future__ import annotations

import pytest

from podwright.core.show import VoiceRef
from podwright.core.speech import SpeechRequest
from podwright.tts.batching import plan_batches

A = VoiceRef(engine="chatterbox", voice="a.wav")
B = VoiceRef(engine="chatterbox", voice="b.wav")
A_FAST = VoiceRef(engine="chatterbox", voice="a.wav", settings={"exaggeration": 0.7})


def _requests(voices: list[VoiceRef]) -> list[SpeechRequest]:
    return [SpeechRequest(text=f"chunk {i}", voice=v) for i, v in enumerate(voices)]


def test_groups_per_voice_in_first_seen_order_and_cuts_batches() -> None:
    requests = _requests([A, B, A, A, B, A])
    batches = plan_batches(requests, batch_size=2)
    assert [(b.voice.voice, b.indexes) for b in batches] == [
        ("a.wav", (0, 2)),
        ("a.wav", (3, 5)),
        ("b.wav", (1, 4)),
    ]
    assert all(b.requests == tuple(requests[i] for i in b.indexes) for b in batches)


def test_every_request_once() -> None:
    requests = _requests([A, B, A_FAST, B, A, A_FAST, B])
    batches = plan_batches(requests, batch_size=3)
    indexes = sorted(i for b in batches for i in b.indexes)
    assert indexes == list(range(len(requests)))
    assert all(len(b.indexes) <= 3 for b in batches)


def test_settings_make_a_different_voice() -> None:
    batches = plan_batches(_requests([A, A_FAST]), batch_size=8)
    assert len(batches) == 2


def test_empty_and_invalid() -> None:
    assert plan_batches([], batch_size=4) == []
    with pytest.raises(ValueError):
        plan_batches(_requests([A]), batch_size=0)
