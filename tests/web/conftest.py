from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.support import SECRET_KEY, Site, make_site


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET_KEY)
    yield from make_site(tmp_path)
