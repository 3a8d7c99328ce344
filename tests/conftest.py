"""Shared fixtures: every test gets its own data dir, so nothing touches the user's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def podwright_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An isolated ``PODWRIGHT_HOME`` per test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PODWRIGHT_HOME", str(home))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    yield home
