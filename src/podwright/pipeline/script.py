"""The script DAG: sources → research → outline → segments → summary → bookends ∥ metadata ∥ images.

::

    source digests (light, concurrent)
     → research → outline
     → segment 1 (alone: primes the provider's prompt cache with the static prefix)
     → segments 2..N (concurrent; each reported to ``on_segment`` as soon as it is final;
       one after another with ``sequential=True``, each shown the sentences already said)
     → summary (light)
     → intro ∥ conclusion (primary, read the summary only) ∥ metadata ∥ image prompts (light)

Every dialogue segment is checked as soon as it is written (see :mod:`podwright.stages.quality`)
and asked again once when it fails (``segment-2-repair``); the checks go in the run record.
Every call's usage and wall time is kept per stage in a :class:`RunRecord`.

``sequential`` is for a client that answers one call at a time anyway (the embedded model behind
its one lock): written concurrently, segments 2..N would only queue, and never see each other, so
each would restate the brief's facts the segment before it already said. Written in order, each
call's per-call block lists the earlier segments' sentences as said (the static prefix stays
byte-identical) and continues from the previous segment's last line. The caller says which client it
built (:func:`~podwright.pipeline.clients.uses_local_model`); remote providers stay concurrent.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from podwright.core.episode import (
    EpisodeMetadata,
    EpisodeRequest,
    ImagePrompt,
    Outline,
    ResearchBrief,
    Script,
    Segment,
    SourceDoc,
)
from podwright.core.language import labels_for
from podwright.core.llm import LLMClient, LLMRequest, LLMResponse
from podwright.core.show import Show
from podwright.llm.structured import complete_json
from podwright.pipeline.run_record import RunRecord, StageEvent, StageRecord
from podwright.pipeline.script_review import review_segment, script_quality
from podwright.sources import split
from podwright.stages import (
    bookends,
    dialogue,
    image_prompts,
    metadata,
    outline,
    research,
    source_digest,
    summary,
)
from podwright.stages.review import SegmentReview
from podwright.stages.sizing import EpisodeSize, size_episode

__all__ = ["ScriptPipeline", "ScriptResult", "SegmentCallback", "StageCallback"]

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

StageCallback = Callable[[StageEvent], None]
"""Told when each stage starts and finishes."""
SegmentCallback = Callable[[int, Segment], Awaitable[None] | None]
"""Given each segment (air-order index: intro 0, body 1..N, conclusion N+1) as soon as it exists."""


def _long_source(doc: SourceDoc) -> bool:
    return doc.summary is None and split.needs_summary(doc)


def _pieces(doc: SourceDoc) -> list[str]:
    return split.split_for_summary(doc.text)


@dataclass(frozen=True, slots=True)
class ScriptResult:
    """A finished script with its plan and its run record."""

    script: Script
    run: RunRecord
    brief: ResearchBrief
    outline: Outline
    sources: tuple[SourceDoc, ...] = ()
    """The sources as research read them (digests filled in for long ones)."""


@dataclass(slots=True)
class _Run:
    """The mutable state of one ``write``: the clock origin, stage rows and pending callbacks."""

    clock: Callable[[], float]
    started: float
    on_event: StageCallback | None
    on_segment: SegmentCallback | None
    stages: list[StageRecord] = field(default_factory=list)
    pending: list[asyncio.Task[None]] = field(default_factory=list)
    reviews: dict[int, SegmentReview] = field(default_factory=dict)
    """Quality reviews by air-order index."""

    def now(self) -> float:
        return self.clock() - self.started

    def begin(self, stage: str) -> float:
        if self.on_event is not None:
            self.on_event(StageEvent(stage=stage, finished=False))
        return self.now()

    def end(self, record: StageRecord) -> None:
        self.stages.append(record)
        if self.on_event is not None:
            self.on_event(StageEvent(stage=record.stage, finished=True, record=record))

    def announce(self, index: int, segment: Segment) -> None:
        """Hand ``segment`` to ``on_segment``; an awaitable it returns runs alongside the pipeline."""
        if self.on_segment is None:
            return
        result = self.on_segment(index, segment)
        if inspect.isawaitable(result):
            self.pending.append(asyncio.ensure_future(_await(result)))


async def _settle(*tasks: asyncio.Future[Any]) -> None:
    """Wait for ``tasks``; on the first failure cancel the others and re-raise it."""
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _all(*coroutines: Coroutine[Any, Any, T]) -> list[T]:
    """Run ``coroutines`` concurrently and return their results in order (fail fast, see ``_settle``)."""
    return await _all_futures(*(asyncio.ensure_future(coroutine) for coroutine in coroutines))


async def _all_futures(*tasks: asyncio.Future[T]) -> list[T]:
    """Wait for ``tasks`` (fail fast, see ``_settle``) and return their results in order."""
    await _settle(*tasks)
    return [task.result() for task in tasks]


class ScriptPipeline:
    """Writes one episode's script with ``client`` for ``show``, running independent calls concurrently.

    ``needs_summary`` and ``split_for_summary`` decide which sources are digested first and how they
    are cut (defaults: :mod:`podwright.sources.split`'s policy, skipping sources already digested).
    """

    def __init__(
        self,
        client: LLMClient,
        show: Show,
        *,
        clock: Callable[[], float] = time.perf_counter,
        needs_summary: Callable[[SourceDoc], bool] = _long_source,
        split_for_summary: Callable[[SourceDoc], Sequence[str]] = _pieces,
        web: bool = True,
        sequential: bool = False,
    ) -> None:
        self.client = client
        self.show = show
        self.clock = clock
        self.needs_summary = needs_summary
        self.split_for_summary = split_for_summary
        self.web = web
        """Whether research may search the web when the show asks (an offline run may not)."""
        self.sequential = sequential
        """Whether body segments 2..N are written one after another, each told what the earlier ones
        said (for a client whose calls run one at a time anyway: the embedded model)."""

    async def write(
        self,
        request: EpisodeRequest,
        sources: Sequence[SourceDoc] = (),
        *,
        on_event: StageCallback | None = None,
        on_segment: SegmentCallback | None = None,
    ) -> ScriptResult:
        """Write the script for ``request`` from ``sources`` (may be empty when a topic is given)."""
        run = _Run(clock=self.clock, started=self.clock(), on_event=on_event, on_segment=on_segment)
        try:
            return await self._write(run, request, sources)
        except BaseException:
            for task in run.pending:
                task.cancel()
            raise

    async def _write(
        self,
        run: _Run,
        request: EpisodeRequest,
        sources: Sequence[SourceDoc],
    ) -> ScriptResult:
        started_at = datetime.now(UTC)
        episode_id = request.episode_id
        size = size_episode(self.show, request.target_minutes)

        digested = tuple(await _all(*(self._digest(run, doc, episode_id) for doc in sources)))
        brief = await self._research(run, request, digested, size)
        draft = await self._ask(
            run, outline.build_request(self.show, request, brief, size), outline.OutlineDraft
        )
        plan = outline.parse(draft, self.show, size)

        body = await self._write_body(run, brief, plan, episode_id)
        digest = await self._ask(
            run, summary.build_request(self.show, body, episode_id=episode_id), summary.EpisodeSummary
        )
        intro, conclusion, meta, prompts = await self._finish(
            run, plan, body, digest.summary, size, episode_id
        )
        segments = (intro, *body, conclusion)
        await _settle(*run.pending)
        quality = script_quality(
            self.show,
            [run.reviews[index] for index in sorted(run.reviews)],
            segments,
            target_words=size.total_words,
            stages=run.stages,
        )

        script = Script(
            episode_id=episode_id,
            show_slug=self.show.slug,
            title=meta.title or plan.title,
            language=self.show.language,
            hosts={host.id: host.name for host in self.show.hosts},
            segments=segments,
            summary=digest.summary,
            metadata=meta,
            image_prompts=prompts,
            created_at=started_at,
            sources=(*brief.sources, *research.document_sources(digested)),
            sourcing=brief.sourcing,
        )
        record = RunRecord.build(
            episode_id=episode_id,
            show_slug=self.show.slug,
            started_at=started_at,
            wall_s=run.now(),
            stages=run.stages,
            quality=quality,
        )
        return ScriptResult(script=script, run=record, brief=brief, outline=plan, sources=digested)

    async def _call(self, run: _Run, request: LLMRequest, model_type: type[M]) -> tuple[M, list[LLMResponse]]:
        started = run.begin(request.stage)
        value, responses = await complete_json(self.client, request, model_type)
        run.end(StageRecord.from_responses(request.stage, request.task, started, run.now(), responses))
        return value, responses

    async def _research(
        self, run: _Run, request: EpisodeRequest, digested: Sequence[SourceDoc], size: EpisodeSize
    ) -> ResearchBrief:
        """The brief, with the pages the provider's web search cited (every answer's, repairs too)."""
        call = research.build_request(self.show, request, digested, size, web=self.web)
        draft, responses = await self._call(run, call, research.RESPONSE)
        return research.parse(draft, responses, call, digested)

    async def _ask(self, run: _Run, request: LLMRequest, model_type: type[M]) -> M:
        value, _ = await self._call(run, request, model_type)
        return value

    async def _dialogue(
        self,
        run: _Run,
        request: LLMRequest,
        *,
        index: int,
        kind: str,
        title: str,
        target_words: int,
        earlier: Callable[[], Awaitable[Sequence[Segment]]],
    ) -> Segment:
        """Write one stretch of dialogue, check it against ``earlier`` (awaited only once it is
        written), repair it once if it fails, then hand it to ``on_segment``."""
        answer_model = dialogue.dialogue_model(self.show)

        async def ask(call: LLMRequest) -> Segment:
            return dialogue.parse(await self._ask(run, call, answer_model), kind=kind, title=title)

        draft = await ask(request)
        segment, review = await review_segment(
            ask, self.show, request, draft, target_words=target_words, earlier=await earlier()
        )
        run.reviews[index] = review
        run.announce(index, segment)
        return segment

    async def _digest(self, run: _Run, doc: SourceDoc, episode_id: str) -> SourceDoc:
        if not self.needs_summary(doc):
            return doc
        pieces = list(self.split_for_summary(doc))
        requests = [
            source_digest.build_request(
                doc.title,
                piece,
                index=index,
                total=len(pieces),
                episode_id=episode_id,
                language=self.show.language,
            )
            for index, piece in enumerate(pieces, start=1)
        ]
        answers = await _all(*(self._ask(run, req, source_digest.PieceSummary) for req in requests))
        return doc.model_copy(update={"summary": source_digest.join([answer.summary for answer in answers])})

    async def _write_body(
        self,
        run: _Run,
        brief: ResearchBrief,
        plan: Outline,
        episode_id: str,
    ) -> tuple[Segment, ...]:
        finals: dict[int, asyncio.Future[Segment]] = {}

        async def before(index: int) -> list[Segment]:
            return [await finals[earlier] for earlier in range(1, index)]

        async def write_segment(
            index: int, previous: Segment | None, said: Sequence[Segment] = ()
        ) -> Segment:
            request = dialogue.build_request(
                self.show,
                brief,
                plan,
                index,
                episode_id=episode_id,
                previous_turns=previous.turns if previous is not None else (),
                said=said,
            )
            spec = plan.segments[index - 1]
            return await self._dialogue(
                run,
                request,
                index=index,
                kind=spec.kind,
                title=spec.title,
                target_words=spec.target_words,
                earlier=lambda: before(index),
            )

        # The first call runs alone so the static prefix is in the provider's cache for the rest.
        finals[1] = asyncio.ensure_future(write_segment(1, None))
        first = await finals[1]
        if self.sequential:
            written = [first]
            for index in range(2, len(plan.segments) + 1):
                finals[index] = asyncio.ensure_future(write_segment(index, written[-1], tuple(written)))
                written.append(await finals[index])
            return tuple(written)
        for index in range(2, len(plan.segments) + 1):
            finals[index] = asyncio.ensure_future(write_segment(index, first if index == 2 else None))
        rest = await _all_futures(*(finals[index] for index in range(2, len(plan.segments) + 1)))
        return (first, *rest)

    async def _finish(
        self,
        run: _Run,
        plan: Outline,
        body: tuple[Segment, ...],
        digest: str,
        size: EpisodeSize,
        episode_id: str,
    ) -> tuple[Segment, Segment, EpisodeMetadata, tuple[ImagePrompt, ...]]:
        # The headings podwright names itself are in the show's language (the LLM writes the rest).
        heading = labels_for(self.show.language)
        titles = [heading.intro, *(segment.title for segment in body), heading.conclusion]

        async def body_segments() -> Sequence[Segment]:
            return body

        async def body_and_intro() -> Sequence[Segment]:
            return (await intro, *body)

        async def bookend(which: bookends.Bookend, words: int, title: str) -> Segment:
            request = bookends.build_request(
                self.show,
                which,
                title=plan.title,
                body=body,
                summary=digest,
                words=words,
                episode_id=episode_id,
            )
            return await self._dialogue(
                run,
                request,
                index=0 if which == "intro" else len(body) + 1,
                kind=which,
                title=title,
                target_words=words,
                # The conclusion must not repeat the intro either; only its check waits for it.
                earlier=body_segments if which == "intro" else body_and_intro,
            )

        async def write_metadata() -> EpisodeMetadata:
            request = metadata.build_request(
                self.show,
                working_title=plan.title,
                segment_titles=titles,
                summary=digest,
                episode_id=episode_id,
            )
            return metadata.parse(await self._ask(run, request, metadata.MetadataDraft), titles)

        async def write_image_prompts() -> tuple[ImagePrompt, ...]:
            request = image_prompts.build_request(
                self.show, title=plan.title, segment_titles=titles, summary=digest, episode_id=episode_id
            )
            draft = await self._ask(run, request, image_prompts.ImagePromptsDraft)
            return image_prompts.parse(draft, title=plan.title, segment_titles=titles)

        intro = asyncio.ensure_future(bookend("intro", size.intro_words, heading.intro))
        conclusion = asyncio.ensure_future(bookend("conclusion", size.conclusion_words, heading.conclusion))
        meta = asyncio.ensure_future(write_metadata())
        prompts = asyncio.ensure_future(write_image_prompts())
        await _settle(intro, conclusion, meta, prompts)
        return intro.result(), conclusion.result(), meta.result(), prompts.result()


async def _await(awaitable: Awaitable[None]) -> None:
    await awaitable
