"""The built-in formats: what each is, how it shapes a show, and the errors a wrong name gets."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from podwright.config import show_from_toml
from podwright.core import ConfigError, Show
from podwright.core.formats import (
    apply_format,
    default_minutes,
    format_named,
    format_names,
    starter_with_format,
)
from tests.stages.shows import starter_show

STARTER = files("podwright").joinpath("data/starter_show.toml").read_text(encoding="utf-8")


def test_the_five_formats_are_built_in() -> None:
    assert format_names() == ("brief", "critique", "debate", "deep-dive", "interview")
    assert format_named("Deep dive") == format_named("deep_dive") == format_named("deep-dive")
    assert (format_named("brief").hosts, format_named("brief").minutes) == (1, 2)
    assert [role.name for role in format_named("debate").roles] == ["for", "against"]
    assert [role.name for role in format_named("interview").roles] == ["host", "guest"]


def test_deep_dive_is_todays_default_template() -> None:
    show = starter_show()
    shaped = apply_format(show, "deep-dive")
    assert shaped.template == show.template and shaped.hosts == show.hosts and shaped.roles == {}


def test_a_debate_gives_each_host_a_side_and_the_segments_name_them() -> None:
    debate = apply_format(starter_show(), "debate")
    assert debate.format == "debate"
    assert debate.roles["maya"].startswith("Argues FOR") and debate.roles["joe"].startswith("Argues AGAINST")
    intents = {spec.kind: spec.intent for spec in debate.template}
    assert intents["case_for"].startswith("Maya makes the case for") and "Joe presses" in intents["case_for"]
    assert intents["case_against"].startswith("Joe makes the case against")
    assert not any("{" in spec.intent for spec in debate.template)


def test_a_brief_seats_one_host_and_another_format_seats_both_again() -> None:
    brief = apply_format(starter_show(), "brief")
    assert brief.host_ids == ("maya",) and [host.id for host in brief.benched] == ["joe"]
    interview = apply_format(brief, "interview")
    assert interview.host_ids == ("maya", "joe") and interview.benched == ()
    assert "guest" in interview.roles["joe"]
    # A shaped show survives the episode folder's snapshot (JSON) unchanged.
    assert Show.model_validate_json(brief.model_dump_json()) == brief


def test_too_few_hosts_and_unknown_names_are_clear_errors() -> None:
    solo = starter_show().model_copy(update={"hosts": starter_show().hosts[:1]})
    with pytest.raises(ConfigError, match="the debate format needs 2 hosts and show 'curious-minutes' has 1"):
        apply_format(solo, "debate")
    with pytest.raises(ConfigError) as unknown:
        format_named("talk show")
    assert unknown.value.message == (
        "unknown format 'talk show'; the built-in formats are brief, critique, debate, deep-dive, interview"
    )


def test_the_show_file_names_a_format_as_its_template() -> None:
    text = starter_with_format(STARTER, format_named("interview"))
    assert '\ntemplate = "interview"' in text and "\n[[template]]" not in text
    # Only the template tables went: every other line of the starter is still there.
    kept = [line for line in STARTER.splitlines() if line not in text.splitlines()]
    assert all(line.strip() == "[[template]]" or re.match(r"(kind|intent|share) = ", line) for line in kept)
    show = show_from_toml(text)
    assert show.format == "interview" and show.template[0].kind == "meet_the_guest"
    assert default_minutes(show) == 10 and default_minutes(starter_show()) == 10
    assert default_minutes(apply_format(show, "brief")) == 2
    with pytest.raises(ConfigError) as bad:
        show_from_toml(text.replace('"interview"', '"podcast"'), origin="show.toml")
    assert bad.value.message.startswith("show.toml: template: unknown format 'podcast'; the built-in formats")
    joe = text.index('[[hosts]]\nid = "joe"')
    solo = text[:joe] + text[text.index("\n\n", joe) :]
    with pytest.raises(ConfigError, match="template: the interview format needs 2 hosts"):
        show_from_toml(solo, origin="show.toml")
