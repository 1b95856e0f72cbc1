"""The house rules a newcomer relies on, read from the source: who may import whom, and how."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nnstudio"
SOURCES = sorted(PACKAGE.rglob("*.py"))
#: The feature folders; every module lives in one of them or at the package's top.
ENGINE_FEATURES = {"nn", "data", "run", "explain", "io"}
UI_FEATURES = {"window", "network", "data", "learning", "plotting", "recording"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str, int]]:
    """(line, module, level) of every import in ``path``, lazy ones inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.module or "", node.level))
    return found


def test_the_package_has_sources_in_every_feature_folder():
    """The scan below sees the real tree: each feature folder holds modules besides its __init__."""
    for top, features in (("engine", ENGINE_FEATURES), ("ui", UI_FEATURES)):
        folders = {p.name for p in (PACKAGE / top).iterdir() if (p / "__init__.py").is_file()}
        assert folders == features
        for feature in features:
            assert len(list((PACKAGE / top / feature).glob("*.py"))) > 1, f"{top}/{feature} is empty"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_imports_are_absolute(path):
    """One import style: ``from nnstudio.engine.nn.network import Network``, never ``from .network``."""
    relative = [f"line {line}" for line, _, level in imports_of(path) if level]
    assert not relative, f"{module_name(path)} has relative imports at {', '.join(relative)}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_layers_import_only_downwards(path):
    """The engine never imports the window, Qt or the CLI; the CLI never imports the window."""
    name = module_name(path)
    imported = [module for _, module, _ in imports_of(path)]
    if name.startswith("nnstudio.engine"):
        forbidden = ("nnstudio.ui", "nnstudio.cli", "nnstudio.app", "PySide6", "pyqtgraph", "shiboken6")
    elif name == "nnstudio.cli" or name.startswith("nnstudio.cli."):
        forbidden = ("nnstudio.ui", "nnstudio.app", "PySide6", "pyqtgraph")
    else:
        forbidden = ()
    wrong = [module for module in imported if module.startswith(forbidden)]
    assert not wrong, f"{name} imports {wrong}"


def test_every_module_lives_in_a_feature_folder():
    """Below engine/ and ui/ there are only feature folders: no loose module a newcomer must guess about."""
    loose = [
        module_name(p) for top in ("engine", "ui") for p in (PACKAGE / top).glob("*.py") if p.name != "__init__.py"
    ]
    assert not loose, loose
