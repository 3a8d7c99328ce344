"""A show: who speaks, for whom, in what style, with which segment flow, models and voices.

A show is read from a TOML file (see ``podwright init``) and validated here; everything an episode
needs to know about its show travels in this one frozen record.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import Field, ModelWrapValidatorHandler, field_validator, model_validator

from podwright.core.language import normalize_language
from podwright.core.model import Record

__all__ = [
    "AudioSettings",
    "Host",
    "LLMSettings",
    "ModelRoute",
    "ModelTier",
    "Publishing",
    "QASettings",
    "QualitySettings",
    "RenderSettings",
    "ResearchSettings",
    "Schedule",
    "SegmentSpec",
    "Show",
    "Task",
    "Tier",
    "VoiceRef",
    "YouTubeSettings",
]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Tier(StrEnum):
    """Which cast renders an episode: a cheap, fast draft or the publishable final voice."""

    DRAFT = "draft"
    FINAL = "final"


class ModelTier(StrEnum):
    """Which class of model a task is routed to."""

    PRIMARY = "primary"
    LIGHT = "light"


class Task(StrEnum):
    """Every kind of LLM call the script pipeline makes; routing is by task, never by substring."""

    SOURCE_SUMMARY = "source_summary"
    RESEARCH = "research"
    OUTLINE = "outline"
    SEGMENT = "segment"
    SUMMARY = "summary"
    INTRO = "intro"
    CONCLUSION = "conclusion"
    METADATA = "metadata"
    IMAGE_PROMPTS = "image_prompts"


#: Formulaic tasks go to the light model by default; writing goes to the primary one.
DEFAULT_TASK_TIERS: dict[Task, ModelTier] = {
    Task.SOURCE_SUMMARY: ModelTier.LIGHT,
    Task.RESEARCH: ModelTier.PRIMARY,
    Task.OUTLINE: ModelTier.PRIMARY,
    Task.SEGMENT: ModelTier.PRIMARY,
    Task.SUMMARY: ModelTier.LIGHT,
    Task.INTRO: ModelTier.PRIMARY,
    Task.CONCLUSION: ModelTier.PRIMARY,
    Task.METADATA: ModelTier.LIGHT,
    Task.IMAGE_PROMPTS: ModelTier.LIGHT,
}


class VoiceRef(Record):
    """One voice of one engine, with the engine settings that change its sound."""

    engine: str
    """Registered engine name: ``hibari``, ``piper``, ``openai_speech``, ``chatterbox`` or a plugin."""
    voice: str
    """The engine's voice id (``heart``, ``en_US-joe-medium``, a reference clip path for chatterbox)."""
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict)
    """Engine settings that change the audio (speed, seed, noise scales...); part of the chunk key."""


class Host(Record):
    """A person on the show: an id used in scripts, a display name, a persona and a voice per tier."""

    id: str
    """Short, stable speaker id used in every Turn (lower-case slug)."""
    name: str
    """Display name, as spoken and shown in transcripts."""
    persona: str = ""
    """Who this host is and how they talk; goes into the static prompt prefix."""
    voices: dict[Tier, VoiceRef]
    """The host's voice for each tier; both ``draft`` and ``final`` are required."""
    words_per_minute: float = Field(default=150.0, gt=40, lt=400)
    """Speaking rate used to size segments and estimate audio length before a render measures it."""
    max_word_share: float | None = Field(default=None, gt=0, le=1)
    """The most of a segment's words this host may speak, from their role (an explainer talks more
    than the host who asks); unset: ``[quality] max_host_share``, or its default for the cast size."""

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"host id {value!r} must be a lower-case slug like 'ava' or 'host_2'")
        return value

    @field_validator("voices")
    @classmethod
    def _both_tiers(cls, value: dict[Tier, VoiceRef]) -> dict[Tier, VoiceRef]:
        missing = [tier.value for tier in Tier if tier not in value]
        if missing:
            raise ValueError(f"a voice is required for tier(s) {', '.join(missing)}")
        return value

    def voice(self, tier: Tier) -> VoiceRef:
        """The host's voice for ``tier``."""
        return self.voices[tier]


class SegmentSpec(Record):
    """One step of the show's segment template."""

    kind: str
    """What this segment is (``deep_dive``, ``debate``, ``listener_questions``...)."""
    intent: str
    """What the segment should achieve; given to the outline and dialogue writers."""
    share: float = Field(gt=0, le=1)
    """Target share of the body's length (the shares of a template are normalized)."""


class ModelRoute(Record):
    """A model id with optional fallbacks (sent as OpenRouter's ``models`` list)."""

    model: str
    fallbacks: tuple[str, ...] = ()


