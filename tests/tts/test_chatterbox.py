from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from podwright.core.errors import VoiceError
from podwright.core.show import VoiceRef
from podwright.core.speech import SpeechRequest
from podwright.tts.chatterbox import DEFAULT_VOICE, ChatterboxEngine

RATE = 24000


class FakeChatterbox:
    """Implements the ChatterboxTTS methods the engine uses: sr, conds, prepare_conditionals, generate."""

    def __init__(self) -> None:
        self.sr = RATE
        self.conds: Any = "builtin"
        self.prepared: list[str] = []
        self.generated: list[tuple[str, Any]] = []
        self.seed = 0
        self.kwargs: list[dict[str, float]] = []

    def prepare_conditionals(self, wav_fpath: str, exaggeration: float = 0.5) -> None:
        self.prepared.append(wav_fpath)
        self.conds = f"conds:{Path(wav_fpath).name}:{exaggeration}"

    def generate(self, text: str, **kwargs: float) -> np.ndarray:
        self.generated.append((text, self.conds))
        self.kwargs.append(kwargs)
        # Half a second of silence around a tone whose length and pitch depend on text and conditioning.
        tone_len = 100 * len(text)
        pitch = 100 + (sum(map(ord, str(self.conds))) % 300) + self.seed % 7
        tone = 0.8 * np.sin(2 * np.pi * pitch * np.arange(tone_len) / RATE)
        silence = np.zeros(RATE // 2)
        return np.concatenate([silence, tone, silence])[None, :].astype(np.float32)


@pytest.fixture
def clips(tmp_path: Path) -> tuple[str, str]:
    paths = []
    for name in ("ava.wav", "ben.wav"):
        path = tmp_path / name
        sf.write(path, np.zeros(RATE, np.float32), RATE)
        paths.append(str(path))
    return paths[0], paths[1]


def _engine(model: FakeChatterbox, seeds: list[int], batch_size: int = 2) -> ChatterboxEngine:
    def seeder(seed: int) -> None:
        seeds.append(seed)
        model.seed = seed

    return ChatterboxEngine(
        weights_dir=None,
        device="cpu",
        batch_size=batch_size,
        model_factory=lambda weights, device: model,
        seeder=seeder,
    )


def test_conditioning_once_per_voice_batches_per_voice_order_kept(clips: tuple[str, str]) -> None:
    ava = VoiceRef(engine="chatterbox", voice=clips[0], settings={"seed": 11})
    ben = VoiceRef(engine="chatterbox", voice=clips[1], settings={"seed": 22})
    voices = [ava, ben, ava, ben, ava, ava]
    requests = [SpeechRequest(text=f"line {i} " + "x" * i, voice=v) for i, v in enumerate(voices)]
    model, seeds = FakeChatterbox(), []
    engine = _engine(model, seeds)
    assert engine.load() >= 0.0
    out = engine.synthesize(requests)

    assert model.prepared == [clips[0], clips[1]]
    assert engine.conditioning_computed == 2
    # Generation is grouped per voice: all of ava's chunks, then all of ben's (conditioning switches once).
    conds_sequence = [conds for _, conds in model.generated]
    assert conds_sequence == [conds_sequence[0]] * 4 + [conds_sequence[4]] * 2
    assert [text for text, _ in model.generated] == [requests[i].text for i in (0, 2, 4, 5, 1, 3)]
    assert seeds == [11, 11, 11, 11, 22, 22]
    # Output order is input order, and each clip has its edge silence trimmed to the 50 ms pads.
    for request, clip in zip(requests, out, strict=True):
        assert clip.sample_rate == RATE
        assert len(clip.samples) == pytest.approx(100 * len(request.text) + 2 * 1200, abs=2)
        assert float(np.max(np.abs(clip.samples))) <= 0.9 + 1e-6

    # A second call reuses the cached conditioning.
    engine.synthesize(requests[:2])
    assert model.prepared == [clips[0], clips[1]]


def test_same_chunk_same_audio_however_batched(clips: tuple[str, str]) -> None:
    voice = VoiceRef(engine="chatterbox", voice=clips[0])
    model, seeds = FakeChatterbox(), []
    engine = _engine(model, seeds, batch_size=1)
    (alone,) = engine.synthesize([SpeechRequest(text="Hello there.", voice=voice)])
    _, together = engine.synthesize(
        [SpeechRequest(text="Other.", voice=voice), SpeechRequest(text="Hello there.", voice=voice)]
    )
    assert np.array_equal(alone.samples, together.samples)
    assert len(set(seeds)) == 1


def test_default_voice_uses_builtin_conditioning(clips: tuple[str, str]) -> None:
    model, seeds = FakeChatterbox(), []
    engine = _engine(model, seeds)
    engine.synthesize(
        [
            SpeechRequest(text="Clone.", voice=VoiceRef(engine="chatterbox", voice=clips[0])),
            SpeechRequest(text="Builtin.", voice=VoiceRef(engine="chatterbox", voice=DEFAULT_VOICE)),
        ]
    )
    assert dict(model.generated)["Builtin."] == "builtin"
    assert model.prepared == [clips[0]]


def test_missing_reference_clip_is_unusable(tmp_path: Path) -> None:
    engine = _engine(FakeChatterbox(), [])
    status = engine.voice_status(str(tmp_path / "nobody.wav"))
    assert not status.usable and "nobody.wav" in status.reason


@pytest.mark.skipif(
    importlib.util.find_spec("chatterbox") is not None, reason="chatterbox-tts is installed here"
)
def test_real_engine_says_why_it_cannot_run_here() -> None:
    engine = ChatterboxEngine()
    (voice,) = engine.voices()
    assert not voice.usable
    assert voice.reason
    with pytest.raises(VoiceError) as info:
        engine.load()
    assert info.value.hint == voice.reason


def test_newer_generate_options_only_when_the_voice_sets_them(clips: tuple[str, str]) -> None:
    model = FakeChatterbox()
    engine = _engine(model, [])
    plain = VoiceRef(engine="chatterbox", voice=clips[0])
    tuned = VoiceRef(engine="chatterbox", voice=clips[1], settings={"cfg_weight": 0.3, "exaggeration": 0.7})
    engine.synthesize([SpeechRequest(text="Plain.", voice=plain), SpeechRequest(text="Tuned.", voice=tuned)])
    assert model.kwargs == [
        {"exaggeration": 0.5, "temperature": 0.8},
        {"exaggeration": 0.7, "temperature": 0.8, "cfg_weight": 0.3},
    ]
