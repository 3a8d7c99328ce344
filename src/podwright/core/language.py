"""A show's language: a BCP-47 tag, checked and normalized with ``langcodes``, and the fixed words
podwright itself writes (headings, labels) in that language.

The LLM writes the episode's content in the show's language; what podwright writes around it (the
"Intro" and "Conclusion" headings, "Chapters:" in a YouTube description, "Tags:" in the show notes)
comes from :data:`LABELS`, a small table per language with English as the fallback.

Voices declare the languages they speak as tags too; :func:`speaks` says whether a voice's language
covers the show's (``en-GB`` speaks an ``en-US`` show, ``nb`` a ``no`` one; ``mul`` speaks any).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = [
    "ANY_LANGUAGE",
    "LABELS",
    "Labels",
    "labels_for",
    "language_error",
    "language_name",
    "normalize_language",
    "speaks",
    "written_language",
]

ANY_LANGUAGE = "mul"
"""The ISO 639 code for "multiple languages": a voice that speaks whatever text it is given."""

_CLOSE_ENOUGH = 10
"""``langcodes.tag_distance`` under which two tags are one spoken language (regions, nb/no: ≤ 5)."""


def language_error(value: str) -> str | None:
    """Why ``value`` is not a BCP-47 language tag, with the tag it probably meant; ``None`` if it is one."""
    import langcodes  # imported on first use: it loads its tables (~0.1 s)

    text = value.strip()
    if text and langcodes.tag_is_valid(text.replace("_", "-")):
        return None
    guess = _guess(text)
    suggestion = f"; did you mean {guess!r}?" if guess else ""
    return f"language {value!r} is not a BCP-47 language tag (like 'en', 'es', 'pt-BR', 'ja'){suggestion}"


def _guess(name: str) -> str | None:
    """The tag of a language written out by name ("Spanish", "español", "Deutsch"), if one fits."""
    import langcodes

    if not name or len(name) > 40:
        return None
    try:
        # A plain ISO 639 tag of the named language; ``find`` knows names in English and in the
        # language itself.
        return str(langcodes.find(name).language)
    except LookupError:
        return None


def normalize_language(value: str) -> str:
    """``value`` as a canonical BCP-47 tag (``EN_us`` → ``en-US``, ``iw`` → ``he``); ``ValueError`` if
    it is none, naming the tag a written-out name stands for."""
    import langcodes

    problem = language_error(value)
    if problem:
        raise ValueError(problem)
    return str(langcodes.standardize_tag(value.strip().replace("_", "-")))


@lru_cache(maxsize=256)
def language_name(tag: str) -> str:
    """The language's English name with its own name beside it: ``Spanish, español``; ``English``."""
    import langcodes

    language = langcodes.Language.get(tag)
    english = language.display_name()
    own = language.autonym()
    return english if own.casefold() == english.casefold() else f"{english}, {own}"


def written_language(tag: str) -> str:
    """How a prompt names the language to write in: ``Spanish, español (`es`)``; ``English (`en`)``."""
    return f"{language_name(tag)} (`{tag}`)"


@lru_cache(maxsize=1024)
def speaks(voice_language: str, show_language: str) -> bool:
    """Whether a voice speaking ``voice_language`` can voice a show in ``show_language``."""
    import langcodes

    if voice_language == ANY_LANGUAGE:
        return True
    voice, show = langcodes.Language.get(voice_language), langcodes.Language.get(show_language)
    if voice.language == show.language:
        return True
    return bool(langcodes.tag_distance(show_language, voice_language) <= _CLOSE_ENOUGH)


class Labels:
    """The fixed words podwright writes into an episode, in one language."""

    __slots__ = ("chapters", "conclusion", "intro", "part", "sources", "tags")

    def __init__(
        self, intro: str, conclusion: str, chapters: str, tags: str, part: str, sources: str
    ) -> None:
        self.intro = intro
        """The heading (and chapter title) of the opening segment."""
        self.conclusion = conclusion
        """The heading (and chapter title) of the closing segment."""
        self.chapters = chapters
        """What heads the chapter list of a YouTube description."""
        self.tags = tags
        """What heads the tag list of ``script.md``."""
        self.part = part
        """A chapter with no title: ``{part} 3``."""
        self.sources = sources
        """What heads the list of an episode's sources in show notes and descriptions."""


LABELS: dict[str, Labels] = {
    "en": Labels("Intro", "Conclusion", "Chapters", "Tags", "Part", "Sources"),
    "es": Labels("Introducción", "Conclusión", "Capítulos", "Etiquetas", "Parte", "Fuentes"),
    "pt": Labels("Introdução", "Conclusão", "Capítulos", "Etiquetas", "Parte", "Fontes"),
    "fr": Labels("Introduction", "Conclusion", "Chapitres", "Mots-clés", "Partie", "Sources"),
    "it": Labels("Introduzione", "Conclusione", "Capitoli", "Tag", "Parte", "Fonti"),
    "de": Labels("Einleitung", "Fazit", "Kapitel", "Schlagwörter", "Teil", "Quellen"),
    "nl": Labels("Intro", "Conclusie", "Hoofdstukken", "Tags", "Deel", "Bronnen"),
    "pl": Labels("Wstęp", "Podsumowanie", "Rozdziały", "Tagi", "Część", "Źródła"),
    "ru": Labels("Вступление", "Заключение", "Главы", "Теги", "Часть", "Источники"),
    "uk": Labels("Вступ", "Висновок", "Розділи", "Теги", "Частина", "Джерела"),
    "tr": Labels("Giriş", "Sonuç", "Bölümler", "Etiketler", "Bölüm", "Kaynaklar"),
    "ja": Labels("イントロ", "まとめ", "チャプター", "タグ", "パート", "出典"),
    "zh": Labels("开场", "总结", "章节", "标签", "部分", "来源"),
    "ko": Labels("인트로", "마무리", "챕터", "태그", "파트", "출처"),
    "hi": Labels("परिचय", "निष्कर्ष", "अध्याय", "टैग", "भाग", "स्रोत"),
    "ar": Labels("المقدمة", "الخاتمة", "الفصول", "الوسوم", "الجزء", "المصادر"),
}
"""Labels by base language (the part of the tag before any region or script); English is the fallback."""


def labels_for(language: str) -> Labels:
    """The labels of ``language`` (by its base language), English when the table has none."""
    import langcodes

    try:
        base = str(langcodes.Language.get(language).language or "en")
    except (ValueError, LookupError):
        base = "en"
    return LABELS.get(base, LABELS["en"])
