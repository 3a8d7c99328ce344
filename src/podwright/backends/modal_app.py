"""The Modal app: a GPU render class whose containers load the engines once and render batches.

Deploy it with ``modal deploy -m podwright.backends.modal_app``; ``podwright modal dispatch`` then
looks the class up by name and sends one batch of staged episodes per warm container. Defining the
app touches no network and needs no token (the tests import it offline): Modal only talks to its
servers when the app is deployed or a method is called ``.remote()``.

Two Volumes: ``podwright-weights`` holds the engines' weights (``/weights``, read by Chatterbox
through its ``weights_dir``), ``podwright-chunks`` the chunk cache (``/chunks``), committed after
every episode so a container that dies costs only the episode in flight.
"""

# No `from __future__ import annotations`: Modal reads the class parameters' types at definition.
import importlib.metadata
import tempfile
import uuid
from pathlib import Path
from typing import Any

import modal

from podwright.backends.modal_batch import BatchRenderer, BatchResult, StagedEpisode
from podwright.core import Show
from podwright.scheduler.planner import DEFAULT_SERVERLESS_GPU, PriceTable, serverless_keep_alive
from podwright.scheduler.work import PipelineRenderer

__all__ = [
    "APP_NAME",
    "CHUNKS_PATH",
    "CLASS_NAME",
    "WEIGHTS_PATH",
    "RenderContainer",
    "app",
    "chunks",
    "container_engine_options",
    "container_requirements",
    "deployed_submit",
    "modal_gpu",
    "weights",
]

APP_NAME = "podwright-render"
CLASS_NAME = "RenderContainer"
WEIGHTS_PATH = "/weights"
CHUNKS_PATH = "/chunks"

#: Price-table GPU names Modal spells differently.
_MODAL_GPU_NAMES = {"A10": "A10G"}


def modal_gpu(name: str) -> str:
    """Modal's name for a price-table GPU (``A10`` is ``A10G`` there)."""
    return _MODAL_GPU_NAMES.get(name, name)


def container_engine_options(show: Show) -> dict[str, dict[str, Any]]:
    """The show's ``[engines.*]`` options with Chatterbox reading its weights from the weights Volume."""
    options: dict[str, dict[str, Any]] = {name: dict(values) for name, values in show.engines.items()}
    chatterbox = options.setdefault("chatterbox", {})
    chatterbox.setdefault("weights_dir", f"{WEIGHTS_PATH}/chatterbox")
    return options


def container_requirements() -> list[str]:
    """podwright's own dependencies and its ``chatterbox`` extra, from the installed package's metadata.

    Inside a container podwright is added as source, not installed, so there is no metadata: the
    image was built at deploy time and this list is not needed there.
    """
    try:
        requires = importlib.metadata.requires("podwright") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    wanted: list[str] = []
    for requirement in requires:
        name, _, marker = requirement.partition(";")
        if "extra" not in marker or "chatterbox" in marker:
            wanted.append(name.strip())
    return wanted


app = modal.App(APP_NAME)
weights = modal.Volume.from_name("podwright-weights", create_if_missing=True)
chunks = modal.Volume.from_name("podwright-chunks", create_if_missing=True)
image = (
    modal.Image.debian_slim(python_version="3.11")
    .apt_install("ffmpeg")
    .pip_install(*container_requirements())
    .env({"HF_HUB_OFFLINE": "1", "PODWRIGHT_QA": "off"})
    # The package as it is here, data files included (prices, starter show, templates).
    .add_local_python_source("podwright", ignore=["**/__pycache__/**", "**/*.pyc"])
)


@app.cls(
    gpu=modal_gpu(DEFAULT_SERVERLESS_GPU),
    scaledown_window=int(serverless_keep_alive(PriceTable.default().gpu(DEFAULT_SERVERLESS_GPU))),
    volumes={WEIGHTS_PATH: weights, CHUNKS_PATH: chunks},
    image=image,
    timeout=4 * 3600,
)
class RenderContainer:
    """One warm GPU container: ``@modal.enter`` loads the engines, :meth:`render_batch` renders."""

    device: str = modal.parameter(default=DEFAULT_SERVERLESS_GPU)
    """The price-table name of the GPU (the calibration key and the price of the session)."""
    preload: str = modal.parameter(default="chatterbox")
    """Comma-separated engines loaded at enter (the cold start)."""
    chunks_dir: str = modal.parameter(default=CHUNKS_PATH)

    @modal.enter()
    def start(self) -> None:
        """Load the engines once per container."""
        names = tuple(name.strip() for name in self.preload.split(",") if name.strip())
        renderer = PipelineRenderer(
            None,
            Path(self.chunks_dir),
            device=self.device,
            preload=names,
            engine_options=container_engine_options,
        )
        # Run locally (tests, `.local()`), there is no Volume to commit to.
        checkpoint = (lambda: None) if modal.is_local() else chunks.commit
        self.batch = BatchRenderer(
            renderer,
            Path(tempfile.mkdtemp(prefix="podwright-episodes-")),
            # One enter per container: a fresh id here names the container in the sessions it bills.
            container=f"container-{uuid.uuid4().hex[:12]}",
            checkpoint=checkpoint,
        )
        self.batch.load()

    @modal.method()
    def render_batch(self, batch: list[StagedEpisode]) -> BatchResult:
        """Render ``batch`` back to back with the warm engines."""
        return self.batch.render(batch)


def deployed_submit(preload: str, *, app_name: str = APP_NAME) -> Any:
    """A dispatcher's ``submit`` that calls the deployed class (network: only after a token check).

    Each call picks the plan's GPU and keep-alive with ``with_options``: the decorator's values are
    only the defaults ``modal deploy`` records.
    """
    deployed = modal.Cls.from_name(app_name, CLASS_NAME)

    def submit(batch: list[StagedEpisode], plan: Any) -> BatchResult:
        configured = deployed.with_options(
            gpu=modal_gpu(plan.gpu), scaledown_window=max(2, round(plan.keep_alive_s))
        )
        result: BatchResult = configured(device=plan.gpu, preload=preload).render_batch.remote(batch)
        return result

    return submit
