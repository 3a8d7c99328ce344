"""Does a segment read like a conversation? Measured structure checks on written dialogue.

Each check is a pure function of typed turns and the show, and answers a :class:`CheckResult`:
passed or not, what was measured (``detail``) and, when it failed, what the writer should do
(``fix``, the line a repair request quotes). :func:`check_segment` runs the checks that apply to a
segment; the whole script's length is :func:`check_length`.

- ``turns``: enough turns for the segment's share of the length.
- ``speakers``: every host speaks.
- ``balance``: no host takes more than their share of the words (``Host.max_word_share``, else
  ``[quality] max_host_share``, else a default for the cast size).
- ``greetings``: no greeting, welcome or sign-off outside the intro and conclusion.
- ``repetition``: no sentence repeated from an earlier segment (or within the segment), by 4-word
  n-gram overlap.
- ``cut_off``: every turn ends on a whole sentence.
- ``length``: the whole script within ±15% (``[quality] length_tolerance``) of the target words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from enum import StrEnum

from podwright.core.episode import Segment
from podwright.core.model import Record
from podwright.core.show import Show
from podwright.stages.chunking import split_sentences
from podwright.stages.sizing import turns_for_words

__all__ = [
    "BOOKEND_KINDS",
    "SEGMENT_CHECKS",
    "Check",
    "CheckResult",
    "SegmentQuality",
    "check_balance",
    "check_cut_off",
    "check_greetings",
    "check_length",
    "check_repetition",
    "check_segment",
    "check_speakers",
    "check_turns",
    "host_share_limit",
    "min_turns",
]

BOOKEND_KINDS = frozenset({"intro", "conclusion"})
"""Segment kinds that greet and sign off."""

NGRAM = 4
"""Words per n-gram when comparing sentences."""
MIN_REPEAT_WORDS = 6
"""Shorter sentences ("That's a great question.") are common filler, not repeats."""

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_WHOLE_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*$")
_QUOTE_CHARS = 90


class Check(StrEnum):
    """The structure checks, by the name run.json and repair requests use."""

    TURNS = "turns"
    SPEAKERS = "speakers"
    BALANCE = "balance"
    GREETINGS = "greetings"
    REPETITION = "repetition"
    CUT_OFF = "cut_off"
    LENGTH = "length"


SEGMENT_CHECKS = (
    Check.TURNS,
    Check.SPEAKERS,
    Check.BALANCE,
    Check.GREETINGS,
    Check.REPETITION,
    Check.CUT_OFF,
)
"""The checks of one segment, in the order results list them (``greetings`` only for body segments)."""


class CheckResult(Record):
    """One check of one segment (or of the whole script)."""

    check: Check
    passed: bool
    detail: str
    """What was measured, e.g. ``1 turn; at least 2 for ~50 words``."""
    fix: str = ""
    """What the writer should do about it (empty when passed); quoted by the repair request."""


class SegmentQuality(Record):
    """Every check of one written segment."""

    stage: str
    """The stage that wrote it: ``segment-2``, ``intro``…"""
    kind: str
    title: str
    words: int
    target_words: int
    results: tuple[CheckResult, ...]

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        """The checks it failed, in check order."""
        return tuple(result for result in self.results if not result.passed)

    @property
    def passed(self) -> bool:
        """Whether it passed every check."""
        return not self.failed

    def result(self, check: Check) -> CheckResult | None:
        """The result of ``check``; ``None`` when it does not apply to this segment."""
        return next((result for result in self.results if result.check is check), None)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= _QUOTE_CHARS else f'"{text[: _QUOTE_CHARS - 1].rstrip()}…"'


def _names(show: Show, host_ids: Sequence[str]) -> str:
    names = {host.id: host.name for host in show.hosts}
    return " and ".join(names.get(host_id, host_id) for host_id in host_ids)


def min_turns(show: Show, target_words: int) -> int:
    """The fewest turns a segment of ``target_words`` may have (``min_turns_ratio`` of the natural count)."""
    if len(show.hosts) == 1:
        return 1
    return max(2, math.ceil(turns_for_words(target_words) * show.quality.min_turns_ratio))


def check_turns(segment: Segment, show: Show, target_words: int) -> CheckResult:
    """Enough turns for the segment's share of the episode's length."""
    need = min_turns(show, target_words)
    have = len(segment.turns)
    detail = f"{have} turn{'s' if have != 1 else ''}; at least {need} for ~{target_words} words"
    if have >= need:
        return CheckResult(check=Check.TURNS, passed=True, detail=detail)
    return CheckResult(
        check=Check.TURNS,
        passed=False,
        detail=detail,
        fix=f"write at least {need} turns, about {turns_for_words(target_words)}, "
        "the hosts answering each other",
    )


def check_speakers(segment: Segment, show: Show, target_words: int) -> CheckResult:
    """Every host speaks (in a segment too short for a turn each, at least two of them do)."""
    spoken = {turn.host for turn in segment.turns}
    silent = [host.id for host in show.hosts if host.id not in spoken]
    need = min(len(show.hosts), max(2, turns_for_words(target_words)))
    detail = f"{len(spoken)} of {len(show.hosts)} hosts speak"
    if len(spoken) >= need or not silent:
        return CheckResult(check=Check.SPEAKERS, passed=True, detail=detail)
    return CheckResult(
        check=Check.SPEAKERS,
        passed=False,
        detail=f"{detail}; {_names(show, silent)} never speak{'s' if len(silent) == 1 else ''}",
        fix=f"give {_names(show, silent)} turns of their own: this is a conversation",
    )


def host_share_limit(show: Show, host_id: str) -> float:
    """The most of a segment's words ``host_id`` may speak."""
    own = show.host(host_id).max_word_share
    if own is not None:
        return own
    if show.quality.max_host_share is not None:
        return show.quality.max_host_share
    fair = 1 / len(show.hosts)
    return round(fair + (1 - fair) * 0.4, 2)


