"""The speech check: WER scoring (a table), Whisper assembly, and a real voice → MP3 → text round trip."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from podwright.audio.speech_check import (
    WHISPER_PACKAGES,
    assemble_whisper,
    normalize_words,
    transcribe,
    word_error_rate,
)
from podwright.core.episode import Script, Segment, Turn
from podwright.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _package_data_dirs() -> list[Path]:
    found = [importlib.util.find_spec(package) for package in WHISPER_PACKAGES]
    return [Path(spec.origin).parent / "data" for spec in found if spec is not None and spec.origin]


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("the cat sat", "the cat sat", 0.0),
        ("The cat, sat!", "the CAT sat", 0.0),
        ("the cat sat", "the cat", 1 / 3),  # one deletion
        ("the cat sat", "the cat sat down", 1 / 3),  # one insertion
        ("the cat sat", "the dog sat", 1 / 3),  # one substitution
        ("the cat sat", "", 1.0),
        ("a b", "c d e f", 2.0),  # can exceed one
        ("", "", 0.0),
        ("", "words", 1.0),
        ("ten years ago", "10 years ago", 0.0),
        ("one thousand five hundred words", "1,500 words", 0.0),
        ("that's twenty-one", "thats twenty one", 0.0),
        ("fifty percent", "50%", 0.0),
        ("two point five", "2.5", 0.0),
        ("by eighteen oh five", "By 1805", 0.0),  # a year as a host says it
        ("from 1799 on", "from 1,799 on", 0.0),  # a voice that reads a year as a count
        ("in nineteen hundred and 1850", "in 1900 and eighteen fifty", 0.0),
        ("it cost five dollars", "It cost $5", 0.0),
        ("Rivers move. A bend", "rivers move a band", 1 / 4),
    ],
)
def test_word_error_rate_table(reference: str, hypothesis: str, expected: float) -> None:
    assert word_error_rate(reference, hypothesis) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello, World!", ["hello", "world"]),
        ("It's 2024.", ["its", "two", "thousand", "twenty", "four"]),
        (
            "1,805 ships and 1099",
            [
                "one",
                "thousand",
                "eight",
                "hundred",
                "five",
                "ships",
                "and",
                "one",
                "thousand",
                "ninety",
                "nine",
            ],
        ),
        (
            "$1,024 or £3.50",
            [
                "one",
                "thousand",
                "twenty",
                "four",
                "dollars",
                "or",
                "three",
                "point",
                "five",
                "zero",
                "pounds",
            ],
        ),
        ("  x  ", ["x"]),
        ("well—maybe; maybe not...", ["well", "maybe", "maybe", "not"]),
        ("105 and 3,000,017", ["one", "hundred", "five", "and", "three", "million", "seventeen"]),
    ],
)
def test_normalize_words(text: str, words: list[str]) -> None:
    assert normalize_words(text) == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "By 1805, in 1900 and 2005",
            ["by", "eighteen", "oh", "five", "in", "nineteen", "hundred", "and", "two", "thousand", "five"],
        ),
        (
            "In 2024, 1,805 ships and 18050",
            [
                "in",
                "twenty",
                "twenty",
                "four",
                "one",
                "thousand",
                "eight",
                "hundred",
                "five",
                "ships",
                "and",
                "eighteen",
                "thousand",
                "fifty",
            ],
        ),
    ],
)
def test_normalize_words_reads_four_digit_numbers_as_years_when_asked(text: str, words: list[str]) -> None:
    assert normalize_words(text, years=True) == words


def test_assemble_whisper_joins_parts_once_and_reuses(tmp_path: Path) -> None:
    model = assemble_whisper(tmp_path)
    assert model == tmp_path / "whisper-base"
    assert {p.name for p in model.iterdir()} >= {"model.bin", "config.json", "tokenizer.json"}
    parts = sorted(
        (part for data in _package_data_dirs() for part in data.glob("model.bin.part*")),
        key=lambda part: part.name,
    )
    assert [part.name for part in parts] == ["model.bin.part1", "model.bin.part2"]
    joined = model.joinpath("model.bin")
    assert joined.stat().st_size == sum(part.stat().st_size for part in parts)
    with joined.open("rb") as whole, parts[1].open("rb") as tail:
        whole.seek(parts[0].stat().st_size)
        assert whole.read(4096) == tail.read(4096)  # part 2 follows part 1 exactly
    mtime = model.joinpath("model.bin").stat().st_mtime_ns
    assert assemble_whisper(tmp_path) == model
    assert model.joinpath("model.bin").stat().st_mtime_ns == mtime  # reused, not rebuilt
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_assemble_whisper_rebuilds_an_incomplete_folder(tmp_path: Path) -> None:
    broken = tmp_path / "whisper-base"
    broken.mkdir()
    broken.joinpath("model.bin").write_bytes(b"truncated")
    model = assemble_whisper(tmp_path)
    assert model.joinpath("model.bin").stat().st_size > 100_000_000
    assert model.joinpath("config.json").is_file()


def test_transcribe_without_a_model_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        transcribe(tmp_path / "episode.mp3", tmp_path / "nowhere")
    assert "assemble_whisper" in info.value.hint


def test_missing_asr_packages_name_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import podwright.audio.speech_check as speech_check

    monkeypatch.setattr(speech_check, "WHISPER_PACKAGES", ("podwright_no_such_whisper_part",))
    with pytest.raises(ConfigError) as info:
        assemble_whisper(tmp_path)
    assert "podwright[asr]" in info.value.hint
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # what an uninstalled package looks like
    with pytest.raises(ConfigError) as info:
        transcribe(tmp_path / "episode.mp3", tmp_path)
    assert "podwright[asr]" in info.value.hint


def _round_trip_script() -> Script:
    turns = (
        Turn(host="maya", text="Welcome back to the show. Today we are talking about rivers and maps."),
        Turn(host="joe", text="Rivers move over the years, so every map is only a snapshot in time."),
        Turn(host="maya", text="That is why surveyors return to the same bend, season after season."),
        Turn(host="joe", text="Thanks for listening, and see you next week."),
    )
    return Script(
        episode_id="speech-check",
        show_slug="curious-minutes",
        title="Rivers and maps",
        hosts={"maya": "Maya", "joe": "Joe"},
        segments=(
            Segment(kind="intro", title="Rivers", turns=turns[:2]),
            Segment(kind="conclusion", title="Maps", turns=turns[2:]),
        ),
    )


@pytest.mark.slow
def test_voiced_and_packaged_episode_says_the_script(
    tmp_path: Path, whisper_model: Path, request: pytest.FixtureRequest
) -> None:
    from podwright.config import load_show
    from podwright.core.show import Tier
    from podwright.pipeline.package import package_episode
    from podwright.pipeline.voicing import ScriptVoicer, build_engines, cast_for
    from podwright.tts.cache import ChunkCache

    show = load_show(ROOT / "examples" / "show.toml")
    cast = cast_for(show, Tier.DRAFT)
    assert {ref.engine for ref in cast.values()} == {"hibari", "piper"}
    script = _round_trip_script()
    voicer = ScriptVoicer(build_engines(cast), ChunkCache(tmp_path / "chunks"), lexicon=show.lexicon)
    voiced = voicer.voice(script, cast)
    result = package_episode(script, voiced.clips, show, tmp_path / "episode")

    heard = transcribe(result.episode_mp3, whisper_model, language=show.language)
    said = " ".join(turn.text for turn in script.turns)
    wer = word_error_rate(said, heard)
    request.node.user_properties.append(("wer", round(wer, 4)))
    print(f"\nspeech check: WER {wer:.3f} over {len(normalize_words(said))} words\nheard: {heard}")
    assert wer <= 0.3, f"the episode does not say its script (WER {wer:.2f}): {heard!r}"
