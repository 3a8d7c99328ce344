"""A Ray address nobody answers: one clear line within seconds, exit ≠ 0, the queue untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from podwright.backends.ray_actors import check_reachable
from podwright.core import ConfigError
from podwright.core.jobs import JobState
from podwright.store.db import connect
from podwright.store.jobs import JobStore
from tests.backends import episodes
from tests.backends.conftest import REPO


def test_a_ray_address_nobody_answers_fails_fast_and_claims_nothing(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    episodes.stage(db, tmp_path / "out", ["waiting"])
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}:{REPO}", "PODWRIGHT_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "podwright", "worker", "--backend", "ray", "--address", "127.0.0.1:1"]
    # ray.init would wait on a dead address for a minute or more: the timeout turns a hang into a failure.
    done = subprocess.run(
        [*command, "--db", str(db), "--burst"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert lines[0].startswith("error: no Ray cluster answers at 127.0.0.1:1"), lines
    assert "Traceback" not in done.stderr
    jobs = JobStore(connect(db))
    try:
        job = jobs.get("waiting")
        assert job.state is JobState.SCRIPTED and job.lease_owner is None
    finally:
        jobs.conn.close()


@pytest.mark.parametrize("address", ["nonsense", "10.0.0.5", "ray://:10001"])
def test_an_address_that_is_not_host_port_is_refused_before_any_connect(address: str) -> None:
    with pytest.raises(ConfigError, match="is not host:port"):
        check_reachable(address)


def test_an_unknown_backend_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}:{REPO}", "PODWRIGHT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "podwright", "worker", "--backend", "kubernetes", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert (done.stdout + done.stderr).strip().splitlines()[0] == "error: unknown backend 'kubernetes'"
