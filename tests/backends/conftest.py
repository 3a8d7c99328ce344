"""One real Ray cluster for the whole test session (ray.init takes seconds and ~600 MB): 2 CPUs and
2 logical GPUs, so "one actor per GPU" places two actors that speak with the CPU engines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[str]:
    """The GCS address of a local cluster started for these tests."""
    ray = pytest.importorskip("ray")
    # Actors import podwright (and the tests' fakes) from this checkout, not an installed copy: the
    # cluster's processes inherit the environment ray.init starts them with, for every driver's actors.
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    try:
        context = ray.init(
            num_cpus=2,
            num_gpus=2,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={"env_vars": {"PODWRIGHT_QA": "off"}},
        )
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before
    try:
        yield str(context.address_info["gcs_address"])
    finally:
        ray.shutdown()
