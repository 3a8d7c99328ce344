"""A loopback speech server that stands in for a GPU voice: real speech, GPU-like delay, an idle CPU.

The take-QA benchmark measures what QA adds when the voice is not on this CPU (a GPU box or a remote
speech server): the ``openai_speech`` engine talks to this server on 127.0.0.1. Each text is voiced
once, before the timed renders, by the real offline voice it stands for (the draft cast: hibari,
piper), so the answers are real speech that Whisper can hear. A timed request then sleeps
``audio seconds × rtf`` (one request at a time, as one GPU serves them) and answers the stored take:
the server's time is wall time but almost no CPU time, which is what the CPU sees of a GPU voice.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Mapping

import soundfile as sf
from tests.support.fake_speech import FakeSpeechServer

from podwright.audio.resample import resample
from podwright.core.show import VoiceRef
from podwright.core.speech import SpeechRequest, TTSEngine

__all__ = ["RemoteVoiceServer"]

RATE = 24_000


class RemoteVoiceServer(FakeSpeechServer):
    """``POST /v1/audio/speech``: voice id → one of ``voices`` (spoken by ``engines``), delayed by ``rtf``.

    ``recording`` (the default until :meth:`play` is called) voices unknown texts at once, undelayed;
    after :meth:`play`, every text must have been recorded and each answer waits ``seconds × rtf``.
    """

    def __init__(
        self, engines: Mapping[str, TTSEngine], voices: Mapping[str, VoiceRef], *, rtf: float
    ) -> None:
        super().__init__(sample_rate=RATE)
        self.engines = engines
        self.voices = voices
        self.rtf = rtf
        self.takes: dict[tuple[str, str], tuple[bytes, float]] = {}
        self.busy_s = 0.0
        """Seconds the stand-in GPU spent 'speaking' (sleeping) since :meth:`play`."""
        self._recording = True
        self._gpu = threading.Lock()

    def play(self) -> None:
        """Stop voicing new texts: from now on answers are the recorded takes, after the GPU delay."""
        self._recording = False
        self.busy_s = 0.0

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """The recorded take of the request's text in the request's voice."""
        payload = json.loads(body)
        key = (str(payload["voice"]), str(payload["input"]))
        with self.serving(payload):
            if key not in self.takes:
                if not self._recording:
                    return 404, {"content-type": "text/plain"}, b"text not recorded before the timed runs"
                self.takes[key] = self._record(*key)
            wav, seconds = self.takes[key]
            if not self._recording:
                with self._gpu:  # one GPU: one request at a time
                    time.sleep(seconds * self.rtf)
                    self.busy_s += seconds * self.rtf
            return 200, {"content-type": "audio/wav"}, wav

    def _record(self, voice: str, text: str) -> tuple[bytes, float]:
        ref = self.voices[voice]
        with self._gpu:
            (clip,) = self.engines[ref.engine].synthesize([SpeechRequest(key=text, text=text, voice=ref)])
        samples = resample(clip.samples, clip.sample_rate, RATE)
        buffer = io.BytesIO()
        sf.write(buffer, samples, RATE, format="WAV", subtype="PCM_16")
        return buffer.getvalue(), len(samples) / RATE