class LLMSettings(Record):
    """Which provider writes the script and how tasks are routed to models."""

    provider: str = "local"
    """``local`` (embedded llama.cpp model, offline) or ``openai_compat`` (OpenRouter or compatible)."""
    base_url: str = "https://openrouter.ai/api/v1"
    api_key_env: str = "OPENROUTER_API_KEY"
    """Name of the environment variable holding the key; the key itself never goes in a show file.

    Empty (``""``) for a server that takes no key (a local vLLM, Ollama or llama.cpp server).
    """
    tiers: dict[ModelTier, ModelRoute] = Field(
        default_factory=lambda: {
            ModelTier.PRIMARY: ModelRoute(model="anthropic/claude-sonnet-4.5"),
            ModelTier.LIGHT: ModelRoute(model="google/gemini-2.5-flash-lite"),
        }
    )
    tasks: dict[Task, ModelTier] = Field(default_factory=dict)
    """Overrides of the default task → tier routing."""
    prices: dict[str, tuple[float, float, float]] = Field(default_factory=dict)
    """Your own $ per million tokens, ``model = [input, cached input, output]``, over the dated
    built-in table (for models it lacks, or negotiated rates); provider-reported cost still wins."""
    max_concurrency: int = Field(default=4, ge=1, le=64)
    temperature: float = Field(default=0.7, ge=0, le=2)
    timeout_s: float = Field(default=120.0, gt=0)

    def tier_for(self, task: Task) -> ModelTier:
        """The model tier ``task`` is routed to."""
        return self.tasks.get(task, DEFAULT_TASK_TIERS[task])

    def route_for(self, task: Task) -> ModelRoute:
        """The model route ``task`` is routed to."""
        return self.tiers[self.tier_for(task)]


class AudioSettings(Record):
    """Mastering targets and optional music."""

    loudness_lufs: float = Field(default=-16.0, ge=-31, le=-9)
    """Integrated loudness target; -16 for stereo podcasts, -19 is the mono standard."""
    true_peak_db: float = Field(default=-1.0, le=0)
    sample_rate: int = 44100
    bitrate_kbps: int = Field(default=128, ge=32, le=320)
    music: str | None = None
    """Optional intro/outro music file, ducked under speech."""
    gap_same_speaker_s: float = Field(default=0.25, ge=0)
    gap_speaker_change_s: float = Field(default=0.45, ge=0)
    gap_segment_s: float = Field(default=1.2, ge=0)


class Publishing(Record):
    """What podcast apps and YouTube show about the show, and what may reach its feed."""

    author: str = ""
    """The feed's ``itunes:author`` and the MP3's artist; a feed without one is refused."""
    email: str = ""
    website: str = ""
    category: str = ""
    """An Apple Podcasts category (``Science``, ``Technology``...); a feed without one is refused."""
    explicit: bool = False
    description: str = ""
    cover: str | None = None
    """The show's artwork (a square PNG or JPEG, 1400–3000 px), relative to the show file; without
    it, ``podwright feed`` draws a title card of the show's name. Never an episode's cover."""
    allow_draft_publishing: bool = False
    """Let ``podwright publish --tier draft`` put an unapproved draft in the feed (off: only approved
    renders are published)."""
    palette: tuple[str, ...] = ("#1d3557", "#457b9d", "#f1faee", "#e63946")
    """Title-card colours: background, accent, text, highlight."""


