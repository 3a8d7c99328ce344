"""Editing a written script line by line, and hearing one line (or one segment) without a full render.

A producer fixes the lines that don't land: change a line's text or its speaker, insert or delete a
line, have the LLM write one segment again. Each edit is validated as a whole script before anything
is written (an unknown speaker or an empty line is refused with the episode untouched), then
``script.json`` and ``script.md`` are replaced atomically. An edit keeps the episode's state: the
approval binds to the script's bytes, so publishing an edited script asks for a new approval.

Re-voicing goes through the chunk cache the renders use: hearing an edited line synthesizes only
its changed sentences, and the next render of the tier finds them already cached.
"""

from __future__ import annotations

import io
import threading
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import ValidationError

from podwright.core import AudioClip, ConfigError, EpisodeError, Script, Segment, Show, Tier, Turn
from podwright.core.lifecycle import EpisodeRecord, EpisodeState

if TYPE_CHECKING:
    from podwright.app.studio import Studio
    from podwright.core import TTSEngine
    from podwright.pipeline.voicing import ScriptVoicer

__all__ = ["EditedScript", "ScriptDesk", "wav_bytes"]

#: What an audition says, in the host's own name.
AUDITION_LINE = "Hello, I'm {name}, and this is how I sound on {show}."
#: Silence between the chunks of one line, as a render lays them out.
_CHUNK_PAUSE_S = 0.12


@dataclass(frozen=True, slots=True)
class EditedScript:
    """An episode after an edit: its record and the script now on disk."""

    episode: EpisodeRecord
    script: Script


