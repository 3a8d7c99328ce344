"""Words as a listener hears them: normalization (case, punctuation, numbers spelled out) and word errors.

"1,024" and "one thousand twenty-four" are the same three words; "50%" is "fifty percent" and "$5" is
"five dollars". A four-digit number may be a year, which a host says "eighteen oh five" and a voice may
say either way, so word and letter errors are counted under both readings of every such number and the
reading that fits best is the score: "1805" matches "eighteen oh five", and "1,799" still matches
"1799". The speech check of a whole episode and take QA of every chunk score with these same functions.
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


_NUMBER = re.compile(r"(?<![\d,.])([$€£]?)(\d+(?:,\d{3})*(?:\.\d+)?)")
_CURRENCIES = {"$": "dollars", "€": "euros", "£": "pounds"}
_YEARS = range(1100, 2100)
"""Bare four-digit numbers that may be read as years."""


def _year_words(year: int) -> list[str]:
    """``year`` as spoken: 1805 → eighteen oh five, 1900 → nineteen hundred, 2005 → two thousand five,
    2024 → twenty twenty four."""
    century, rest = divmod(year, 100)
    if 2000 <= year < 2010:
        return _number_words(year)
    if rest == 0:
        return [*_number_words(century), "hundred"]
    return [*_number_words(century), *(["oh"] if rest < 10 else []), *_number_words(rest)]


def _spell_number(match: re.Match[str], *, years: bool) -> str:
    currency, digits = match.groups()
    whole, _, fraction = digits.replace(",", "").partition(".")
    if years and not currency and digits.isdigit() and len(digits) == 4 and int(digits) in _YEARS:
        return f" {' '.join(_year_words(int(digits)))} "
    words = _number_words(int(whole)) if len(whole) <= 12 else list(whole)
    if fraction:
        words += ["point", *(_ONES[int(digit)] for digit in fraction)]
    if currency:
        words.append(_CURRENCIES[currency])
    return f" {' '.join(words)} "


def normalize_words(text: str, *, years: bool = False) -> list[str]:
    """Words of ``text`` as compared: lower case, digits spelled out ("$5" as "five dollars"; with
    ``years``, a bare 1100-2099 as a year), apostrophes dropped, other punctuation (hyphens included) a
    word break; "%" is "percent"."""
    text = _NUMBER.sub(
        lambda match: _spell_number(match, years=years), text.lower().replace("%", " percent ")
    )
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


def _readings(text: str) -> tuple[list[str], list[str]]:
    """``text``'s words with its numbers read as counts, and read as years where they can be."""
    return normalize_words(text), normalize_words(text, years=True)


def word_errors(reference: str, hypothesis: str) -> int:
    """Substitutions + deletions + insertions from ``reference`` to ``hypothesis``, in normalized words
    (numbers read as counts on both sides, or as years on both: the fewer errors)."""
    return min(
        _edit_distance(ref, hyp) for ref, hyp in zip(_readings(reference), _readings(hypothesis), strict=True)
    )


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over the letters of the normalized words, spaces dropped, per reference letter.

    Forgives how a word was split ("sandbar" heard as "sand bar": 0.0) and near-misses of one word,
    which a word count calls two errors; a cut, a loop or gibberish still scores high.
    """
    rates = []
    for ref_words, hyp_words in zip(_readings(reference), _readings(hypothesis), strict=True):
        ref, hyp = "".join(ref_words), "".join(hyp_words)
        if not ref:
            return 0.0 if not hyp else 1.0
        rates.append(_edit_distance(ref, hyp) / len(ref))
    return min(rates)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, over normalized words.

    0.0 is a perfect match; it can exceed 1.0 when the hypothesis adds many words. An empty
    reference scores 0.0 against an empty hypothesis and 1.0 against anything else.
    """
    words = len(normalize_words(reference))
    if not words:
        return 0.0 if not normalize_words(hypothesis) else 1.0
    return word_errors(reference, hypothesis) / words