class QASettings(Record):
    """Take QA: every synthesized chunk heard back by Whisper and checked before anyone listens.

    A take fails on too many word errors (after normalizing numbers, punctuation and case), on a
    length that its words cannot explain, on a long silence, on trailing noise or on clipping; a
    failed take is re-synthesized with another ``seed`` up to ``retakes`` times, and a line that
    still fails is flagged (publishing it then needs an explicit override).
    """

    final: bool = True
    """Check the final tier's takes (on by default: that is what listeners hear)."""
    draft: bool = False
    """Check the draft tier's takes too (off by default: drafts are for a person to hear)."""
    model: str = "whisper-base"
    """The faster-whisper model: ``whisper-base`` (bundled, assembled once into the data dir) or the
    path of a CTranslate2 model folder."""
    max_word_error_rate: float = Field(default=0.2, ge=0, le=1)
    """Word errors allowed per word of the chunk's text."""
    min_word_errors: int = Field(default=1, ge=0)
    """Word errors always allowed, however short the chunk (Whisper mishears one word now and then)."""
    max_char_error_rate: float = Field(default=0.15, ge=0, le=1)
    """A take fails its words only when its letters are wrong too (edit distance per letter, spaces
    dropped): "sandbar" heard as "sand bar" is two word errors and no letter error."""
    long_base_s: float = Field(default=1.5, gt=0)
    long_per_word_s: float = Field(default=0.75, gt=0)
    """A take longer than ``long_base_s + long_per_word_s × words`` is too long for its words."""
    max_pace_ratio: float = Field(default=1.25, gt=1)
    pace_slack_s: float = Field(default=0.5, ge=0)
    """A take longer than ``max_pace_ratio ×`` the voice's own pace for its letters (measured on the
    voice's passed takes of this render, from the third on) ``+ pace_slack_s`` is too long: Whisper
    hears a looped phrase once, so a voice that repeats itself is caught by its length."""
    short_per_word_s: float = Field(default=0.12, ge=0)
    """A take shorter than this many seconds per word is too short (cut off)."""
    max_silence_s: float = Field(default=1.5, gt=0)
    """Longest silence allowed inside a take."""
    max_noise_tail_s: float = Field(default=0.6, gt=0)
    """Longest stretch of noise (sound without a voice's harmonics) allowed at a take's end."""
    max_clipped_share: float = Field(default=0.001, ge=0, le=1)
    """Share of samples allowed at full scale before a take counts as clipped."""
    retakes: int = Field(default=2, ge=0, le=10)
    """How many times a failed take is re-synthesized (with another seed) before its line is flagged."""
    batch_s: float | None = Field(default=None, gt=0)
    """Seconds of takes heard in one Whisper call: QA waits for that much (or until synthesis waits on
    its verdicts), and the call runs all its windows through the model together (more is cheaper per
    take, later per verdict). Unset: 240 s while a voice of the render computes on this machine's
    cores (Whisper's cores are the voice's, so fewer, fuller calls), one window (``window_s``) when
    every voice is a GPU or a speech server (Whisper keeps pace while the voice speaks)."""
    window_s: float = Field(default=30.0, gt=0, le=30)
    """Seconds of takes (the silences between them included) packed into one Whisper window."""

    def enabled(self, tier: Tier) -> bool:
        """Whether ``tier``'s takes are checked."""
        return self.final if tier is Tier.FINAL else self.draft


class Schedule(Record):
    """A recurring show: when episodes are due and where their topics come from."""

    cron: str
    """Cron expression in UTC, e.g. ``0 6 * * 1`` for Mondays at 06:00."""
    topics: tuple[str, ...] = ()
    topics_file: str | None = None
    topics_feed: str | None = None
    minutes: float = 10.0


class QualitySettings(Record):
    """Thresholds of the structure checks every written segment goes through, and the repair pass."""

    repair: bool = True
    """Ask a segment that fails a check again, once, naming the failed checks."""
    min_turns_ratio: float = Field(default=0.5, gt=0, le=1)
    """A segment needs at least this part of the natural turn count for its words (never under 2)."""
    max_host_share: float | None = Field(default=None, gt=0, le=1)
    """The most of a segment's words one host may speak; unset: 0.7 for two hosts, 0.6 for three,
    0.55 for four. A host's own ``max_word_share`` wins."""
    repeat_overlap: float = Field(default=0.6, gt=0, le=1)
    """A sentence is a repeat when this part of its 4-word sequences already appeared earlier."""
    length_tolerance: float = Field(default=0.15, ge=0, lt=1)
    """How far the whole script's words may stray from the target (0.15 = ±15%)."""


class RenderSettings(Record):
    """Where and how a serverless render of the show's episodes runs; unset fields come from the planner."""

    gpu: str | None = None
    """GPU kind from the price table (``A100-80GB``...); the planner's default when unset."""
    batch_size: int | None = Field(default=None, ge=1)
    """Episodes rendered back to back in one warm container; sized by the planner when unset."""
    keep_alive_s: float | None = Field(default=None, ge=0)
    """Seconds a container stays warm after its batch (Modal's ``scaledown_window``)."""


class ResearchSettings(Record):
    """Where research looks: the documents given only, or the web too (through OpenRouter's search)."""

    web: bool = False
    """Search the web for the topic and keep the pages cited as the script's sources (OpenRouter's
    ``web`` plugin, billed per result); off, or offline, research reads only the documents given."""
    max_results: int = Field(default=5, ge=1, le=25)
    """Web results fetched for the research call."""
    via: Literal["plugin", "online"] = "plugin"
    """``plugin`` sends OpenRouter's ``web`` plugin; ``online`` asks for the model's ``:online`` variant."""


class YouTubeSettings(Record):
    """The YouTube video of a render: ``<tier>/episode.mp4``, the segment images as slides over the audio."""

    video: bool = False
    """Render ``episode.mp4`` with every render (off: only ``podwright video EPISODE`` makes one)."""
    burn_captions: bool = False
    """Draw the transcript onto the picture (the ``.srt``/``.vtt`` sidecars are written either way)."""
    fps: int | None = Field(default=None, ge=1, le=30)
    """Frames per second of the slideshow; unset: 1, or 2 with burned-in captions (so they follow the
    speech within half a second). Slides change only at chapters, so a low rate encodes fast."""
    stereo: bool = False
    """AAC stereo at 384 kb/s (YouTube's stereo figure) instead of mono at 128 kb/s (its mono figure,
    and what the episode's mono mix holds); stereo costs about five times the audio encoding."""

    @property
    def frame_rate(self) -> int:
        """The frame rate the video is encoded at."""
        return self.fps or (2 if self.burn_captions else 1)


