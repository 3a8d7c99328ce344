"""Where things sit in the finished audio: transcript cues and chapters, in seconds."""

from __future__ import annotations

from pydantic import Field, model_validator

from podwright.core.model import Record

__all__ = ["Chapter", "Cue"]


class Cue(Record):
    """One turn's place in the episode audio, timed from the real clip offsets."""

    start_s: float = Field(ge=0)
    end_s: float
    host: str
    speaker: str
    """The host's display name, as shown in transcripts."""
    text: str
    segment_index: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Cue:
        if self.end_s <= self.start_s:
            raise ValueError(f"cue ends ({self.end_s}) before it starts ({self.start_s})")
        return self


class Chapter(Record):
    """One segment's chapter: title and span in the episode, optional image and link."""

    index: int = Field(ge=0)
    title: str
    start_s: float = Field(ge=0)
    end_s: float
    image: str | None = None
    """Path relative to the episode folder (``images/segment-1.png``) or a URL."""
    url: str | None = None
