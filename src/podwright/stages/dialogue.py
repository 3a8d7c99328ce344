"""Segment dialogue: one call per body segment, answered as typed turns.

The request is the episode's static prefix (see :mod:`podwright.stages.context`) followed by the
only per-call part: which segment, its key points, its word target and, for continuity, the last
lines already written before it. A segment written after the ones before it (the embedded model's
sequential path, see :class:`~podwright.pipeline.script.ScriptPipeline`) is also told which
sentences were already said (:func:`said_sentences`, by their first words), so it does not say
them again. The answer ``{"turns": [{"speaker", "text"}]}`` is validated
against the show's host ids, so an unknown speaker is a validation error the structured-output
repair retry can fix.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from podwright.core.episode import Outline, OutlineSegment, ResearchBrief, Segment, Turn
from podwright.core.llm import LLMRequest, Message
from podwright.core.show import Show, Task
from podwright.stages.chunking import split_sentences
from podwright.stages.context import episode_prefix
from podwright.stages.quality import BOOKEND_KINDS, MIN_REPEAT_WORDS
from podwright.stages.schema import response_schema
from podwright.stages.sizing import dialogue_max_tokens, turns_for_words

__all__ = [
    "Dialogue",
    "DialogueTurn",
    "build_request",
    "dialogue_model",
    "dialogue_schema",
    "local_grammar",
    "max_turns_for",
    "next_speaker",
    "parse",
    "per_call_block",
    "said_sentences",
    "sentences_per_turn",
    "turn_chars_for",
    "turn_plan",
    "turn_text_pattern",
    "turns_grammar_schema",
    "words_per_sentence",
]

CONTINUITY_TURNS = 1
"""How many of the previous segment's last turns a segment call sees (its last sentence quoted when
the segments are written concurrently, only its speaker named when they are written in order)."""
SAID_SENTENCES = 12
"""The most earlier sentences one call is shown as already said (the longest: they carry the facts)."""
SAID_OPENING_WORDS = 5
"""Words of each said sentence the call is shown: enough to name it, too few to copy it into a repeat
(two 4-word n-grams of a 10-word sentence's seven)."""
_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five"}
_JSON_TOKENS = 48
_TURN_JSON_TOKENS = 14
WORDS_PER_SENTENCE = 11
"""Words in a spoken sentence of the embedded model, for a segment kind it was not measured on."""
WORDS_PER_SENTENCE_BY_KIND: Mapping[str, float] = {
    "intro": 9,
    "setup": 10.5,
    "deep_dive": 18,
    "takeaways": 16,
    "conclusion": 12,
}
"""The embedded model's mean words per sentence by segment kind, measured on three of its demo
scripts (``script.json``): short greetings and questions in the intro and the setup, 16 to 18 words
in the explanation and the takeaways; the conclusion's summing-up runs longer than the intro."""
MIN_SENTENCES = 2
"""The fewest sentences a body segment's turn has: with one, the second host of a short segment said
only a filler line ("That's a great point!") and the first took 87% of the words. An intro or
conclusion turn may be one sentence: each of its turns has its own job (see ``bookends``)."""
_RUNAWAY_SENTENCE_CHARS = 150
"""A sentence cap never tighter than ~25 words: it guards against a runaway, it does not shape turns."""
_CHARS_PER_TOKEN = 3.2
"""Below English's ~4 characters a token, so a capped answer still fits its budget."""


class DialogueTurn(BaseModel):
    """One turn as the model writes it."""

    model_config = ConfigDict(extra="forbid")

    speaker: str
    text: str


class Dialogue(BaseModel):
    """A dialogue answer; subclasses made by :func:`dialogue_model` know the show's hosts."""

    model_config = ConfigDict(extra="forbid")

    known_speakers: ClassVar[Mapping[str, str]] = {}
    """Accepted spellings (host id, lower-cased id or display name) → host id."""

    turns: list[DialogueTurn] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_speakers(self) -> Dialogue:
        if not self.known_speakers:
            return self
        ids = sorted(set(self.known_speakers.values()))
        for index, turn in enumerate(self.turns, start=1):
            host = self.known_speakers.get(turn.speaker.strip().lower())
            if host is None:
                raise ValueError(
                    f"turn {index} is spoken by unknown speaker {turn.speaker!r}; "
                    f"speaker must be one of the host ids: {', '.join(ids)}"
                )
            turn.speaker = host
        if not any(turn.text.strip() for turn in self.turns):
            raise ValueError("every turn is empty; write the spoken words in 'text'")
        return self


@cache
def _dialogue_model_for(spellings: tuple[tuple[str, str], ...]) -> type[Dialogue]:
    return type("ShowDialogue", (Dialogue,), {"known_speakers": dict(spellings), "__module__": __name__})


def dialogue_model(show: Show) -> type[Dialogue]:
    """The response model for ``show``: rejects speakers that are not its hosts (ids or names)."""
    spellings: dict[str, str] = {}
    for host in show.hosts:
        spellings[host.name.strip().lower()] = host.id
        spellings[host.id] = host.id
    return _dialogue_model_for(tuple(sorted(spellings.items())))


def dialogue_schema(show: Show, *, max_turns: int | None = None) -> dict[str, Any]:
    """JSON schema of a dialogue answer: ``speaker`` limited to the show's host ids, at most ``max_turns``.

    The turn cap stops a grammar-constrained model from adding turns until ``max_tokens`` cuts it off.
    """
    schema = response_schema(Dialogue)
    schema["$defs"]["DialogueTurn"]["properties"]["speaker"]["enum"] = list(show.host_ids)
    if max_turns is not None:
        schema["properties"]["turns"]["maxItems"] = max_turns
    return schema


def turn_chars_for(max_tokens: int, turns: int) -> int:
    """The longest a turn's text may be so that ``turns`` turns close within ``max_tokens``."""
    text_tokens = max_tokens - _JSON_TOKENS - turns * _TURN_JSON_TOKENS
    return max(80, int(text_tokens / turns * _CHARS_PER_TOKEN))


def turns_grammar_schema(
    show: Show,
    turns: int,
    *,
    first_speaker: int = 0,
    max_chars: int | None = None,
    sentences: int | None = None,
) -> dict[str, Any]:
    """A dialogue schema of exactly ``turns`` turns, the hosts taking turns in show order.

    For grammar-constrained local models only (``LLMRequest.grammar_schema``): each turn's speaker is
    a one-value enum, so the answer has the turn count its length needs and every host speaks.
    llama.cpp's grammar cannot hold "at least N items, each host among them" (it has no
    ``contains``, and ignores ``prefixItems`` next to ``items``), so the count is exact: the natural
    count for the words. ``first_speaker`` is the index of the host who opens. ``max_chars`` caps
    each turn's text, so an over-long answer closes its JSON instead of running out of tokens (a
    turn cut there fails the ``cut_off`` check and is repaired; a cut-off JSON answer would fail
    the episode). ``sentences`` makes each turn's text exactly that many whole sentences instead
    (see :func:`turn_text_pattern`), ``max_chars`` then shared between them.
    """
    schema = dialogue_schema(show)
    turn = schema["$defs"]["DialogueTurn"]
    if sentences is not None:
        budget = (max_chars or _RUNAWAY_SENTENCE_CHARS * sentences) // sentences
        turn["properties"]["text"] = {
            "type": "string",
            "pattern": turn_text_pattern(sentences, max(_RUNAWAY_SENTENCE_CHARS, budget)),
        }
    elif max_chars is not None:
        turn["properties"]["text"] = {"type": "string", "maxLength": max_chars}
    hosts = show.host_ids
    pinned = []
    for n in range(turns):
        item = copy.deepcopy(turn)
        item["properties"]["speaker"] = {"type": "string", "enum": [hosts[(first_speaker + n) % len(hosts)]]}
        pinned.append(item)
    schema["properties"]["turns"] = {
        "type": "array",
        "prefixItems": pinned,
        "items": False,
        "minItems": turns,
        "maxItems": turns,
    }
    del schema["$defs"]
    return schema


def turn_text_pattern(sentences: int, longest: int) -> str:
    """A regular expression for a turn of exactly ``sentences`` whole sentences, for llama.cpp's grammar.

    A sentence starts on a non-space, ends on ``.``, ``!`` or ``?`` (a decimal point such as 13.8 does
    not end it) and holds at most ``longest`` characters, a runaway guard far above a spoken
    sentence; sentences are separated by one space. The model chooses where each sentence ends, so
    a turn always closes on a sentence it finished, and the sentence count is what bounds the turn.
    No minimum: forced past the end it chose, the 1.5B model rambled to the token limit. No quotes,
    backslashes or control characters: the text is always a plain JSON string. llama.cpp's
    converter has no ``(?:``, so the groups are plain.
    """
    start = r'[^ "\\\x00-\x1F.!?]'
    inner = r'([^"\\\x00-\x1F.!?]|[.][0-9])'
    sentence = f"{start}{inner}{{0,{max(0, longest - 2)}}}[.!?]"
    more = f"( {sentence}){{{sentences - 1}}}" if sentences > 1 else ""
    return f"^{sentence}{more}$"


def words_per_sentence(kind: str | None = None) -> float:
    """The embedded model's words per spoken sentence in a segment of ``kind`` (``intro``, ``setup``…)."""
    if kind is None:
        return WORDS_PER_SENTENCE
    return WORDS_PER_SENTENCE_BY_KIND.get(kind, WORDS_PER_SENTENCE)


def sentences_per_turn(words: int, kind: str | None = None) -> int:
    """How many sentences each turn of a stretch of ``words`` words of ``kind`` has.

    At least :data:`MIN_SENTENCES` in a body segment (or when ``kind`` is not given), at least one in
    the intro and the conclusion. The embedded model's sentences run about :func:`words_per_sentence`
    words for the kind, so the sentence count is what holds a turn, and the script, near its target.
    """
    fewest = 1 if kind in BOOKEND_KINDS else MIN_SENTENCES
    return max(fewest, round(words / turns_for_words(words) / words_per_sentence(kind)))


def local_grammar(
    show: Show, words: int, *, kind: str | None = None, first_speaker: int = 0
) -> dict[str, Any]:
    """The grammar schema of a dialogue call of ``words`` words for the embedded model.

    The natural number of turns, speakers pinned in turn from ``first_speaker``, each turn
    :func:`sentences_per_turn` whole sentences, each sentence short enough that the answer closes
    within :func:`~podwright.stages.sizing.dialogue_max_tokens`.
    """
    turns = turns_for_words(words)
    return turns_grammar_schema(
        show,
        turns,
        first_speaker=first_speaker,
        max_chars=turn_chars_for(dialogue_max_tokens(words), turns),
        sentences=sentences_per_turn(words, kind),
    )


def next_speaker(show: Show, previous_turns: Sequence[Turn]) -> int:
    """Index of the host who speaks after ``previous_turns`` (the first host when there are none)."""
    if not previous_turns:
        return 0
    ids = show.host_ids
    last = previous_turns[-1].host
    return (ids.index(last) + 1) % len(ids) if last in ids else 0


def max_turns_for(words: int) -> int:
    """A generous cap on the turns of a stretch of ``words`` words (twice the natural count, at least 4)."""
    return max(4, 2 * turns_for_words(words))


def _name_of(show: Show, host_id: str) -> str:
    try:
        return show.host(host_id).name
    except KeyError:
        return host_id


def _sentences(count: int) -> str:
    return "one sentence" if count == 1 else f"{_COUNTS.get(count, str(count))} sentences"


def turn_plan(show: Show, words: int, first_speaker: int = 0, kind: str | None = None) -> str:
    """``about 60 words: 2 turns of one or two sentences (about 30 words), Maya and Joe taking turns``.

    The sentences per turn are those the embedded model's grammar holds (:func:`sentences_per_turn`).
    """
    turns = turns_for_words(words)
    plan = (
        f"about {words} words: {turns} turns of {_sentences(sentences_per_turn(words, kind))} each "
        f"(about {round(words / turns)} words a turn)"
    )
    if len(show.hosts) == 1:
        return plan
    opener = show.hosts[first_speaker % len(show.hosts)].name
    names = " and ".join(host.name for host in show.hosts)
    return f"{plan}, {names} taking turns ({opener} first)"


def _who_says_what(show: Show, segment: OutlineSegment, opener: int) -> str:
    """``Who says what: Maya opens on "x"; Joe follows on "y".``: distinct content for each turn.

    Small models otherwise have the second host restate the first host's turn word for word.
    """
    turns = turns_for_words(segment.target_words)
    hosts = show.hosts
    parts = []
    for n, point in enumerate(segment.key_points[:turns]):
        name = hosts[(opener + n) % len(hosts)].name
        parts.append(f'{name} {"opens" if n == 0 else "follows"} on "{point}"')
    more = ", then the conversation goes on" if turns > len(segment.key_points) else ""
    return "Who says what: " + "; ".join(parts) + more + "."


def _no_bookends(index: int, total: int) -> str:
    """Where this segment sits between the intro and the conclusion, and so what it must not say.

    Small models greet whenever they start a dialogue: naming the intro that already did, at the
    segment that opens the body, keeps the first words on the subject. The last segment is told only
    that the conclusion is written apart and ends on its own last idea: told that the conclusion
    thanks the listeners and says goodbye, the 1.5B model said both itself.
    """
    before = (
        "The intro just before this segment already welcomed the listeners and introduced the hosts"
        if index == 1
        else "This is the middle of the episode"
    )
    after = (
        "the conclusion is written apart from it, so this segment ends on its own last idea, "
        "as if the conversation went on"
        if index == total
        else "later segments follow, so do not wrap up"
    )
    return (
        f"{before}; {after}. The first and the last words are about the subject: no hello, welcome "
        "or introduction of the hosts here."
    )


def said_sentences(earlier: Sequence[Segment], limit: int = SAID_SENTENCES) -> list[str]:
    """The sentences of ``earlier`` a later segment must not say again, in the order they were said.

    Only those long enough to count as a repeat (``MIN_REPEAT_WORDS``), each once; past ``limit``
    the longest are kept, since they carry the facts a later segment would restate.
    """
    seen: set[str] = set()
    sentences: list[str] = []
    for segment in earlier:
        for turn in segment.turns:
            for sentence in split_sentences(turn.text):
                key = " ".join(sentence.lower().split())
                if len(sentence.split()) >= MIN_REPEAT_WORDS and key not in seen:
                    seen.add(key)
                    sentences.append(sentence)
    if len(sentences) <= limit:
        return sentences
    longest = set(sorted(range(len(sentences)), key=lambda n: -len(sentences[n].split()))[:limit])
    return [sentence for n, sentence in enumerate(sentences) if n in longest]


def _opening(sentence: str) -> str:
    words = sentence.split()
    return sentence if len(words) <= SAID_OPENING_WORDS else " ".join(words[:SAID_OPENING_WORDS]) + " …"


def _said_block(earlier: Sequence[Segment]) -> str | None:
    """The earlier sentences by their opening words only: shown whole, the 1.5B model copied them."""
    sentences = said_sentences(earlier)
    if not sentences:
        return None
    listed = "\n".join(f"- {_opening(sentence)}" for sentence in sentences)
    return (
        "Already said in the segments before this one (each by its first words): do not say these "
        f"again, not even reworded; go further from them.\n{listed}"
    )


def per_call_block(
    show: Show,
    outline: Outline,
    index: int,
    previous_turns: Sequence[Turn] = (),
    said: Sequence[Segment] = (),
) -> str:
    """What only this call says: the segment to write (``index`` is 1-based) and where it starts.

    ``said`` are the segments already written before it, whose sentences it must not repeat (empty
    when the segments are written concurrently).
    """
    segment = outline.segments[index - 1]
    total = len(outline.segments)
    opener = next_speaker(show, previous_turns)
    lines = [
        f'Write segment {index} of {total}: "{segment.title}" ({segment.kind}).',
        "Cover: " + "; ".join(segment.key_points),
        f"Length: {turn_plan(show, segment.target_words, opener, segment.kind)}.",
    ]
    if len(show.hosts) > 1:
        lines.append(_who_says_what(show, segment, opener))
        lines.append(
            "Every host adds something new; no one repeats another's words or does most of the talking."
        )
    lines.append(_no_bookends(index, total))
    if index > 1:
        covered = ", ".join(f'"{spec.title}"' for spec in outline.segments[: index - 1])
        lines.append(f"Already covered before this segment: {covered}. Say only what they did not.")
    said_block = _said_block(said)
    if said_block is not None:
        lines.append(said_block)
    if previous_turns and said:
        # Written in order, a quoted last sentence made every later segment open on it word for
        # word (decision 40): the speaker alone hands over; the said list names the sentences.
        lines.append(
            f"The previous segment ended with {_name_of(show, previous_turns[-1].host)} speaking: "
            "carry on from there with something new."
        )
    elif previous_turns:
        # Only the last sentence, and marked as said: shown whole turns, the 1.5B model copied them.
        last = previous_turns[-1]
        sentences = split_sentences(last.text)
        ending = sentences[-1] if sentences else last.text
        lines.append(
            f'The previous segment ended with {_name_of(show, last.host)} saying "{ending}" '
            "That is said: do not say it again; answer it briefly and move on."
        )
    return "\n".join(lines)


def build_request(
    show: Show,
    brief: ResearchBrief,
    outline: Outline,
    index: int,
    *,
    episode_id: str,
    previous_turns: Sequence[Turn] = (),
    said: Sequence[Segment] = (),
) -> LLMRequest:
    """The dialogue call for body segment ``index`` (1-based): static prefix, then the per-call block.

    ``said`` (the segments written before it, when they are written one after another) goes in the
    per-call block only, so the prefix stays byte-identical across the episode's calls.
    """
    segment: OutlineSegment = outline.segments[index - 1]
    system, context = episode_prefix(show, brief, outline)
    continuity = previous_turns[-CONTINUITY_TURNS:]
    ask = Message(role="user", content=per_call_block(show, outline, index, continuity, said))
    return LLMRequest(
        task=Task.SEGMENT,
        messages=(system, context, ask),
        max_tokens=dialogue_max_tokens(segment.target_words),
        temperature=show.llm.temperature,
        # One cap for the whole episode: the schema is identical across its segment calls, so a
        # provider that puts it in the prompt (as tool definitions) keeps the cached prefix.
        json_schema=dialogue_schema(
            show, max_turns=max_turns_for(max(spec.target_words for spec in outline.segments))
        ),
        grammar_schema=local_grammar(
            show, segment.target_words, kind=segment.kind, first_speaker=next_speaker(show, continuity)
        ),
        schema_name="dialogue",
        episode_id=episode_id,
        stage=f"segment-{index}",
    )


def parse(answer: Dialogue, *, kind: str, title: str) -> Segment:
    """Typed turns of a validated answer; blank turns are dropped."""
    turns = tuple(Turn(host=turn.speaker, text=turn.text) for turn in answer.turns if turn.text.strip())
    return Segment(kind=kind, title=title, turns=turns)
