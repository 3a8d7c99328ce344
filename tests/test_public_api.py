"""The curated public API: what ``__all__`` promises exists and is documented."""

from __future__ import annotations

import importlib

import pytest

import podwright

PACKAGES = ["podwright", "podwright.core", "podwright.sources"]


@pytest.mark.parametrize("package", PACKAGES)
def test_all_names_exist_and_have_docstrings(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        if name == "__version__":
            continue
        assert getattr(value, "__doc__", None), f"{package}.{name} has no docstring"


def test_version() -> None:
    assert podwright.__version__.count(".") == 2