class Show(Record):
    """Everything an episode needs to know about its show."""

    name: str
    slug: str
    """Folder and id-safe name (lower-case slug)."""
    language: str = "en"
    """The BCP-47 tag of the show's language (``en``, ``es``, ``pt-BR``, ``ja``), normalized."""
    audience: str = "curious listeners"
    style: str = "warm, clear, conversational; concrete examples over abstractions"
    hosts: tuple[Host, ...] = Field(min_length=1, max_length=4)
    template: tuple[SegmentSpec, ...] = Field(min_length=1)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    budget_usd: float | None = Field(default=None, gt=0)
    """Maximum LLM spend per episode: calls are cut or refused so the bill never passes it."""
    max_source_digests: int = Field(default=40, ge=1)
    """Most digest calls an episode's long sources may need before anything is spent (a 12,000-character
    piece each); more stops the run with the count and its estimated cost."""
    lexicon: dict[str, str] = Field(default_factory=dict)
    """Pronunciation lexicon: word → respelling, applied before synthesis."""
    audio: AudioSettings = Field(default_factory=AudioSettings)
    engines: dict[str, dict[str, str | int | float | bool]] = Field(default_factory=dict)
    """Per-engine construction options, e.g. ``[engines.openai_speech] base_url = ...``.

    An option named ``api_key_env`` names the environment variable holding that engine's key; the
    interface layer resolves it, so keys never sit in a show file.
    """
    publishing: Publishing = Field(default_factory=Publishing)
    qa: QASettings = Field(default_factory=QASettings)
    """Take QA: which tiers are heard back by Whisper, the thresholds, how many retakes."""
    schedule: Schedule | None = None
    quality: QualitySettings = Field(default_factory=QualitySettings)
    render: RenderSettings = Field(default_factory=RenderSettings)
    """``[render]``: GPU, batch size and keep-alive of serverless renders (``podwright modal dispatch``)."""
    research: ResearchSettings = Field(default_factory=ResearchSettings)
    """Web research with cited sources (``[research] web = true``), or the documents given only."""
    format: str | None = None
    """The built-in format that shaped the template (``template = "debate"`` in the file, or
    ``--format``); ``None`` for the show's own ``[[template]]`` tables."""
    roles: dict[str, str] = Field(default_factory=dict)
    """Host id → the part the format gives that host (a debate's side, the interviewer, the guest)."""
    benched: tuple[Host, ...] = ()
    """Hosts the format leaves out (a brief seats one), kept so another format can seat them again."""

    @model_validator(mode="wrap")
    @classmethod
    def _named_format(cls, data: object, handler: ModelWrapValidatorHandler[Show]) -> Show:
        """``template = "debate"``: the built-in format of that name shapes the show."""
        if not isinstance(data, dict) or not isinstance(data.get("template"), str):
            return handler(data)
        name = data["template"]
        from podwright.core.errors import ConfigError
        from podwright.core.formats import apply_format, format_named  # formats builds on Show

        try:
            fmt = format_named(name)
            specs = [spec.model_dump() for spec in fmt.segments]
            return apply_format(handler({**data, "template": specs}), fmt)
        except ConfigError as exc:
            raise ValueError(f"template: {exc.message}") from None

    youtube: YouTubeSettings = Field(default_factory=YouTubeSettings)
    """The YouTube video: whether every render makes one, burned-in captions, frame rate."""

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return normalize_language(value)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(f"show slug {value!r} must be a lower-case slug like 'signal-and-noise'")
        return value

    @model_validator(mode="after")
    def _unique_hosts(self) -> Show:
        ids = [host.id for host in (*self.hosts, *self.benched)]
        if len(set(ids)) != len(ids):
            raise ValueError(f"host ids must be unique, got {ids}")
        return self

    def host(self, host_id: str) -> Host:
        """The host with ``host_id``; ``KeyError`` if unknown."""
        for host in self.hosts:
            if host.id == host_id:
                return host
        raise KeyError(host_id)

    @property
    def host_ids(self) -> tuple[str, ...]:
        """The ids of the show's hosts, in order."""
        return tuple(host.id for host in self.hosts)

    @property
    def words_per_minute(self) -> float:
        """The hosts' mean speaking rate."""
        return sum(host.words_per_minute for host in self.hosts) / len(self.hosts)
