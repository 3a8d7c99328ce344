"""Show languages: BCP-47 tags checked and normalized, labels per language, transliterated slugs."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files

import pytest

from podwright.app.wiring import default_episode_id
from podwright.config import show_from_toml
from podwright.core import ConfigError
from podwright.core.language import labels_for, language_error, normalize_language, speaks
from podwright.core.slugs import ascii_slug
from podwright.scheduler.intake import episode_id_for


def _show_text(language: str) -> str:
    """The starter show file with its ``language`` line changed."""
    starter = files("podwright").joinpath("data/starter_show.toml").read_text(encoding="utf-8")
    assert '\nlanguage = "en"' in starter
    return starter.replace('\nlanguage = "en"', f'\nlanguage = "{language}"', 1)


@pytest.mark.parametrize(
    ("written", "normalized"),
    [("en-US", "en-US"), ("pt-BR", "pt-BR"), ("ja", "ja"), ("ru", "ru"), ("EN_us", "en-US"), ("iw", "he")],
)
def test_a_bcp47_tag_passes_and_is_normalized(written: str, normalized: str) -> None:
    assert show_from_toml(_show_text(written)).language == normalized


@pytest.mark.parametrize(("name", "tag"), [("Spanish", "es"), ("español", "es"), ("Deutsch", "de")])
def test_a_language_name_is_a_clear_error_that_suggests_its_tag(name: str, tag: str) -> None:
    with pytest.raises(ConfigError) as caught:
        show_from_toml(_show_text(name), origin="show.toml")
    message = caught.value.message
    assert "show.language" in message and "BCP-47" in message
    assert f"did you mean {tag!r}" in message
    assert "show.language" in (caught.value.hint or "")


def test_nonsense_is_refused_without_a_guess() -> None:
    problem = language_error("zz-ZZ")
    assert problem is not None and "did you mean" not in problem
    with pytest.raises(ValueError):
        normalize_language("")


def test_voice_languages_cover_regional_variants_and_mul() -> None:
    assert speaks("en-GB", "en-US") and speaks("en-US", "en")
    assert speaks("no", "nb") and speaks("pt", "pt-BR")
    assert speaks("mul", "ja")
    assert not speaks("en-US", "es") and not speaks("ru", "uk")


def test_labels_follow_the_base_language_with_english_fallback() -> None:
    assert labels_for("es").intro == "Introducción"
    assert labels_for("pt-BR").conclusion == "Conclusão"
    assert labels_for("ru").chapters == "Главы"
    assert labels_for("de").sources == "Quellen"
    assert labels_for("sw").intro == "Intro"  # no table for Swahili: English


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("¿Por qué el cielo es oscuro de noche?", "por-que-el-cielo-es-oscuro-de-noche"),
        ("Почему ночью небо тёмное", "pochemu-nochyu-nebo-temnoe"),
        ("なぜ夜空は暗いのか", "naze-ye-kong-ha-an-inoka"),
        ("東京の天気", "dong-jing-no-tian-qi"),
        ("Straße über Köln", "strasse-uber-koln"),
        ("Why the Sky is Dark", "why-the-sky-is-dark"),
    ],
)
def test_slugs_transliterate_any_script(title: str, slug: str) -> None:
    assert ascii_slug(title) == slug


def test_long_slugs_are_cut_at_a_word_break() -> None:
    slug = ascii_slug("Una historia muy larga de la fusión nuclear y de su futuro incierto", max_chars=30)
    assert len(slug) <= 30 and not slug.endswith("-")
    assert slug == "una-historia-muy-larga-de-la"


def test_episode_ids_of_foreign_topics_are_readable() -> None:
    today = datetime(2026, 11, 25, tzinfo=UTC)
    assert (
        default_episode_id("Почему ночью небо тёмное", today=today) == "2026-11-25-pochemu-nochyu-nebo-temnoe"
    )
    assert default_episode_id("🎉", today=today).startswith("2026-11-25")
    queued = episode_id_for("なぜ夜空は暗いのか")
    assert (
        queued.startswith("naze-ye-kong-ha-an-inoka-") and len(queued) == len("naze-ye-kong-ha-an-inoka-") + 6
    )
