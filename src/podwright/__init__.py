"""podwright: topic or documents in, publishable podcast episodes out, at the lowest cost per episode.

Start with :func:`open_studio` (the Python API the command line itself calls); see docs/api.md.
"""

from podwright.app import Studio, StudioSettings
from podwright.config import open_studio
from podwright.core import EpisodeRecord, EpisodeRequest, EpisodeState, PodwrightError, Script, Show, Tier

__version__ = "0.1.0"

__all__ = [
    "EpisodeRecord",
    "EpisodeRequest",
    "EpisodeState",
    "PodwrightError",
    "Script",
    "Show",
    "Studio",
    "StudioSettings",
    "Tier",
    "__version__",
    "open_studio",
]
