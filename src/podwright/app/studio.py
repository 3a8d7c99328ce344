"""The Python API: :class:`Studio`, what the CLI, the workers and the web studio all call.

A studio holds one store connection and resolved settings. Long calls (writing a script, rendering,
producing) are coroutines that never nest an event loop: blocking work (model inference, synthesis,
mixing) runs in worker threads via ``asyncio.to_thread``, so a web app awaits them on its own loop.
Everything a producer does to an episode goes through its record in the store, so its state
(scripted → draft rendered → in review → approved → final rendered → published) is always known::

    studio = podwright.open_studio()
    show = studio.load_show(Path("show.toml"))
    episode = await studio.write_script(show, topic="Why the sky is dark", minutes=3, offline=True)
    episode = await studio.render(episode.key, Tier.DRAFT)
    studio.approve(episode.key)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from podwright.app import episodes as finding
from podwright.app import media
from podwright.app.editing import ScriptDesk
from podwright.app.qa import TierQA, read_tier_qa, take_review
from podwright.app.queue_desk import QueueDesk
from podwright.app.settings import StudioSettings
from podwright.app.wiring import build_cast_engines, episode_request, resolve_key, script_client
from podwright.core import EpisodeError, Show, SourceDoc, Tier
from podwright.core.formats import apply_format, default_minutes
from podwright.core.jobs import JobRecord
from podwright.core.lifecycle import EpisodeEvent, EpisodeRecord, EpisodeState

if TYPE_CHECKING:
    from podwright.app.previews import EpisodeEstimate
    from podwright.core import TTSEngine
    from podwright.pipeline.episode import ProduceResult, RenderResult
    from podwright.pipeline.images import EpisodeImages
    from podwright.pipeline.run_record import StageEvent
    from podwright.pipeline.script import ScriptResult
    from podwright.pipeline.video import EpisodeVideo
    from podwright.pipeline.voicing import VoicingProgress
    from podwright.store.database import Database
    from podwright.store.episodes import SQLiteEpisodeBook
    from podwright.store.ledger import EpisodeTotal, StageTotal

__all__ = ["Produced", "Rendered", "Scripted", "Studio"]


@dataclass(frozen=True, slots=True)
class Scripted:
    """A written script: the episode record and what the script run did."""

    episode: EpisodeRecord
    result: ScriptResult


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered tier: the episode record and what the render did."""

    episode: EpisodeRecord
    result: RenderResult
    warnings: tuple[str, ...] = ()
    """Cast warnings (hosts who would sound alike)."""


@dataclass(frozen=True, slots=True)
class Produced:
    """A produced episode: scripted and rendered in one go."""

    episode: EpisodeRecord
    result: ProduceResult
    warnings: tuple[str, ...] = ()


