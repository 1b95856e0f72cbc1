"""Fixtures of the command-line tests; the plain functions are in ``support.cli``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.cli import Result, assert_usage_error, three_class_rows, write_csv

from nnstudio.cli import main


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


@pytest.fixture
def refused_before_training(cli, tmp_path, monkeypatch):
    """``check(command, args, words)``: run in an empty folder, refused at once: exit 2, one line, no files."""
    monkeypatch.chdir(tmp_path)

    def check(command: str, args: list[str], words: list[str]) -> None:
        r = cli(command, "--steps", "3", *args)
        assert_usage_error(r, *words)
        assert r.out == ""  # nothing trained, nothing printed
        assert list(tmp_path.iterdir()) == []

    return check


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
