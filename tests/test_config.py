"""Show files: a valid starter, and errors that name the table, the field and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from podwright.config import load_show, show_from_toml
from podwright.core import ConfigError

STARTER = (Path(__file__).parents[1] / "examples" / "show.toml").read_text(encoding="utf-8")


def test_the_example_show_is_the_starter_show_and_loads() -> None:
    packaged = Path(__file__).parents[1] / "src" / "podwright" / "data" / "starter_show.toml"
    assert packaged.read_text(encoding="utf-8") == STARTER
    show = show_from_toml(STARTER)
    assert show.host_ids == ("maya", "joe") and len(show.template) == 3


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('slug = "curious-minutes"', 'slug = "Bad Slug"', "show.slug"),
        ('id = "joe"', 'id = "Joe X"', "hosts.2.id"),
        ("share = 0.45", "share = 4.5", "template.2.share"),
        ('provider = "local"', 'provider = "local"\nmodel_temperature = 1', "llm.model_temperature"),
    ],
)
def test_an_invalid_field_is_named_with_its_table(old: str, new: str, where: str) -> None:
    with pytest.raises(ConfigError) as info:
        show_from_toml(STARTER.replace(old, new, 1), origin="show.toml")
    assert info.value.message.startswith(f"show.toml: {where}: ")
    assert "Value error" not in info.value.message
    assert where in info.value.hint


def test_broken_toml_and_missing_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        show_from_toml("[show\nname = 1", origin="x.toml")
    with pytest.raises(ConfigError, match="not found") as info:
        load_show(tmp_path / "missing.toml")
    assert "podwright init" in info.value.hint


def test_every_problem_of_a_show_file_is_named_with_its_field() -> None:
    text = (
        STARTER.replace('slug = "curious-minutes"', 'slug = "Bad Slug"', 1)
        .replace('id = "joe"', 'id = "Joe X"', 1)
        .replace("share = 0.45", "share = 4.5", 1)
    )
    with pytest.raises(ConfigError) as info:
        show_from_toml(text, origin="show.toml")
    message = info.value.message
    assert message.startswith("show.toml: 3 problems: ")
    for where in ("show.slug", "hosts.2.id", "template.2.share"):
        assert f"{where}: " in message
        assert where in info.value.hint
    assert "\n" not in str(info.value)
