"""Words as a listener hears them: normalization (case, punctuation, numbers spelled out) and word errors.

"1,024" and "one thousand twenty-four" are the same three words; "50%" is "fifty percent". The speech
check of a whole episode and take QA of every chunk score with these same functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["character_error_rate", "normalize_words", "word_error_rate", "word_errors"]


# fmt: off
_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"), (100, "hundred"))


def _number_words(value: int) -> list[str]:
    """``value`` as spoken, without "and": 1500 → one thousand five hundred."""
    if value < 20:
        return [_ONES[value]]
    if value < 100:
        tens, ones = divmod(value, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    for scale, word in _SCALES:
        if value >= scale:
            high, rest = divmod(value, scale)
            return _number_words(high) + [word] + (_number_words(rest) if rest else [])
    raise AssertionError("unreachable")  # pragma: no cover


_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def _spell_number(match: re.Match[str]) -> str:
    whole, _, fraction = match.group().replace(",", "").partition(".")
    words = _number_words(int(whole)) if len(whole) <= 12 else list(whole)
    if fraction:
        words += ["point", *(_ONES[int(digit)] for digit in fraction)]
    return f" {' '.join(words)} "


def normalize_words(text: str) -> list[str]:
    """Words of ``text`` as compared: lower case, digits spelled out, apostrophes dropped, other
    punctuation (hyphens included) a word break; "%" is "percent"."""
    text = _NUMBER.sub(_spell_number, text.lower().replace("%", " percent "))
    text = re.sub(r"['\u2019]", "", text)
    return re.sub(r"[^\w\s]|_", " ", text).split()


def _edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Levenshtein distance: substitutions + deletions + insertions from ``ref`` to ``hyp``."""
    previous = list(range(len(hyp) + 1))
    for i, ref_item in enumerate(ref, start=1):
        current = [i]
        for j, hyp_item in enumerate(hyp, start=1):
            current.append(
                min(
                    previous[j] + 1,  # deletion
                    current[j - 1] + 1,  # insertion
                    previous[j - 1] + (ref_item != hyp_item),  # substitution or match
                )
            )
        previous = current
    return previous[-1]


def word_errors(reference: str, hypothesis: str) -> int:
    """Substitutions + deletions + insertions from ``reference`` to ``hypothesis``, in normalized words."""
    return _edit_distance(normalize_words(reference), normalize_words(hypothesis))


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over the letters of the normalized words, spaces dropped, per reference letter.

    Forgives how a word was split ("sandbar" heard as "sand bar": 0.0) and near-misses of one word,
    which a word count calls two errors; a cut, a loop or gibberish still scores high.
    """
    ref, hyp = "".join(normalize_words(reference)), "".join(normalize_words(hypothesis))
    if not ref:
        return 0.0 if not hyp else 1.0
    return _edit_distance(ref, hyp) / len(ref)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, over normalized words.

    0.0 is a perfect match; it can exceed 1.0 when the hypothesis adds many words. An empty
    reference scores 0.0 against an empty hypothesis and 1.0 against anything else.
    """
    words = len(normalize_words(reference))
    if not words:
        return 0.0 if not normalize_words(hypothesis) else 1.0
    return word_errors(reference, hypothesis) / words
