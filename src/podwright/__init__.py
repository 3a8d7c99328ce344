"""podwright: topic or documents in, publishable podcast episodes out, at the lowest cost per episode."""

from podwright.core import EpisodeRequest, PodwrightError, Script, Show, Tier

__version__ = "0.1.0"

__all__ = ["EpisodeRequest", "PodwrightError", "Script", "Show", "Tier", "__version__"]
