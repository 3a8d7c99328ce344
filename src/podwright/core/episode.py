"""An episode as data: the request, the sources, the outline and the finished script.

Dialogue is always typed turns (host id + text), never tagged strings such as ``<Person1>``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator, model_validator

from podwright.core.llm import Citation
from podwright.core.model import Record
from podwright.core.show import Tier

__all__ = [
    "EpisodeMetadata",
    "EpisodeRequest",
    "ImagePrompt",
    "Outline",
    "OutlineSegment",
    "ResearchBrief",
    "Script",
    "Segment",
    "SourceDoc",
    "Turn",
]


class EpisodeRequest(Record):
    """What a producer asks for: a topic and/or sources, a length, a tier and a place in the queue."""

    episode_id: str
    """Stable id; names the episode folder and keys every ledger row."""
    topic: str | None = None
    sources: tuple[str, ...] = ()
    """Paths or http(s) URLs of documents to build the episode from."""
    target_minutes: float = Field(default=10.0, gt=0, le=180)
    tier: Tier = Tier.DRAFT
    priority: int = Field(default=0, ge=0, le=9)
    """Priority class: 0 is normal; a higher class is served first."""
    deadline: datetime | None = None

    @model_validator(mode="after")
    def _has_material(self) -> EpisodeRequest:
        if not (self.topic and self.topic.strip()) and not self.sources:
            raise ValueError("an episode needs a topic or at least one source")
        return self


class SourceDoc(Record):
    """A source document turned into clean text."""

    origin: str
    """The path or URL it came from."""
    title: str
    text: str
    summary: str | None = None
    """Per-chunk summaries joined, for sources too long to hand to research whole."""

    @property
    def digest(self) -> str:
        """What research reads: the summary when the source was too long, else the text."""
        return self.summary if self.summary is not None else self.text


class ResearchBrief(Record):
    """Facts, angles and open questions the writers share (part of the static prompt prefix)."""

    summary: str
    key_facts: tuple[str, ...] = ()
    angles: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    sources: tuple[Citation, ...] = ()
    """The web pages research cited, numbered in this order wherever the writers see them."""
    sourcing: str = ""
    """One line saying what the brief rests on (web pages found, the documents given, or neither)."""


class OutlineSegment(Record):
    """One planned body segment."""

    kind: str
    title: str
    key_points: tuple[str, ...] = Field(min_length=1)
    target_words: int = Field(gt=0)


class Outline(Record):
    """The episode plan: a working title and the body segments, following the show's template."""

    title: str
    segments: tuple[OutlineSegment, ...] = Field(min_length=1)


class Turn(Record):
    """One host speaking."""

    host: str
    """The speaking host's id."""
    text: str = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a turn must say something")
        return value


class Segment(Record):
    """A stretch of dialogue that becomes one chapter."""

    kind: str
    """``intro``, ``conclusion`` or the template kind of a body segment."""
    title: str
    turns: tuple[Turn, ...] = Field(min_length=1)

    @property
    def word_count(self) -> int:
        """Spoken words in this segment."""
        return sum(len(turn.text.split()) for turn in self.turns)


class EpisodeMetadata(Record):
    """Title, description, tags and chapter titles written for publishing."""

    title: str
    description: str
    tags: tuple[str, ...] = ()
    chapter_titles: tuple[str, ...] = ()


class ImagePrompt(Record):
    """A prompt for one image: the cover or one segment's card."""

    target: str
    """``cover`` or ``segment-<n>`` (1-based index into the script's segments)."""
    prompt: str


class Script(Record):
    """A finished, validated script: every turn spoken by a known host, segments in air order."""

    episode_id: str
    show_slug: str
    title: str
    language: str = "en"
    hosts: dict[str, str]
    """Host id → display name, for every host that may speak."""
    segments: tuple[Segment, ...] = Field(min_length=1)
    """In air order: the intro first, the conclusion last."""
    summary: str = ""
    metadata: EpisodeMetadata | None = None
    image_prompts: tuple[ImagePrompt, ...] = ()
    created_at: datetime | None = None
    sources: tuple[Citation, ...] = ()
    """What the script was written from: the web pages research cited, then the documents given
    (a document read from a local file carries its title only, never the path)."""
    sourcing: str = ""
    """One line for the show notes saying what research rested on (``Sources: the documents provided;
    no web research``...)."""

    @model_validator(mode="after")
    def _known_speakers(self) -> Script:
        for index, segment in enumerate(self.segments, start=1):
            for turn in segment.turns:
                if turn.host not in self.hosts:
                    raise ValueError(
                        f"segment {index} ({segment.title!r}) has a turn by unknown speaker "
                        f"{turn.host!r}; known hosts: {', '.join(sorted(self.hosts))}"
                    )
        return self

    @property
    def word_count(self) -> int:
        """Spoken words in the whole script."""
        return sum(segment.word_count for segment in self.segments)

    @property
    def turns(self) -> tuple[Turn, ...]:
        """Every turn in air order."""
        return tuple(turn for segment in self.segments for turn in segment.turns)