def check_balance(segment: Segment, show: Show) -> CheckResult:
    """No host speaks more than their share of the segment's words."""
    words: dict[str, int] = {}
    for turn in segment.turns:
        words[turn.host] = words.get(turn.host, 0) + len(turn.text.split())
    total = sum(words.values()) or 1
    if len(show.hosts) == 1:
        return CheckResult(check=Check.BALANCE, passed=True, detail="one host")
    over = [
        (host.id, words.get(host.id, 0) / total)
        for host in show.hosts
        if words.get(host.id, 0) / total > host_share_limit(show, host.id)
    ]
    top = max(show.hosts, key=lambda host: words.get(host.id, 0))
    detail = f"{top.name} speaks {words.get(top.id, 0) / total:.0%} of the words"
    if not over:
        return CheckResult(check=Check.BALANCE, passed=True, detail=detail)
    host_id, share = over[0]
    name = show.host(host_id).name
    others = _names(show, [host.id for host in show.hosts if host.id != host_id])
    limit = host_share_limit(show, host_id)
    return CheckResult(
        check=Check.BALANCE,
        passed=False,
        detail=f"{name} speaks {share:.0%} of the words (at most {limit:.0%})",
        fix=f"{name} may speak at most {limit:.0%} of the words: give {others} more to say",
    )


def _greeting_pattern(show: Show) -> re.Pattern[str]:
    names = "|".join(re.escape(host.name.lower()) for host in show.hosts)
    show_name = re.escape(show.name.lower())
    phrases = [
        r"(?<!re )(?<!be )\bwelcome (?:back )?to\b",  # not "you're welcome to disagree"
        r"^welcome\b",
        r"\bwelcome,? (?:back|everyone|everybody|folks|listeners|all)\b",
        r"\b(?:hello|hi|hey),? (?:everyone|everybody|folks|listeners|all|there)\b",
        r"^(?:hello|hi)\b",
        r"\bgood (?:morning|afternoon|evening),? (?:everyone|everybody|folks|listeners)\b",
        r"\bthanks? (?:you )?(?:so much |all )?for (?:listening|tuning in|joining us)\b",
        r"\b(?:see|catch|talk to) you (?:next time|soon|later|in the next)\b",
        r"\buntil next time\b",
        r"\b(?:goodbye|bye for now|bye-bye)\b",
        r"\bthat'?s (?:all|it) for (?:today|this episode|now)\b",
        r"\bsign(?:ing)? off\b",
        rf"\b(?:i'?m|i am|my name is) (?:your host,? )?(?:{names})\b",
        rf"\b(?:this is|you'?re listening to) {show_name}\b",
    ]
    return re.compile("|".join(f"(?:{phrase})" for phrase in phrases))


def check_greetings(segment: Segment, show: Show) -> CheckResult:
    """No greeting, welcome, self-introduction or sign-off in a body segment."""
    pattern = _greeting_pattern(show)
    found = [
        sentence
        for turn in segment.turns
        for sentence in split_sentences(turn.text)
        if pattern.search(sentence.lower().strip(" \"'“‘"))
    ]
    if not found:
        return CheckResult(check=Check.GREETINGS, passed=True, detail="no greetings or sign-offs")
    return CheckResult(
        check=Check.GREETINGS,
        passed=False,
        detail=f"greets or signs off: {', '.join(_quote(sentence) for sentence in found[:2])}",
        fix="no greetings, welcomes, introductions of the hosts or goodbyes here (the intro and "
        "conclusion say them): start straight into the subject",
    )


