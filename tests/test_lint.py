"""Lint: ruff's check (rules chosen in pyproject.toml) is clean on the whole source tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ruff_check_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "nnstudio", "tests", "benchmarks", "main.py"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    found = result.stdout + result.stderr
    assert result.returncode == 0, f"ruff check found problems (`ruff check --fix` sorts imports):\n{found}"
