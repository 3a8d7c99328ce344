from __future__ import annotations

from pathlib import Path

import podwright.audio
import podwright.pipeline.package


def test_public_api_is_curated_and_documented() -> None:
    for module in (podwright.audio, podwright.pipeline.package):
        for name in module.__all__:
            member = getattr(module, name)
            assert member.__doc__, f"{module.__name__}.{name} has no docstring"


def test_the_audio_layer_imports_only_core_and_itself() -> None:
    others = (
        "llm",
        "tts",
        "images",
        "sources",
        "store",
        "pipeline",
        "scheduler",
        "backends",
        "cli",
        "web",
        "config",
    )
    for source in Path(podwright.audio.__file__).parent.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for other in others:
            assert f"podwright.{other}" not in text, f"{source.name} reaches into podwright.{other}"
