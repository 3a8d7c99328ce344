"""Progress a long command shows: one line per finished stage, a spinner, a chunk bar with an ETA."""

from __future__ import annotations

from typing import TYPE_CHECKING

from podwright.cli.common import console

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.status import Status

    from podwright.pipeline.run_record import StageEvent
    from podwright.pipeline.voicing import VoicingProgress

__all__ = ["ChunkProgress", "StageProgress", "chunk_progress"]


class StageProgress:
    """Prints one line per finished stage and keeps a spinner naming the stages still running."""

    def __init__(self, status: Status) -> None:
        self.status = status
        self.running: list[str] = []

    def __call__(self, event: StageEvent) -> None:
        """Update the spinner; print the stage's line when it finishes."""
        if not event.finished:
            self.running.append(event.stage)
        elif event.stage in self.running:
            self.running.remove(event.stage)
        self.status.update("writing: " + (", ".join(self.running) or "…"))
        record = event.record
        if record is None:
            return
        cost = "$?" if record.cost_usd is None else f"${record.cost_usd:.4f}"
        cached = f" ({record.cached_tokens:,} cached)" if record.cached_tokens else ""
        console.print(
            f"  [green]✓[/] {record.stage:<16} {record.wall_s:6.1f} s  "
            f"{record.input_tokens:>7,} in{cached} → {record.output_tokens:>6,} out  {cost}",
            highlight=False,
        )


class ChunkProgress:
    """A rich progress bar of chunks done / total with an ETA."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("voicing", total=None)

    def __call__(self, event: VoicingProgress) -> None:
        """Move the bar to where voicing stands."""
        cached = f", {event.cached} cached" if event.cached else ""
        detail = f"voicing ({event.audio_s / 60:.1f} min of audio{cached})"
        self.progress.update(self.task, total=event.total, completed=event.done, description=detail)


def chunk_progress() -> Progress:
    """The transient progress display a render shows while it voices."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