class Studio:
    """One producer's view of podwright: shows, episodes and their lifecycle, the queue, costs.

    ``show_loader`` reads a show file (the interface layer's :func:`podwright.config.load_show`
    resolves its relative paths); :func:`podwright.open_studio` wires both from the environment.
    """

    def __init__(self, settings: StudioSettings, *, show_loader: Callable[[Path], Show]) -> None:
        self.settings = settings
        self.show_loader = show_loader
        self._conn: Database | None = None
        self._desk: ScriptDesk | None = None

    # -- the store ---------------------------------------------------------------------------------

    @property
    def conn(self) -> Database:
        """The store connection (SQLite or PostgreSQL), opened (and migrated) on first use."""
        if self._conn is None:
            from podwright.store.db import connect

            self._conn = connect(self.settings.store)
        return self._conn

    @property
    def book(self) -> SQLiteEpisodeBook:
        """The episode records."""
        from podwright.store.episodes import SQLiteEpisodeBook

        return SQLiteEpisodeBook(self.conn)

    def close(self) -> None:
        """Close the store connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Studio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- shows and voices --------------------------------------------------------------------------

    def load_show(self, path: Path, *, format: str | None = None) -> Show:
        """Read and validate a show file; ``format`` names a built-in format to shape it with instead
        of its own template (an unknown name is a clear error listing the known ones)."""
        show = self.show_loader(Path(path))
        return apply_format(show, format) if format else show

    def cast_engines(self, show: Show, tier: Tier) -> tuple[dict[str, TTSEngine], list[str]]:
        """The engines ``show``'s ``tier`` cast needs, checked to speak here, and sound-alike warnings.

        Raises :class:`~podwright.core.VoiceError` naming the host and the fix before anything is paid.
        """
        from podwright.pipeline.voicing import check_cast, sound_alike_hosts

        engines = build_cast_engines(show, tier, self.settings.keys)
        check_cast(show, tier, engines)
        return engines, sound_alike_hosts(show, tier, engines)

    def check_can_write(self, show: Show, *, offline: bool) -> str | None:
        """The provider key the show's script needs (``None`` offline); a clear error when it is unset."""
        return resolve_key(show, self.settings.keys, offline=offline)

    # -- episodes ----------------------------------------------------------------------------------

    def episodes(self, show_slug: str | None = None) -> list[EpisodeRecord]:
        """Every episode the store knows (of one show), newest first."""
        return self.book.find(show_slug)

    def episode(self, ref: str | Path) -> EpisodeRecord:
        """One episode by key, episode id, a unique prefix of either, or its folder.

        A folder with a script that the store has not seen yet (made before episodes were records,
        or copied in) is recorded on the spot, its renders included.
        """
        return finding.find_episode(self.book, ref, actor=self.settings.actor)

    def import_episodes(self, root: Path) -> tuple[list[EpisodeRecord], list[str]]:
        """Record every episode folder under ``root`` (``<root>/<show>/<id>/`` or deeper).

        Nothing moves but a pre-tier render at a folder's root, which goes into its tier's folder.
        Returns the records and, for folders that could not be read, one problem line each.
        """
        return finding.import_folders(self.book, Path(root), actor=self.settings.actor)

    # -- writing and rendering ---------------------------------------------------------------------

    async def write_script(
        self,
        show: Show,
        *,
        topic: str | None = None,
        sources: Sequence[str] = (),
        minutes: float | None = None,
        episode_id: str | None = None,
        offline: bool = False,
        out_root: Path | None = None,
        on_event: Callable[[StageEvent], None] | None = None,
        fresh: bool = False,
    ) -> Scripted:
        """Research, outline and write an episode's script; the episode is recorded as ``scripted``.

        Answers already paid for (a run that failed or was stopped) are replayed from the response
        cache; ``fresh`` asks every call again.
        """
        from podwright.pipeline.clients import uses_local_model
        from podwright.pipeline.episode import write_episode_script

        minutes = minutes if minutes is not None else default_minutes(show)
        episode_request(topic, sources, (), minutes, episode_id or "check")  # bad input fails before I/O
        key = self.check_can_write(show, offline=offline)
        docs = await asyncio.to_thread(self._ingest, sources)
        request = episode_request(topic, sources, docs, minutes, episode_id)
        async with script_client(show, self.settings, offline=offline, key=key, fresh=fresh) as client:
            folder, result = await write_episode_script(
                show,
                request,
                client=client,
                out_root=out_root or self.settings.out_root,
                sources=docs,
                on_event=on_event,
                web=not uses_local_model(show, offline=offline),
                # The embedded model answers one call at a time: each segment then sees the ones before.
                sequential=uses_local_model(show, offline=offline),
            )
        return Scripted(
            episode=self._record_script(show, folder, request.topic, request.sources), result=result
        )

    async def render(
        self,
        episode: str | Path,
        tier: Tier = Tier.DRAFT,
        *,
        show: Show | None = None,
        workers: int | None = None,
        on_progress: Callable[[VoicingProgress], None] | None = None,
    ) -> Rendered:
        """Voice and package one tier of an episode into ``<episode>/<tier>/``; the other tier is untouched.

        ``episode`` is an episode key, a unique prefix of one, or an episode folder (a folder the
        store has not seen yet is recorded first). ``show`` overrides the folder's show snapshot.
        """
        from podwright.pipeline.episode import load_episode, render_episode, render_record
        from podwright.scheduler.planner import render_cost
        from podwright.tts.cache import ChunkCache

        record = self.episode(episode)
        self._check_renderable(record, tier)
        folder = Path(record.folder)
        script, show = load_episode(folder, show)
        engines, warnings = self.cast_engines(show, tier)
        review = take_review(self.settings, show, tier)
        with review or contextlib.nullcontext():
            result = await asyncio.to_thread(
                render_episode,
                folder,
                show,
                tier,
                engines=engines,
                cache=ChunkCache(self.settings.chunk_cache_dir),
                script=script,
                workers=workers,
                on_progress=on_progress,
                review=review,
            )
        cost = render_cost(result.compute_s, "cpu")
        updated = self.book.record_render(
            record.key, render_record(result, cost_usd=cost), actor=self.settings.actor
        )
        return Rendered(episode=updated, result=result, warnings=tuple(warnings))

    async def produce(
        self,
        show: Show,
        *,
        topic: str | None = None,
        sources: Sequence[str] = (),
        minutes: float | None = None,
        tier: Tier = Tier.DRAFT,
        episode_id: str | None = None,
        offline: bool = False,
        workers: int | None = None,
        out_root: Path | None = None,
        on_event: Callable[[StageEvent], None] | None = None,
        on_progress: Callable[[VoicingProgress], None] | None = None,
        fresh: bool = False,
    ) -> Produced:
        """Script and render one episode; segments start voicing as soon as their dialogue exists.

        The key and the cast are checked before the first paid call.
        """
        from podwright.pipeline.clients import uses_local_model
        from podwright.pipeline.episode import produce_episode, render_record
        from podwright.scheduler.planner import render_cost
        from podwright.tts.cache import ChunkCache

        minutes = minutes if minutes is not None else default_minutes(show)
        episode_request(topic, sources, (), minutes, episode_id or "check")  # bad input fails before I/O
        key = self.check_can_write(show, offline=offline)
        engines, warnings = self.cast_engines(show, tier)
        docs = await asyncio.to_thread(self._ingest, sources)
        request = episode_request(topic, sources, docs, minutes, episode_id, tier=tier)
        review = take_review(self.settings, show, tier)
        with review or contextlib.nullcontext():
            async with script_client(show, self.settings, offline=offline, key=key, fresh=fresh) as client:
                result = await produce_episode(
                    show,
                    request,
                    client=client,
                    out_root=out_root or self.settings.out_root,
                    engines=engines,
                    cache=ChunkCache(self.settings.chunk_cache_dir),
                    sources=docs,
                    workers=workers,
                    on_event=on_event,
                    on_progress=on_progress,
                    review=review,
                    web=not uses_local_model(show, offline=offline),
                    sequential=uses_local_model(show, offline=offline),
                )
        record = self._record_script(show, result.folder, request.topic, request.sources)
        cost = render_cost(result.render.compute_s, "cpu")
        record = self.book.record_render(
            record.key, render_record(result.render, cost_usd=cost), actor=self.settings.actor
        )
        return Produced(episode=record, result=result, warnings=tuple(warnings))

    # -- the lifecycle -----------------------------------------------------------------------------

    def approve(self, episode: str | Path) -> EpisodeRecord | JobRecord:
        """Approve an episode's script as it is now (after hearing its draft).

        When its queue job waits at the review gate, the job goes on to its final render. A job id
        whose episode has no record yet (its folder holds no script) returns the approved job.
        """
        from podwright.core.jobs import JobState
        from podwright.pipeline.renders import script_sha
        from podwright.store.jobs import JobStore

        jobs = JobStore(self.conn)
        try:
            record = self.episode(episode)
        except EpisodeError:
            # A job id of the queue's review gate (its episode may predate episode records).
            job = (
                self.queue.job(str(episode))
                if isinstance(episode, str) and self._job_exists_like(episode)
                else None
            )
            if job is None:
                raise
            folder = Path(job.episode_dir or "")
            sha = script_sha(folder) if (folder / "script.json").is_file() else None
            jobs.approve(job.id, actor=self.settings.actor, script_sha=sha)
            if job.episode_key and self.book.exists(job.episode_key):
                return self.book.get(job.episode_key)
            return self.episode(folder) if sha else jobs.get(job.id)
        if record.state in (EpisodeState.FAILED, EpisodeState.CANCELLED, EpisodeState.SCRIPTED):
            raise EpisodeError(
                f"episode {record.key} is {record.state.value}: there is no draft to approve",
                hint="render a draft first (`podwright render EPISODE --tier draft`) and listen to it"
                if record.state is EpisodeState.SCRIPTED
                else "write it again (`podwright script`) before approving",
            )
        sha = script_sha(Path(record.folder))
        if record.job_id is not None:
            job = jobs.get(record.job_id) if self._job_exists(record.job_id) else None
            if job is not None and job.state is JobState.REVIEW:
                jobs.approve(job.id, actor=self.settings.actor, script_sha=sha)
                return self.book.get(record.key)
        return self.book.approve(record.key, actor=self.settings.actor, script_sha=sha)

    def publish(
        self, episode: str | Path, tier: Tier | None = None, *, allow_flagged: bool = False
    ) -> EpisodeRecord:
        """Put an approved episode in its show's feed: its final render, or its draft where the show allows.

        Refuses, naming the command that fixes it, anything not approved, failed or cancelled, and a
        render with lines take QA flagged unless ``allow_flagged`` (someone heard them and accepts them).
        """
        from podwright.pipeline.episode import load_episode
        from podwright.pipeline.renders import script_sha

        record = self.episode(episode)
        _, show = load_episode(Path(record.folder))
        chosen = tier or (Tier.FINAL if Tier.FINAL in record.renders else Tier.DRAFT)
        if chosen is Tier.DRAFT and not show.publishing.allow_draft_publishing:
            raise EpisodeError(
                f"episode {record.key} has no final render; drafts are not published",
                hint="approve it and render the final tier (`podwright render EPISODE --tier final`), "
                "or set [publishing] allow_draft_publishing = true in the show file",
            )
        if record.state in (EpisodeState.FAILED, EpisodeState.CANCELLED):
            raise EpisodeError(
                f"episode {record.key} is {record.state.value} and is never published",
                hint="write and render it again first",
            )
        edited = (
            record.approved_at is not None and script_sha(Path(record.folder)) != record.approved_script_sha
        )
        if edited or not record.approved:
            raise EpisodeError(
                f"episode {record.key} is not approved"
                + (" (its script changed since it was approved)" if record.approved_at else ""),
                hint=f"listen to it, then run `podwright approve {record.episode_id}`",
            )
        flagged = read_tier_qa(Path(record.folder), chosen, missing_ok=True).flagged
        if flagged and not allow_flagged:
            raise EpisodeError(
                f"episode {record.key}'s {chosen.value} render has {len(flagged)} line(s) that take QA "
                "flagged (no take passed)",
                hint=f"hear them (`podwright qa {record.episode_id}`), edit and render again, or publish "
                "them as they are with `podwright publish --allow-flagged`",
            )
        return self.book.publish(record.key, chosen, actor=self.settings.actor)

    def qa(self, episode: str | Path, tier: Tier | None = None) -> TierQA:
        """What take QA found in a rendered tier (the final one when it exists): every line, the flagged."""
        from podwright.pipeline.renders import rendered_tiers

        folder = self.episode_folder(episode)
        tiers = rendered_tiers(folder)
        return read_tier_qa(folder, tier or (Tier.FINAL if Tier.FINAL in tiers else Tier.DRAFT))

    def unpublish(self, episode: str | Path) -> EpisodeRecord:
        """Take an episode out of the feed (its files stay)."""
        return self.book.unpublish(self.episode(episode).key, actor=self.settings.actor)

    def write_feed(self, show_slug: str, *, base_url: str, show: Show | None = None) -> Path:
        """Write ``feed.xml`` of a show's published episodes into the show folder; returns its path.

        The channel's artwork is the show's cover (``[publishing] cover``), or a title card of the
        show's name drawn once into the show folder; never an episode's cover.
        """
        from podwright.app.publishing import show_folder, write_show_cover
        from podwright.pipeline.episode import load_episode
        from podwright.pipeline.feed import check_feed_show, feed_episodes, write_feed

        records = self.book.find(show_slug)
        published = [record for record in records if record.state is EpisodeState.PUBLISHED]
        if show is None:
            if not published:
                raise EpisodeError(
                    f"show {show_slug!r} has no published episode and no show file was given",
                    hint="publish an episode first (`podwright publish EPISODE`), or pass --show FILE",
                )
            _, show = load_episode(Path(published[0].folder))
        check_feed_show(show)
        show_dir = show_folder(show, records, self.settings.out_root)
        write_show_cover(show, show_dir)
        return write_feed(show, feed_episodes(published), base_url=base_url, show_dir=show_dir)

    # -- the queue, media, costs and voices --------------------------------------------------------

    @property
    def queue(self) -> QueueDesk:
        """The production queue: add, list, show, cancel, workers, reports, plans."""
        return QueueDesk(self)

    async def make_images(
        self,
        episode: str | Path,
        *,
        engine: str = "titlecard",
        workers: int = 4,
        model: str | None = None,
        timeout_s: float = 120.0,
        show: Show | None = None,
    ) -> EpisodeImages:
        """Make an episode's cover, thumbnail and segment cards into its ``images/``."""
        from podwright.pipeline.episode import load_episode
        from podwright.pipeline.episode_folder import read_script

        folder = self.episode_folder(episode)
        if show is None and not (folder / "show.json").is_file():
            script, snapshot = read_script(folder), None  # a bare folder: cards in the default palette
        else:
            script, snapshot = load_episode(folder, show)
        return await media.make_images(
            script,
            snapshot,
            folder,
            engine,
            self.settings.keys,
            workers=workers,
            model=model,
            timeout_s=timeout_s,
        )

    def write_youtube(self, episode: str | Path, tier: Tier | None = None) -> Path:
        """Write ``youtube.json`` for a rendered tier (the final one when it exists); returns its path."""
        from podwright.pipeline.renders import rendered_tiers

        folder = self.episode_folder(episode)
        tiers = rendered_tiers(folder)
        chosen = tier or (Tier.FINAL if Tier.FINAL in tiers else Tier.DRAFT)
        if chosen not in tiers:
            raise EpisodeError(
                f"{folder.name} has no {chosen.value} render",
                hint=f"render it first: `podwright render {folder.name} --tier {chosen.value}`",
            )
        return media.write_youtube(folder, chosen)

    def write_video(
        self,
        episode: str | Path,
        tier: Tier | None = None,
        *,
        burn_captions: bool | None = None,
        fps: int | None = None,
        show: Show | None = None,
    ) -> EpisodeVideo:
        """Render a tier's YouTube video (``<tier>/episode.mp4``; the final tier when it exists)."""
        from podwright.pipeline.episode import load_episode
        from podwright.pipeline.renders import rendered_tiers

        folder = self.episode_folder(episode)
        tiers = rendered_tiers(folder)
        chosen = tier or (Tier.FINAL if Tier.FINAL in tiers else Tier.DRAFT)
        if chosen not in tiers:
            raise EpisodeError(
                f"{folder.name} has no {chosen.value} render",
                hint=f"render it first: `podwright render {folder.name} --tier {chosen.value}`",
            )
        _, snapshot = load_episode(folder, show)
        return media.write_video(folder, chosen, snapshot, burn_captions=burn_captions, fps=fps)

    def costs(
        self, episode_id: str | None = None, *, limit: int = 20
    ) -> list[StageTotal] | list[EpisodeTotal]:
        """LLM spend from the ledger: per stage of one episode, or per episode (most recent first)."""
        if episode_id is None:
            return media.costs_by_episode(self.conn, limit=limit)
        return media.costs_by_stage(self.conn, episode_id)

    def voices(self, engines: Sequence[str] = (), show: Show | None = None) -> media.VoiceList:
        """Every engine's voices, usable here or not; with ``show``, its casts checked for both tiers."""
        return media.list_voices(engines, show, self.settings.keys)

    # -- the studio's desks: editing, estimates, listening -----------------------------------------

    @property
    def editing(self) -> ScriptDesk:
        """Line edits, one-segment rewrites, one-line voicing and auditions (engines kept loaded)."""
        if self._desk is None:
            self._desk = ScriptDesk(self)
        return self._desk

    def estimate(self, show: Show, *, minutes: float, tier: Tier, offline: bool = False) -> EpisodeEstimate:
        """LLM tokens and dollars, render seconds and dollars of an episode, before it is written."""
        from podwright.app.previews import estimate_episode

        return estimate_episode(self.conn, show, minutes=minutes, tier=tier, offline=offline)

    def waveform(self, episode: str | Path, tier: Tier, *, buckets: int = 600) -> list[float]:
        """Peaks of a rendered tier's MP3, for drawing its waveform."""
        from podwright.app.previews import waveform_peaks

        record = self.episode(episode)
        render = record.renders.get(tier)
        if render is None:
            raise EpisodeError(f"episode {record.key} has no {tier.value} render", hint="render it first")
        return waveform_peaks(Path(render.folder) / "episode.mp3", buckets=buckets)

    def cancel_episode(self, episode: str | Path) -> EpisodeRecord:
        """Cancel an episode (a queued job making it is cancelled with it)."""
        record = self.episode(episode)
        if record.job_id is not None and self._job_exists(record.job_id):
            self.queue.cancel(record.job_id)
            return self.book.get(record.key)
        return self.book.cancel(record.key, actor=self.settings.actor)

    def events(self, episode: str | Path) -> list[EpisodeEvent]:
        """An episode's lifecycle steps, oldest first."""
        return self.book.events(self.episode(episode).key)

    def spend_by_day(self) -> list[tuple[str, str | None, str, float | None, int]]:
        """LLM ``(day, episode id, stage, dollars, calls)`` rows of the ledger, oldest day first."""
        from podwright.store.ledger import spend_by_day

        return spend_by_day(self.conn)

    # -- internals ---------------------------------------------------------------------------------

    def _ingest(self, sources: Sequence[str]) -> list[SourceDoc]:
        from podwright.sources.ingest import ingest_all

        if self.settings.private_sources or not any("://" in source for source in sources):
            return ingest_all(list(sources))
        from podwright.app.url_guard import public_only_client

        with public_only_client() as client:
            return ingest_all(list(sources), http_client=client)

    def _record_script(
        self, show: Show, folder: Path, topic: str | None, sources: Sequence[str]
    ) -> EpisodeRecord:
        from podwright.pipeline.episode_folder import read_script
        from podwright.pipeline.renders import script_sha

        script = read_script(folder)
        return self.book.record_script(
            show_slug=show.slug,
            episode_id=script.episode_id,
            title=script.title,
            topic=topic,
            sources=tuple(sources),
            folder=str(folder.resolve()),
            script_sha=script_sha(folder),
            actor=self.settings.actor,
        )

    def _check_renderable(self, record: EpisodeRecord, tier: Tier) -> None:
        if record.state in (EpisodeState.FAILED, EpisodeState.CANCELLED):
            raise EpisodeError(
                f"episode {record.key} is {record.state.value}",
                hint="write it again (`podwright script`) before rendering",
            )
        if record.state is EpisodeState.PUBLISHED and record.published_tier is tier:
            raise EpisodeError(
                f"episode {record.key} is published with its {tier.value} render",
                hint=f"unpublish it first (`podwright unpublish {record.episode_id}`), then render again",
            )

    def episode_folder(self, ref: str | Path) -> Path:
        """An episode's folder: ``ref`` itself when it is one, else the folder of the record it names."""
        path = Path(ref)
        return path if (path / "script.json").is_file() else Path(self.episode(ref).folder)

    def _job_exists_like(self, ref: str) -> bool:
        from podwright.store.jobs import JobStore

        return JobStore(self.conn).exists(ref, prefix=True)

    def _job_exists(self, job_id: str) -> bool:
        from podwright.store.jobs import JobStore

        return JobStore(self.conn).exists(job_id)