def _words(sentence: str) -> list[str]:
    return _WORD.findall(sentence.lower())


def _ngrams(words: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


def _segment_ngrams(segment: Segment) -> set[tuple[str, ...]]:
    grams: set[tuple[str, ...]] = set()
    for turn in segment.turns:
        for sentence in split_sentences(turn.text):
            grams |= _ngrams(_words(sentence))
    return grams


def check_repetition(segment: Segment, show: Show, earlier: Sequence[Segment]) -> CheckResult:
    """No sentence repeated from an ``earlier`` segment, nor twice within this one.

    A sentence of at least :data:`MIN_REPEAT_WORDS` words is a repeat when ``repeat_overlap`` of its
    4-word n-grams appeared before (word case and punctuation ignored).
    """
    threshold = show.quality.repeat_overlap
    sources = [(other.title, _segment_ngrams(other)) for other in earlier]
    seen_here: set[tuple[str, ...]] = set()
    repeats: list[tuple[str, str]] = []
    for turn in segment.turns:
        for sentence in split_sentences(turn.text):
            words = _words(sentence)
            grams = _ngrams(words)
            if len(words) >= MIN_REPEAT_WORDS and grams:
                where = next(
                    (
                        title
                        for title, known in [(segment.title, seen_here), *sources]
                        if len(grams & known) / len(grams) >= threshold
                    ),
                    None,
                )
                if where is not None:
                    repeats.append((sentence, where))
            seen_here |= grams
    if not repeats:
        return CheckResult(check=Check.REPETITION, passed=True, detail="no repeated sentences")
    quoted = "; ".join(
        f"{_quote(sentence)} repeats {'itself' if where == segment.title else repr(where)}"
        for sentence, where in repeats[:2]
    )
    return CheckResult(
        check=Check.REPETITION,
        passed=False,
        detail=f"{len(repeats)} repeated sentence{'s' if len(repeats) != 1 else ''}: {quoted}",
        fix="say something new in every sentence instead of repeating what was already said",
    )


def check_cut_off(segment: Segment) -> CheckResult:
    """Every turn ends on a whole sentence (., !, ? or …), not cut off mid-thought."""
    cut = [
        (index, turn.text)
        for index, turn in enumerate(segment.turns, start=1)
        if not _WHOLE_SENTENCE.search(turn.text.rstrip())
    ]
    if not cut:
        return CheckResult(check=Check.CUT_OFF, passed=True, detail="every turn ends a sentence")
    index, text = cut[0]
    ending = " ".join(text.split()[-6:])
    return CheckResult(
        check=Check.CUT_OFF,
        passed=False,
        detail=f"{len(cut)} turn{'s' if len(cut) != 1 else ''} cut mid-sentence, first turn {index}: "
        f'"…{ending}"',
        fix="end every turn with a complete sentence",
    )


def check_segment(
    segment: Segment,
    show: Show,
    *,
    stage: str,
    target_words: int,
    earlier: Sequence[Segment] = (),
) -> SegmentQuality:
    """Run every check that applies to ``segment``; ``earlier`` are the segments it must not repeat.

    The intro and conclusion may greet and sign off, so they skip ``greetings``.
    """
    results = [
        check_turns(segment, show, target_words),
        check_speakers(segment, show, target_words),
        check_balance(segment, show),
    ]
    if segment.kind not in BOOKEND_KINDS:
        results.append(check_greetings(segment, show))
    results += [check_repetition(segment, show, earlier), check_cut_off(segment)]
    return SegmentQuality(
        stage=stage,
        kind=segment.kind,
        title=segment.title,
        words=segment.word_count,
        target_words=target_words,
        results=tuple(results),
    )


def check_length(words: int, target_words: int, tolerance: float) -> CheckResult:
    """The whole script within ``tolerance`` (0.15 = ±15%) of ``target_words``."""
    low, high = math.floor(target_words * (1 - tolerance)), math.ceil(target_words * (1 + tolerance))
    detail = f"{words} words, target {target_words} (±{tolerance:.0%}: {low}–{high})"
    if low <= words <= high:
        return CheckResult(check=Check.LENGTH, passed=True, detail=detail)
    direction = "short" if words < low else "long"
    return CheckResult(
        check=Check.LENGTH,
        passed=False,
        detail=f"{detail}: {abs(words - target_words) / target_words:.0%} too {direction}",
        fix="write closer to each segment's word target",
    )
