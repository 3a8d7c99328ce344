"""Layer 4, the Python API: :class:`Studio` and what its methods return.

The command line, the workers and the web studio call this and nothing below it. Get a studio wired
from the environment with :func:`podwright.open_studio`, or build one from :class:`StudioSettings`.
"""

from podwright.app.queue_desk import JobView, PlanResult, QueueDesk, WorkerOptions
from podwright.app.settings import StudioSettings
from podwright.app.studio import Produced, Rendered, Scripted, Studio
from podwright.scheduler.intake import QueuedEpisode, episode_id_for, read_queue_file
from podwright.scheduler.recurring import RunStatus
from podwright.store.ledger import CallTotals, EpisodeTotal, StageTotal, combine_totals

__all__ = [
    "CallTotals",
    "EpisodeTotal",
    "JobView",
    "PlanResult",
    "Produced",
    "QueueDesk",
    "QueuedEpisode",
    "Rendered",
    "RunStatus",
    "Scripted",
    "StageTotal",
    "Studio",
    "StudioSettings",
    "WorkerOptions",
    "combine_totals",
    "episode_id_for",
    "read_queue_file",
]
