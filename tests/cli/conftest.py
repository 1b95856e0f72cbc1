"""Shared helpers for the command-line tests: run the CLI in-process or as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        """The JSON object on the last line of stdout."""
        return json.loads(self.out.strip().splitlines()[-1])


@pytest.fixture
def cli(capsys):
    """Run ``nnstudio.cli.main`` in-process; argparse's SystemExit counts as the exit code."""

    def run(*args) -> Result:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse reports usage errors by exiting
            code = exc.code
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def subprocess_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONWARNINGS", None)
    return env


def run_module(cwd: Path, *args, timeout: float = 60) -> Result:
    """``python -m nnstudio ARGS`` as a real process in ``cwd`` (stdout/stderr are pipes, not TTYs)."""
    proc = subprocess.run(
        [sys.executable, "-m", "nnstudio", *map(str, args)],
        cwd=cwd, env=subprocess_env(), capture_output=True, text=True, timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def assert_usage_error(result: Result, *words: str) -> None:
    """Exit 2, exactly one non-empty line on stderr mentioning every word, no traceback."""
    assert result.code == 2, (result.code, result.err)
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected one stderr line, got {result.err!r}"
    for word in words:
        assert word.lower() in lines[0].lower(), f"{word!r} not in {lines[0]!r}"


def write_csv(path: Path, header, rows) -> Path:
    """A CSV file; floats written with repr so they read back exactly."""
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(v) for v in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def three_class_rows(n_per_class: int = 20, seed: int = 0):
    """Rows (x1, x2, label) of three well-separated blobs labelled 'a', 'b', 'c'."""
    rng = np.random.default_rng(seed)
    centres = {"a": (-3.0, 0.0), "b": (3.0, 0.0), "c": (0.0, 4.0)}
    rows = []
    for label, (cx, cy) in centres.items():
        for _ in range(n_per_class):
            rows.append((cx + 0.3 * rng.standard_normal(), cy + 0.3 * rng.standard_normal(), label))
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


@pytest.fixture
def three_class_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "blobs.csv", ["x1", "x2", "kind"], three_class_rows())


@pytest.fixture
def regression_csv(tmp_path) -> Path:
    """y = 2*x1 - x2 + 0.5 exactly, 100 rows."""
    rng = np.random.default_rng(7)
    X = rng.uniform(-2, 2, size=(100, 2))
    y = 2 * X[:, 0] - X[:, 1] + 0.5
    return write_csv(tmp_path / "linear.csv", ["x1", "x2", "y"], [(a, b, t) for (a, b), t in zip(X, y)])


@pytest.fixture(scope="session")
def xor_weights(tmp_path_factory) -> Path:
    """An .npz trained on xor (2-4-1, sigmoid), shared by the predict tests."""
    path = tmp_path_factory.mktemp("weights") / "xor.npz"
    code = main(["train", "--dataset", "xor", "--epochs", "50", "--seed", "3", "--export", str(path)])
    assert code == 0 and path.exists()
    return path