def wav_bytes(clip: AudioClip) -> bytes:
    """``clip`` as a 16-bit mono WAV file (what a browser's ``<audio>`` plays without a decoder)."""
    pcm = (np.clip(clip.samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(clip.sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def _joined(clips: Sequence[AudioClip]) -> AudioClip:
    """Clips of one engine back to back, with the render's pause between them."""
    rate = clips[0].sample_rate
    pause = np.zeros(int(rate * _CHUNK_PAUSE_S), dtype=np.float32)
    parts: list[np.ndarray] = []
    for index, clip in enumerate(clips):
        if index:
            parts.append(pause)
        parts.append(clip.samples.astype(np.float32))
    return AudioClip(samples=np.concatenate(parts), sample_rate=rate)


class ScriptDesk:
    """Line edits, one-segment rewrites and one-line voicing for the episodes of one studio.

    Engines are built once per cast and kept loaded, so hearing an edit costs the synthesis of the
    changed sentences only, not a cold start.
    """

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self._engines: dict[tuple[str, Tier], dict[str, TTSEngine]] = {}
        self._lock = threading.Lock()

    # -- reading -----------------------------------------------------------------------------------

    def script(self, ref: str | Path) -> tuple[EpisodeRecord, Script, Show]:
        """The episode's record, its script and its show snapshot."""
        from podwright.pipeline.episode import load_episode

        record = self.studio.episode(ref)
        script, show = load_episode(Path(record.folder))
        return record, script, show

    # -- edits -------------------------------------------------------------------------------------

    def edit_line(
        self, ref: str | Path, segment: int, line: int, *, text: str | None = None, host: str | None = None
    ) -> EditedScript:
        """Change line ``line`` of segment ``segment`` (both 0-based): its text, its speaker, or both."""
        record, script, _ = self.script(ref)
        turns = list(self._segment(script, segment).turns)
        old = self._turn(turns, segment, line)
        turns[line] = self._new_turn(script, host or old.host, old.text if text is None else text)
        return self._save(record, script, segment, turns)

    def insert_line(
        self, ref: str | Path, segment: int, before: int, *, host: str, text: str
    ) -> EditedScript:
        """Insert a new line at position ``before`` of segment ``segment`` (its length appends it)."""
        record, script, _ = self.script(ref)
        turns = list(self._segment(script, segment).turns)
        if not 0 <= before <= len(turns):
            raise EpisodeError(
                f"segment {segment + 1} has {len(turns)} lines; cannot insert at line {before + 1}",
                hint="reload the episode page and try again",
            )
        turns.insert(before, self._new_turn(script, host, text))
        return self._save(record, script, segment, turns)

    def delete_line(self, ref: str | Path, segment: int, line: int) -> EditedScript:
        """Delete one line; a segment keeps at least one."""
        record, script, _ = self.script(ref)
        turns = list(self._segment(script, segment).turns)
        self._turn(turns, segment, line)
        if len(turns) == 1:
            raise EpisodeError(
                f"line {line + 1} is the only line of segment {segment + 1}",
                hint="edit its text instead, or have the segment written again",
            )
        del turns[line]
        return self._save(record, script, segment, turns)

    async def rewrite_segment(self, ref: str | Path, segment: int, *, offline: bool = False) -> EditedScript:
        """Have the show's LLM write one segment again (the other segments stay as they are).

        The request is the script pipeline's own segment call, built from the script on disk: its
        titles stand in for the outline and its summary for the research brief.
        """
        from podwright.app.wiring import script_client
        from podwright.core.episode import Outline, OutlineSegment, ResearchBrief
        from podwright.llm.structured import complete_json
        from podwright.stages import dialogue

        record, script, show = self.script(ref)
        self._check_editable(record)
        target = self._segment(script, segment)
        key = self.studio.check_can_write(show, offline=offline)
        outline = Outline(
            title=script.title,
            segments=tuple(
                OutlineSegment(
                    kind=each.kind,
                    title=each.title,
                    key_points=(each.turns[0].text[:200],),
                    target_words=max(each.word_count, 30),
                )
                for each in script.segments
            ),
        )
        brief = ResearchBrief(summary=script.summary or script.title)
        previous = script.segments[segment - 1].turns if segment > 0 else ()
        request = dialogue.build_request(
            show, brief, outline, segment + 1, episode_id=script.episode_id, previous_turns=previous
        )
        request = request.model_copy(update={"stage": f"rewrite-{segment + 1}"})
        async with script_client(show, self.studio.settings, offline=offline, key=key) as client:
            answer, _ = await complete_json(client, request, dialogue.dialogue_model(show))
        written = dialogue.parse(answer, kind=target.kind, title=target.title)
        return self._save(record, script, segment, list(written.turns))

    # -- hearing -----------------------------------------------------------------------------------

    def voice_line(self, ref: str | Path, segment: int, line: int, tier: Tier = Tier.DRAFT) -> bytes:
        """One line of the script on disk, voiced in ``tier``'s voice, as WAV bytes."""
        _, script, show = self.script(ref)
        turn = self._turn(list(self._segment(script, segment).turns), segment, line)
        return wav_bytes(self._speak(show, tier, [turn]))

    def audition(self, show: Show, host_id: str, tier: Tier = Tier.DRAFT) -> bytes:
        """A sample line in one host's voice (synthesized once, then from the chunk cache)."""
        host = next((host for host in show.hosts if host.id == host_id), None)
        if host is None:
            raise ConfigError(
                f"show {show.slug!r} has no host {host_id!r}", hint=f"hosts: {', '.join(show.host_ids)}"
            )
        line = Turn(host=host.id, text=AUDITION_LINE.format(name=host.name, show=show.name))
        return wav_bytes(self._speak(show, tier, [line]))

    def voiced_segments(self, ref: str | Path, tier: Tier = Tier.DRAFT) -> list[int]:
        """Segments (0-based) whose every sentence is in the chunk cache: playable before the render ends."""
        from podwright.pipeline.voicing import cast_for

        _, script, show = self.script(ref)
        cast = cast_for(show, tier)
        with self._lock:
            voicer = self._voicer(show, tier)
        return [
            index
            for index, each in enumerate(script.segments)
            if all(key in voicer.cache for key in voicer.chunk_keys(each.turns, cast))
        ]

    def segment_audio(self, ref: str | Path, segment: int, tier: Tier = Tier.DRAFT) -> bytes | None:
        """One segment's lines from the chunk cache as WAV bytes; ``None`` until all of them are voiced."""
        if segment not in self.voiced_segments(ref, tier):
            return None
        _, script, show = self.script(ref)
        return wav_bytes(self._speak(show, tier, list(self._segment(script, segment).turns)))

    # -- internals ---------------------------------------------------------------------------------

    def _speak(self, show: Show, tier: Tier, turns: Sequence[Turn]) -> AudioClip:
        from podwright.audio.resample import resample
        from podwright.pipeline.voicing import cast_for

        segment = Segment(kind="line", title="line", turns=tuple(turns))
        with self._lock:  # one synthesis at a time per desk: engines are not all thread-safe
            voiced = self._voicer(show, tier).voice_segment(segment, 0, cast_for(show, tier))
        clips = [voiced.clip(0, index) for index in range(len(turns))]
        rate = max(clip.sample_rate for clip in clips)
        same_rate = [
            clip
            if clip.sample_rate == rate
            else AudioClip(samples=resample(clip.samples, clip.sample_rate, rate), sample_rate=rate)
            for clip in clips
        ]
        return _joined(same_rate)

    def _voicer(self, show: Show, tier: Tier) -> ScriptVoicer:
        """A voicer on the cached engines of ``show``'s ``tier`` cast (call with the lock held)."""
        from podwright.pipeline.voicing import ScriptVoicer
        from podwright.tts.cache import ChunkCache

        engines = self._engines.get((show.slug, tier))
        if engines is None:
            engines, _ = self.studio.cast_engines(show, tier)
            self._engines[(show.slug, tier)] = engines
        return ScriptVoicer(engines, ChunkCache(self.studio.settings.chunk_cache_dir), lexicon=show.lexicon)

    @staticmethod
    def _segment(script: Script, segment: int) -> Segment:
        if not 0 <= segment < len(script.segments):
            raise EpisodeError(
                f"the script has {len(script.segments)} segments; there is no segment {segment + 1}",
                hint="reload the episode page and try again",
            )
        return script.segments[segment]

    @staticmethod
    def _turn(turns: Sequence[Turn], segment: int, line: int) -> Turn:
        if not 0 <= line < len(turns):
            raise EpisodeError(
                f"segment {segment + 1} has {len(turns)} lines; there is no line {line + 1}",
                hint="reload the episode page and try again",
            )
        return turns[line]

    @staticmethod
    def _new_turn(script: Script, host: str, text: str) -> Turn:
        if host not in script.hosts:
            raise ConfigError(
                f"unknown speaker {host!r}: this episode's hosts are {', '.join(sorted(script.hosts))}",
                hint="pick one of the show's hosts, or add the host to the show file first",
            )
        try:
            return Turn(host=host, text=text)
        except ValidationError as exc:
            raise ConfigError("a line must say something", hint="type the line's text, or delete it") from exc

    @staticmethod
    def _check_editable(record: EpisodeRecord) -> None:
        if record.state is EpisodeState.PUBLISHED:
            raise EpisodeError(
                f"episode {record.key} is published; its script is what listeners hear",
                hint="unpublish it first, then edit",
            )
        if record.state is EpisodeState.CANCELLED:
            raise EpisodeError(f"episode {record.key} is cancelled", hint="write it again to edit it")

    def _save(self, record: EpisodeRecord, script: Script, segment: int, turns: list[Turn]) -> EditedScript:
        from podwright.pipeline.run_record import atomic_write_text
        from podwright.pipeline.script_files import render_markdown

        self._check_editable(record)
        segments = list(script.segments)
        segments[segment] = segments[segment].model_copy(update={"turns": tuple(turns)})
        try:
            edited = Script.model_validate({**script.model_dump(), "segments": segments})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(
                f"the edit would break the script: {first['msg'].removeprefix('Value error, ')}",
                hint="undo the change; nothing was saved",
            ) from exc
        folder = Path(record.folder)
        # script.json first: it is what renders and approvals bind to; script.md is its readable copy.
        atomic_write_text(folder / "script.json", edited.model_dump_json(indent=2) + "\n")
        atomic_write_text(folder / "script.md", render_markdown(edited))
        return EditedScript(episode=self.studio.book.get(record.key), script=edited)
