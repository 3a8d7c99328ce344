"""A written script on disk: ``script.json`` (typed), ``script.md`` (readable), ``show_notes.md`` (the
description and sources, as every listener-facing text lists them) and ``run.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from podwright.core.episode import Script
from podwright.core.language import labels_for
from podwright.pipeline.run_record import atomic_write_text, write_run_json
from podwright.stages.show_notes import show_notes

if TYPE_CHECKING:
    from podwright.pipeline.script import ScriptResult

__all__ = ["render_markdown", "write_script_files"]


def render_markdown(script: Script) -> str:
    """The script as Markdown: title, description, then each segment as a heading over its turns."""
    lines = [f"# {script.title}", ""]
    if script.metadata is not None and script.metadata.description:
        lines += [f"_{script.metadata.description}_", ""]
    for segment in script.segments:
        lines += [f"## {segment.title}", ""]
        for turn in segment.turns:
            lines += [f"**{script.hosts.get(turn.host, turn.host)}:** {turn.text}", ""]
    if script.metadata is not None and script.metadata.tags:
        tags = labels_for(script.language).tags
        lines += ["---", "", f"{tags}: " + ", ".join(script.metadata.tags), ""]
    if script.sources or script.sourcing:
        heading = f"## {labels_for(script.language).sources}"
        lines += [heading, "", script.sourcing, ""] if script.sourcing else [heading, ""]
        for number, source in enumerate(script.sources, start=1):
            link = f"[{source.title or source.url}]({source.url})" if source.url else source.title
            lines += [f"{number}. {link}"]
            if source.passage:
                lines += [f"   > {source.passage}"]
        lines += [""]
    return "\n".join(lines)


def write_script_files(result: ScriptResult, out_dir: Path) -> None:
    """Write ``script.json``, ``script.schema.json``, ``script.md``, ``show_notes.md`` and ``run.json``.

    Each file is written to a temporary name and renamed, so none ever looks finished half-written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "script.json", result.script.model_dump_json(indent=2) + "\n")
    atomic_write_text(out_dir / "script.schema.json", json.dumps(Script.model_json_schema(), indent=2) + "\n")
    atomic_write_text(out_dir / "script.md", render_markdown(result.script))
    atomic_write_text(out_dir / "show_notes.md", show_notes(result.script) + "\n")
    write_run_json(out_dir / "run.json", result.run)
