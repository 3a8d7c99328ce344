"""The LLM layer's curated public API exists, is documented, and loads no model runtime on import."""

from __future__ import annotations

import subprocess
import sys

import podwright.llm


def test_all_names_exist_and_have_docstrings() -> None:
    for name in podwright.llm.__all__:
        value = getattr(podwright.llm, name)
        if isinstance(value, str):
            continue
        assert getattr(value, "__doc__", None), f"podwright.llm.{name} has no docstring"


def test_importing_does_not_load_llama_cpp() -> None:
    code = "import sys, podwright.llm; assert 'llama_cpp' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
