"""Tiny hand-made datasets: three classes on two inputs, a straight-line regression on one, a drawn XOR."""

from __future__ import annotations

import numpy as np

from nnstudio.engine.data.datasets import Dataset


def three_class_dataset() -> Dataset:
    """Twelve rows of inputs (a, b), classes r, g, b in turn."""
    X = np.arange(24, dtype=float).reshape(12, 2)
    y = np.array([0, 1, 2] * 4)
    return Dataset("three", X, y, "classification", ("a", "b"), "kind", ("r", "g", "b"))


def regression_dataset(n: int = 10) -> Dataset:
    """``n`` inputs x evenly in [-1, 1] and the target y = 3x + 0.25."""
    X = np.linspace(-1, 1, n).reshape(n, 1)
    return Dataset("reg", X, 3.0 * X[:, 0] + 0.25, "regression", ("x",), "y")


def drawn_xor_dataset() -> Dataset:
    """The four XOR points three times over, as if drawn by hand: classes a and b."""
    return Dataset("drawn", np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 3),
                   np.array([0, 1, 1, 0] * 3), "classification", ("x1", "x2"), "label", ("a", "b"))
