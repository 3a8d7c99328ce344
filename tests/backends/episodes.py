"""Small staged episodes voiced by hibari alone (the CPU draft voice), shared by backend tests and bench."""

from __future__ import annotations

import random
from pathlib import Path

from podwright.core import Script, Segment, Show, Turn
from podwright.core.files import atomic_write_text
from podwright.scheduler.warm_cold import stage_episode
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from tests.stages.shows import starter_show

WORDS_TEXT = (
    "light harbor keeper storm lamp tower ship coast signal night beam glass lens rock island sailor "
    "chart wind wave bell fog horn station winter season river bridge tide current compass north"
)
WORDS = WORDS_TEXT.split(" ")


def hibari_show() -> Show:
    """The starter show with its first host only: every line in hibari's voice."""
    show = starter_show()
    return show.model_copy(update={"hosts": show.hosts[:1]})


def script(episode_id: str, *, turns: int = 2, seed: int = 0) -> Script:
    """A short script of ``turns`` two-sentence turns of common words (every chunk differs)."""
    rng = random.Random(f"{episode_id}-{seed}")
    text = [
        " ".join(" ".join(rng.choice(WORDS) for _ in range(8)).capitalize() + "." for _ in range(2))
        for _ in range(turns)
    ]
    return Script(
        episode_id=episode_id,
        show_slug="curious-minutes",
        title=f"Episode {episode_id}",
        hosts={"maya": "Maya"},
        segments=(
            Segment(kind="body", title="Part 1", turns=tuple(Turn(host="maya", text=t) for t in text)),
        ),
    )


def stage(db: Path, root: Path, ids: list[str], *, turns: int = 2) -> list[Path]:
    """Write each episode's script and show snapshot under ``root`` and stage it in the store ``db``."""
    show = hibari_show()
    jobs = JobStore(connect(db))
    folders = []
    try:
        for episode_id in ids:
            written = script(episode_id, turns=turns)
            folder = root / episode_id
            folder.mkdir(parents=True)
            atomic_write_text(folder / "script.json", written.model_dump_json())
            atomic_write_text(folder / "show.json", show.model_dump_json())
            stage_episode(
                jobs,
                folder,
                episode_id=episode_id,
                show_path=folder / "show.json",
                word_count=written.word_count,
            )
            folders.append(folder)
    finally:
        jobs.conn.close()
    return folders
