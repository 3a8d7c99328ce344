"""Finding episodes by what a producer types, and picking up episode folders the store has not seen.

A producer names an episode by its key (``show/episode-id``), its id, a unique prefix of either, or
its folder. Folders written before episodes were records (or copied from another machine) are
recorded when first named, or all at once by ``podwright episodes import``: the state comes from
what the folder holds (a script, a draft, a final render), nothing is lost, and a render written at
the folder's root by an older podwright moves into its tier's folder.
"""

from __future__ import annotations

import time
from pathlib import Path

from podwright.core import EpisodeError, PodwrightError, Tier
from podwright.core.lifecycle import EpisodeRecord, RenderRecord, episode_key
from podwright.store.episodes import SQLiteEpisodeBook

__all__ = ["find_episode", "import_folder", "import_folders", "unique_prefix"]


def unique_prefix(ref: str, candidates: list[str], *, what: str, listing: str) -> str:
    """The one candidate equal to ``ref``, or the only one starting with it; a clear error otherwise."""
    if ref in candidates:
        return ref
    matches = [candidate for candidate in candidates if candidate.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise EpisodeError(f"no {what} {ref!r}", hint=f"see `{listing}` for the ids")
    shown = ", ".join(matches[:5]) + (" …" if len(matches) > 5 else "")
    raise EpisodeError(
        f"{ref!r} names {len(matches)} {what}s ({shown})", hint="type more of the id to pick one"
    )


def find_episode(book: SQLiteEpisodeBook, ref: str | Path, *, actor: str) -> EpisodeRecord:
    """The episode ``ref`` names (see the module docstring)."""
    path = Path(ref)
    if (path / "script.json").is_file():
        return import_folder(book, path, actor=actor)
    text = str(ref)
    keys = book.keys()
    if text in keys:
        return book.get(text)
    ids = {key.partition("/")[2]: key for key in keys}
    by_id = [key for key in keys if key.partition("/")[2] == text]
    if len(by_id) == 1:
        return book.get(by_id[0])
    try:
        return book.get(unique_prefix(text, keys, what="episode", listing="podwright episodes"))
    except EpisodeError:
        pass
    return book.get(ids[unique_prefix(text, sorted(ids), what="episode", listing="podwright episodes")])


def import_folder(book: SQLiteEpisodeBook, folder: Path, *, actor: str) -> EpisodeRecord:
    """The record of ``folder``, creating it (with its renders) when the store has none."""
    from podwright.pipeline.episode import load_episode
    from podwright.pipeline.renders import adopt_legacy_render, read_render_manifest, render_dir, script_sha

    folder = folder.resolve()
    script, show = load_episode(folder)
    key = episode_key(show.slug, script.episode_id)
    if book.exists(key):
        return book.get(key)
    adopt_legacy_render(folder, show)
    sha = script_sha(folder)
    book.record_script(
        show_slug=show.slug,
        episode_id=script.episode_id,
        title=script.title,
        topic=None,
        sources=(),
        folder=str(folder),
        script_sha=sha,
        actor=f"{actor} (import)",
    )
    for tier in Tier:
        manifest = read_render_manifest(folder, tier)
        if manifest is None:
            continue
        tier_dir = render_dir(folder, tier)
        book.record_render(
            key,
            RenderRecord(
                tier=tier,
                folder=str(tier_dir),
                files=tuple(str(name) for name in manifest.get("files", [])),
                audio_s=0.0,
                compute_s=0.0,
                script_sha=str(manifest.get("script_sha", sha)),
                rendered_at=float(manifest.get("rendered_at", time.time())),
            ),
            actor=f"{actor} (import)",
        )
    return book.get(key)


def import_folders(
    book: SQLiteEpisodeBook, root: Path, *, actor: str
) -> tuple[list[EpisodeRecord], list[str]]:
    """Record every episode folder (one holding ``script.json``) under ``root``.

    A folder that cannot be read (an invalid script, no show snapshot) is skipped and named in the
    second list with its problem; the others are still recorded.
    """
    if not root.is_dir():
        raise EpisodeError(f"{root} is not a folder", hint="pass the output root, e.g. out/")
    records: list[EpisodeRecord] = []
    problems: list[str] = []
    for folder in sorted({path.parent for path in root.rglob("script.json")}):
        try:
            records.append(import_folder(book, folder, actor=actor))
        except PodwrightError as exc:
            problems.append(f"{folder}: {exc}")
    return records, problems
