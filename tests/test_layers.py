"""Imports go one way: core → stages → adapters → orchestration → interfaces (DESIGN §2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "podwright"

LAYER = {
    "core": 0,
    "stages": 1,
    "llm": 2,
    "tts": 2,
    "images": 2,
    "audio": 2,
    "sources": 2,
    "store": 2,
    "pipeline": 3,
    "scheduler": 3,
    "backends": 3,  # where Ray and Modal render backends go (DESIGN §6)
    "app": 4,  # the Python API (Studio) that every interface calls
    "cli": 5,
    "web": 5,
    "config": 5,
    "__main__": 5,
    "data": 0,
}
#: What an interface may import at run time: the Python API, core and its own package (DESIGN §2).
INTERFACE_MAY_IMPORT = {"app", "core", "config", "cli", "web"}
ADAPTERS = {name for name, layer in LAYER.items() if layer == 2}


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "podwright" or len(parts) < 2:
        return None
    return parts[1]


def _runtime_imports(path: Path) -> list[tuple[int, str]]:
    """Imports executed at run time (those under ``if TYPE_CHECKING:`` are for annotations only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_checking_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for sub in ast.walk(child):
                    if hasattr(sub, "lineno"):
                        type_checking_lines.add(sub.lineno)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in type_checking_lines:
            continue
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] != "__init__.py")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_go_one_way(path: Path) -> None:
    rel = path.relative_to(SRC)
    own = rel.parts[0].removesuffix(".py")
    if own not in LAYER:
        pytest.fail(f"{rel}: package {own!r} has no layer; add it to DESIGN §2 and this test")
    for lineno, module in _runtime_imports(path):
        target = _package_of(module)
        if target is None or target == own:
            continue
        assert target in LAYER, f"{rel}:{lineno} imports unknown package {module}"
        assert LAYER[target] <= LAYER[own], f"{rel}:{lineno} imports {module} from a higher layer"
        if own in ADAPTERS:
            assert target not in ADAPTERS, f"{rel}:{lineno}: adapters never import each other ({module})"


@pytest.mark.parametrize(
    "path",
    [p for p in _modules() if p.relative_to(SRC).parts[0] in ("cli", "web")],
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_interfaces_call_only_the_python_api(path: Path) -> None:
    rel = path.relative_to(SRC)
    for lineno, module in _runtime_imports(path):
        target = _package_of(module)
        if target is None:
            continue
        assert target in INTERFACE_MAY_IMPORT, (
            f"{rel}:{lineno} imports {module}: interfaces call podwright.app (grow a Studio method instead)"
        )


def test_command_modules_do_not_import_each_other() -> None:
    shared = {"podwright.cli.common", "podwright.cli.progress"}
    for path in sorted((SRC / "cli").glob("*.py")):
        if path.name in ("__init__.py", "main.py", "common.py", "progress.py"):
            continue
        for lineno, module in _runtime_imports(path):
            assert not (module.startswith("podwright.cli") and module not in shared), (
                f"cli/{path.name}:{lineno} imports another command module ({module})"
            )


def test_nothing_reads_the_environment_below_the_interfaces() -> None:
    offenders = []
    for path in _modules():
        rel = path.relative_to(SRC)
        if LAYER.get(rel.parts[0].removesuffix(".py"), 5) >= 5:
            continue
        text = path.read_text(encoding="utf-8")
        if "os.environ" in text or "os.getenv" in text:
            offenders.append(str(rel))
    assert offenders == []
