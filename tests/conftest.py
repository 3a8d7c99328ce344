"""Shared fixtures: every test gets its own data dir, so nothing touches the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from podwright import Studio, open_studio
from tests.support.fixtures import fake_openai
from tests.support.postgres import PostgresServer, start_server

__all__ = [
    "fake_openai",
    "podwright_home",
    "postgres_server",
    "store_url",
    "studio",
    "whisper_model",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``long`` tests (whole scripts from the embedded model, ~10 min each) run with ``make test-long``."""
    if os.environ.get("PODWRIGHT_LONG_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="a whole embedded-model script: run with `make test-long`")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def podwright_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """An isolated ``PODWRIGHT_HOME`` per test, no provider key leaking in from the shell, and take QA
    off (most tests speak with tone engines; the QA tests turn it on, with a real or a fast checker)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PODWRIGHT_HOME", str(home))
    monkeypatch.setenv("PODWRIGHT_QA", "off")
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    yield home


@pytest.fixture(scope="session")
def whisper_model(pytestconfig: pytest.Config) -> Path:
    """whisper-base assembled once into pytest's cache, so repeated runs reuse it."""
    from podwright.audio.speech_check import assemble_whisper

    assert pytestconfig.cache is not None
    return assemble_whisper(Path(pytestconfig.cache.mkdir("podwright-models")))


@pytest.fixture
def studio(podwright_home: Path, tmp_path: Path) -> Iterator[Studio]:
    """A studio wired as the command line wires it, on the test's own data dir and ``out/``."""
    opened = open_studio(out_root=tmp_path / "out")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole test session (started on first use)."""
    try:
        server = start_server()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)  # loud: a store test that cannot run is not a pass
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store test's store lives, once per back end: a SQLite file, then a fresh PostgreSQL
    database copied from the migrated template."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.fresh_database()
