"""Commands: ``modal dispatch``, rendering staged episodes in warm Modal GPU containers."""

from __future__ import annotations

from pathlib import Path

import typer

from podwright.app.scale import ModalOptions, modal_dispatch
from podwright.cli.common import console, friendly_errors, studio, typer_app
from podwright.config import modal_token_present

__all__ = ["register"]


def _dispatch(
    gpu: str | None = typer.Option(
        None, "--gpu", metavar="GPU", help="GPU kind (default: the show's [render] gpu, else A100-80GB)."
    ),
    batch_size: int | None = typer.Option(
        None, "--batch-size", metavar="N", min=1, help="Episodes per container (default: the planner's)."
    ),
    keep_alive: float | None = typer.Option(
        None,
        "--keep-alive",
        metavar="SECONDS",
        min=0,
        help="Warm seconds after a batch (default: a cold start).",
    ),
    offline: bool = typer.Option(
        False, "--offline", help="Stage queued scripts with the embedded local model."
    ),
    prices: Path | None = typer.Option(
        None, "--prices", metavar="FILE", help="Your own price file, merged over the default."
    ),
    db: Path | None = typer.Option(
        None, "--db", metavar="FILE", help="The store file (default: podwright.db in the data dir)."
    ),
    out: Path = typer.Option(Path("out"), "--out", metavar="DIR", help="Output root for episode folders."),
) -> None:
    """Stage queued scripts here, then render every staged episode on Modal, one batch per container."""
    options = ModalOptions(
        gpu=gpu, batch_size=batch_size, keep_alive_s=keep_alive, offline=offline, prices=prices
    )
    with studio(out, db=db) as desk:
        summary = modal_dispatch(
            desk,
            options,
            has_token=modal_token_present(),
            on_status=lambda line: console.print(line, highlight=False),
        )
    plan = summary.plan
    console.print(
        f"{summary.batches} containers on {plan.gpu} (keep-alive {plan.keep_alive_s:g} s): "
        f"rendered {len(summary.rendered)}, failed {len(summary.failed)}, sessions {list(summary.sessions)}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``modal dispatch``."""
    modal_app = typer_app("Serverless GPU renders on Modal (deploy first: see docs/scale.md).")
    modal_app.command("dispatch")(friendly_errors(_dispatch))
    app.add_typer(modal_app, name="modal")
