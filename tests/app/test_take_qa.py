"""Take QA through the studio, with the real offline voices and the bundled Whisper-base: a final render
hears every take, records QA in run.json, `podwright qa` lists the flagged line, and publishing it
needs --allow-flagged."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podwright import Studio
from podwright.cli.main import app
from podwright.config import load_show
from podwright.core import EpisodeError, Script, Segment, Tier, Turn
from podwright.core.show import QASettings
from tests.stages.shows import starter_show

NONSENSE = "Xzqj vbnm kplt wrrf."
"""A line no voice can say as written: every take fails its words, so it ends flagged."""


def _episode(out: Path, show_model: Path) -> Path:
    show = starter_show()
    show = show.model_copy(update={"qa": QASettings(model=str(show_model))})
    script = Script(
        episode_id="qa-1",
        show_slug=show.slug,
        title="Rivers",
        hosts={"maya": "Maya", "joe": "Joe"},
        segments=(
            Segment(
                kind="intro",
                title="Rivers",
                turns=(
                    Turn(host="maya", text="Welcome back. Today we talk about rivers."),
                    Turn(host="joe", text=NONSENSE),
                    Turn(host="maya", text="Thanks for listening."),
                ),
            ),
        ),
    )
    folder = out / show.slug / script.episode_id
    folder.mkdir(parents=True)
    (folder / "script.json").write_text(script.model_dump_json(indent=2), encoding="utf-8")
    (folder / "show.json").write_text(show.model_dump_json(indent=2), encoding="utf-8")
    return folder


@pytest.mark.slow
def test_final_render_flags_a_bad_line_and_publishing_needs_an_override(
    studio: Studio, tmp_path: Path, whisper_model: Path
) -> None:
    folder = _episode(tmp_path / "out", whisper_model)
    with Studio(dataclasses.replace(studio.settings, qa=True), show_loader=load_show) as desk:
        import asyncio

        draft = asyncio.run(desk.render(folder, Tier.DRAFT))
        assert draft.result.qa is None  # drafts are not checked by default
        desk.approve(draft.episode.key)
        final = asyncio.run(desk.render(draft.episode.key, Tier.FINAL))
        qa = final.result.qa
        assert qa is not None and qa.compute_s > 0
        assert [line.text for line in qa.flagged] == [NONSENSE]
        # The first take and one retake: joe's piper voice is deterministic, so its retake is the same
        # samples (heard once more), and a third take could not differ.
        assert len(qa.flagged[0].takes) == 2 and qa.retakes == 1
        assert all(not line.flagged for line in qa.lines if line.text != NONSENSE)
        record = json.loads((folder / "run.json").read_text())["renders"]["final"]["qa"]
        assert record["checked"] and record["flagged"] == 1 and record["compute_s"] > 0
        with pytest.raises(EpisodeError) as refused:
            desk.publish(draft.episode.key)
        assert "--allow-flagged" in refused.value.hint

    runner = CliRunner()
    listed = runner.invoke(app, ["qa", "qa-1", "--json"])
    assert listed.exit_code == 0, listed.output
    lines = json.loads(listed.output)["lines"]
    assert [line["text"] for line in lines] == [NONSENSE] and lines[0]["takes"] == 2
    table = runner.invoke(app, ["qa", "qa-1", "--all"])
    assert "1 flagged of 3 line(s) checked" in table.output
    refused_cli = runner.invoke(app, ["publish", "qa-1"])
    assert refused_cli.exit_code == 1 and "allow-flagged" in refused_cli.output
    published = runner.invoke(app, ["publish", "qa-1", "--allow-flagged"])
    assert published.exit_code == 0, published.output
    assert studio.episode("qa-1").state.value == "published"
