"""NN Studio: build a small neural network and watch it learn, one cycle at a time."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["__version__"]

#: What a source tree that is neither installed nor has its pyproject.toml calls itself.
UNKNOWN_VERSION = "0+unknown"


def _source_tree_version() -> str:
    """``[project] version`` from the pyproject.toml beside the package (a checkout on PYTHONPATH)."""
    try:
        text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return UNKNOWN_VERSION
    # The [project] table up to the next table; tomllib is not in Python 3.10.
    project = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    found = project and re.search(r'^version\s*=\s*"([^"]+)"', project.group(1), re.MULTILINE)
    return found.group(1) if found else UNKNOWN_VERSION


def _version() -> str:
    """The installed distribution's version: pyproject.toml's ``[project] version``, its one source."""
    try:
        return version("nnstudio")
    except PackageNotFoundError:
        return _source_tree_version()


__version__ = _version()
