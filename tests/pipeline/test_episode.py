"""One episode end to end: produce (script ∥ voicing), render, re-render after an edit, bad folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podwright.core import ConfigError, Script, Show, Tier, VoiceRef
from podwright.pipeline.episode import load_episode, produce_episode, render_episode
from podwright.tts.cache import ChunkCache
from tests.stages.shows import episode, starter_show
from tests.support.scripted_llm import ScriptedLLM
from tests.support.tone_engine import ToneEngine


def tone_show() -> Show:
    """The starter show with both hosts voiced by the fast tone engine."""
    show = starter_show()
    hosts = []
    for host, voice in zip(show.hosts, ("low", "high"), strict=True):
        ref = VoiceRef(engine="tone", voice=voice)
        hosts.append(host.model_copy(update={"voices": {Tier.DRAFT: ref, Tier.FINAL: ref}}))
    return show.model_copy(update={"hosts": tuple(hosts)})


@pytest.fixture
def produced(tmp_path: Path) -> tuple[Path, ToneEngine, ChunkCache, Show]:
    import asyncio

    show = tone_show()
    engine = ToneEngine()
    cache = ChunkCache(tmp_path / "chunks")
    llm = ScriptedLLM(show.host_ids, segments=len(show.template))
    result = asyncio.run(
        produce_episode(
            show,
            episode(minutes=1.0),
            client=llm,
            out_root=tmp_path / "out",
            engines={"tone": engine},
            cache=cache,
        )
    )
    return result.folder, engine, cache, show


def test_produce_writes_a_complete_episode_folder(
    produced: tuple[Path, ToneEngine, ChunkCache, Show],
) -> None:
    folder, _, _, show = produced
    assert folder == folder.parent.parent / show.slug / "ep-1"
    for name in (
        "draft/episode.mp3",
        "draft/transcript.vtt",
        "draft/transcript.srt",
        "draft/chapters.json",
        "draft/youtube.json",
        "draft/render.json",
        "script.json",
        "script.md",
        "run.json",
        "show.json",
        "images/cover.png",
    ):
        assert (folder / name).is_file(), name
    # Nothing of a render sits at the folder's root: the folder says which tier each file is.
    assert not (folder / "episode.mp3").exists()
    manifest = json.loads((folder / "draft" / "render.json").read_text())
    assert manifest["tier"] == "draft" and manifest["voices"]["maya"]["engine"] == "tone"
    run = json.loads((folder / "run.json").read_text())
    assert {"script", "render", "renders", "produce"} <= run.keys()
    assert run["renders"]["draft"] == run["render"]
    # Body segments were voiced while the LLM wrote the rest: the final pass found them cached.
    assert run["produce"]["prefetched_chunks"] > 0
    voicing = run["render"]["voicing"]
    assert voicing["chunks_cached"] >= run["produce"]["prefetched_chunks"]
    assert voicing["chunks_total"] == voicing["chunks_cached"] + voicing["chunks_synthesized"]
    chapters = json.loads((folder / "draft" / "chapters.json").read_text())["chapters"]
    assert len(chapters) == len(Script.model_validate_json((folder / "script.json").read_text()).segments)


def test_editing_one_turn_re_renders_only_its_chunks(
    produced: tuple[Path, ToneEngine, ChunkCache, Show],
) -> None:
    folder, engine, cache, show = produced
    script, _ = load_episode(folder)
    segments = list(script.segments)
    turns = list(segments[1].turns)
    turns[0] = turns[0].model_copy(update={"text": "A brand new line about starlight."})
    segments[1] = segments[1].model_copy(update={"turns": tuple(turns)})
    edited = script.model_copy(update={"segments": tuple(segments)})
    (folder / "script.json").write_text(edited.model_dump_json(indent=2))
    engine.calls.clear()

    result = render_episode(folder, show, Tier.DRAFT, engines={"tone": engine}, cache=cache)

    assert engine.calls == ["A brand new line about starlight."]
    assert result.chunks_synthesized == 1
    assert result.chunks_cached == result.chunks_total - 1
    # Packaging redid only the edited turn's piece, and run.json says so.
    rebuild = json.loads((folder / "run.json").read_text())["render"]["package"]["rebuild"]
    assert rebuild["mode"] == "incremental" and not rebuild["fell_back"]
    assert rebuild["pieces_encoded"] == 1 < rebuild["pieces_total"]


def test_a_folder_without_a_script_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not an episode folder") as info:
        load_episode(tmp_path)
    assert "podwright" in info.value.hint


def test_an_invalid_script_names_the_field(produced: tuple[Path, ToneEngine, ChunkCache, Show]) -> None:
    folder, *_ = produced
    data = json.loads((folder / "script.json").read_text())
    data["segments"][1]["turns"][0]["host"] = "zed"
    (folder / "script.json").write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="zed"):
        load_episode(folder)


def test_a_render_keeps_images_made_before_it(produced: tuple[Path, ToneEngine, ChunkCache, Show]) -> None:
    from mutagen.id3 import ID3
    from PIL import Image

    folder, engine, cache, show = produced
    # As if `podwright images --engine openrouter` had replaced the title-card cover.
    Image.new("RGB", (64, 64), (200, 30, 30)).save(folder / "images" / "cover.png")
    marker = (folder / "images" / "cover.png").read_bytes()

    render_episode(folder, show, Tier.DRAFT, engines={"tone": engine}, cache=cache)

    assert (folder / "images" / "cover.png").read_bytes() == marker
    assert ID3(folder / "draft" / "episode.mp3").getall("APIC")[0].data == marker


def test_a_final_render_leaves_the_draft_intact(produced: tuple[Path, ToneEngine, ChunkCache, Show]) -> None:
    folder, engine, cache, show = produced

    def files(tier_dir: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(tier_dir)): p.read_bytes() for p in sorted(tier_dir.rglob("*")) if p.is_file()
        }

    draft = files(folder / "draft")

    result = render_episode(folder, show, Tier.FINAL, engines={"tone": engine}, cache=cache)

    assert result.folder == folder / "final"
    assert files(folder / "draft") == draft  # its MP3, transcripts, manifest and stored pieces
    assert (folder / "final" / "episode.mp3").is_file()
    run = json.loads((folder / "run.json").read_text())
    assert set(run["renders"]) == {"draft", "final"}
    assert json.loads((folder / "final" / "render.json").read_text())["tier"] == "final"
