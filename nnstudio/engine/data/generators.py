"""The generated 2-D toy problems of NN Studio, their extra inputs and their plane.

:func:`generate` makes one of ``GENERATOR_NAMES`` (six classification problems and two
regression ones, see ``GENERATOR_TASKS``) as a :class:`~nnstudio.engine.data.dataset_core.Dataset`
with features x1, x2; :func:`add_features` appends inputs computed from them (x1², sin x1,
...) and :func:`plane_bounds` gives the rectangle to plot them in. All of these are also
importable from :mod:`nnstudio.engine.data.datasets`.

What ``noise`` means for each generator. The classification ones add Gaussian jitter to
every point; the regression ones add Gaussian noise to the target ``y`` and leave the
inputs, drawn uniformly from the square [-6, 6]² as in TensorFlow Playground, alone:

============  ==============================================================
xor           jitter sd = ``noise``; clusters sit 2 apart, so noise ≈ 1 merges them
circle        jitter sd = ``5 * noise`` (a fraction of the outer radius 5, as in
              TensorFlow Playground); the class gap is 1 wide, so noise ≥ 0.2 overlaps
gaussians     blob sd = ``0.5 + noise`` (blobs keep a spread even at noise 0)
spiral        jitter sd = ``noise``; neighbouring arms are ~1.4 apart
moons         jitter sd = ``3 * noise`` (a fraction of the moon radius 3, as in
              scikit-learn's ``make_moons``); the arms come within 1.5 of each other,
              so noise ≈ 0.25 starts to mix them
checkerboard  jitter sd = ``2.5 * noise`` (a fraction of a square's side 2.5); points
              within ~2 sd of a border may land in a square of the other class
plane         ``y = (x1 + x2) / 10`` plus noise of sd ``noise``; y spans [-1.2, 1.2]
              with sd ≈ 0.49, so at noise 0.5 about half of y's variance is noise
multigauss    y = a sum of six Gaussian bumps of height ±1 and sd 1.5 (within ±1,
              sd ≈ 0.46), plus noise of sd ``noise``
============  ==============================================================
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import numpy as np

from nnstudio.engine.data.dataset_core import Dataset, DatasetError, _rng

__all__ = [
    "GENERATOR_NAMES", "GENERATOR_TASKS", "generate", "FEATURES", "FEATURE_LABELS", "add_features",
    "plane_bounds", "PLANE_FEATURES", "DRAWN_NAME",
]

GENERATOR_NAMES = ("xor", "circle", "gaussians", "spiral", "moons", "checkerboard", "plane", "multigauss")
#: The two inputs of every generated set (and of drawn data): the plane's coordinates.
PLANE_FEATURES = ("x1", "x2")
#: The name of a set of points a learner drew on the plane.
DRAWN_NAME = "drawn"


# ---------------------------------------------------------------- generators

def _xor(rng: np.random.Generator, counts: tuple[int, int], noise: float) -> np.ndarray:
    centres = (((1.0, 1.0), (-1.0, -1.0)), ((1.0, -1.0), (-1.0, 1.0)))  # per class
    parts = [np.repeat(np.array(c), [(m + 1) // 2, m // 2], axis=0) for c, m in zip(centres, counts)]
    return np.concatenate(parts) + noise * rng.standard_normal((sum(counts), 2))


def _circle(rng: np.random.Generator, counts: tuple[int, int], noise: float) -> np.ndarray:
    parts = []
    for (r_lo, r_hi), m in zip(((3.0, 5.0), (0.0, 2.0)), counts):  # class 0 ring, class 1 disc
        r, angle = rng.uniform(r_lo, r_hi, m), rng.uniform(0.0, 2 * np.pi, m)
        parts.append(np.column_stack((r * np.cos(angle), r * np.sin(angle))))
    return np.concatenate(parts) + 5.0 * noise * rng.standard_normal((sum(counts), 2))


def _gaussians(rng: np.random.Generator, counts: tuple[int, int], noise: float) -> np.ndarray:
    centres = np.repeat([[-1.5, -1.5], [1.5, 1.5]], counts, axis=0)
    return centres + (0.5 + noise) * rng.standard_normal((sum(counts), 2))


def _spiral(rng: np.random.Generator, counts: tuple[int, int], noise: float) -> np.ndarray:
    parts = []
    for label, m in enumerate(counts):
        t = (np.arange(m) + 0.5) / m  # +0.5: the two arms do not both start at the origin
        angle = 1.75 * 2 * np.pi * t + label * np.pi
        parts.append(np.column_stack((5 * t * np.sin(angle), 5 * t * np.cos(angle))))
    return np.concatenate(parts) + noise * rng.standard_normal((sum(counts), 2))


def _moons(rng: np.random.Generator, counts: tuple[int, int], noise: float) -> np.ndarray:
    # scikit-learn's make_moons (upper arc, and the lower arc shifted right), centred on the
    # origin and scaled by 3 so it spans the plot like the other problems: x1 in [-4.5, 4.5].
    parts = []
    for label, m in enumerate(counts):
        t = np.linspace(0.0, np.pi, m)  # evenly spaced, as in make_moons
        arc = np.column_stack((np.cos(t) - 0.5, np.sin(t) - 0.25))
        parts.append(3.0 * (arc if label == 0 else -arc))  # class 1 is class 0 turned half a turn
    return np.concatenate(parts) + 3.0 * noise * rng.standard_normal((sum(counts), 2))


_CHECKER_SIDE = 2.5  # 4 squares of 2.5 span [-5, 5], the radius of circle and spiral


def _checkerboard(rng: np.random.Generator, counts: tuple[int, int], noise: float) -> np.ndarray:
    # Square (i, j), i and j in 0..3 from the bottom left, has class (i + j) % 2, so near the
    # origin class 1 is where the signs of x1 and x2 differ, as in xor.
    squares = [[(i, j) for i in range(4) for j in range(4) if (i + j) % 2 == label] for label in (0, 1)]
    parts = []
    for label, m in enumerate(counts):
        # Deal the points round the class's 8 squares in a shuffled order: every square gets
        # m // 8 or one more, so no square is empty once m >= 8.
        cells = np.array(squares[label])[rng.permutation(8)[np.arange(m) % 8]]
        corner = -5.0 + _CHECKER_SIDE * cells
        parts.append(corner + rng.uniform(0.0, _CHECKER_SIDE, (m, 2)))
    return np.concatenate(parts) + _CHECKER_SIDE * noise * rng.standard_normal((sum(counts), 2))


_REGRESSION_RADIUS = 6.0  # inputs uniform in [-6, 6]², as TensorFlow Playground's regression data


def _plane(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-_REGRESSION_RADIUS, _REGRESSION_RADIUS, (n, 2))
    return X, (X[:, 0] + X[:, 1]) / 10.0 + noise * rng.standard_normal(n)


# (centre x1, centre x2, height): TensorFlow Playground's six "multi gaussian" centres, but
# as smooth bumps rather than its cones. Neighbours of the same sign are >= 6.4 apart, so the
# bumps barely add up and y stays within about ±1.
_BUMPS = np.array([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                   [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])
_BUMPS.setflags(write=False)
_BUMP_SD = 1.5  # a bump falls to 0.1 at radius ~3.2, so together they cover most of the plane


def _multigauss(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-_REGRESSION_RADIUS, _REGRESSION_RADIUS, (n, 2))
    d2 = ((X[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)  # (n, 6) squared distances
    y = np.exp(-d2 / (2 * _BUMP_SD**2)) @ _BUMPS[:, 2]
    return X, y + noise * rng.standard_normal(n)


_CLASSIFIERS = {"xor": _xor, "circle": _circle, "gaussians": _gaussians, "spiral": _spiral,
                "moons": _moons, "checkerboard": _checkerboard}
_REGRESSORS = {"plane": _plane, "multigauss": _multigauss}
GENERATOR_TASKS: Mapping[str, str] = MappingProxyType(
    {name: "classification" if name in _CLASSIFIERS else "regression" for name in GENERATOR_NAMES})
"""The task of each generator: read-only, in ``GENERATOR_NAMES`` order."""


def generate(name: str, n_samples: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """A generated 2-D toy problem with features ``PLANE_FEATURES``; see ``GENERATOR_TASKS``.

    Classification (xor, circle, gaussians, spiral, moons, checkerboard): classes
    ("0", "1"), target "label"; class 1 gets ``n_samples // 2`` rows and class 0 the
    rest; rows are shuffled. Regression (plane, multigauss): float64 target "y", no
    classes. The same arguments give bit-identical data. See the module docstring for
    ``noise``.

    Raises
    ------
    DatasetError
        Unknown ``name``, ``n_samples < 4``, negative or non-finite ``noise``, bad ``seed``.
    """
    if name not in GENERATOR_TASKS:
        raise DatasetError(f"unknown dataset generator {name!r}; choose one of {', '.join(GENERATOR_NAMES)}")
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 4:
        raise DatasetError(f"n_samples must be an integer of at least 4, got {n_samples!r}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not 0 <= noise < math.inf:
        raise DatasetError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = _rng(seed)
    n = int(n_samples)
    if name in _REGRESSORS:  # rows are drawn independently, so already in random order
        X, y = _REGRESSORS[name](rng, n, float(noise))
        return Dataset(name, X, y, "regression", PLANE_FEATURES, "y")
    counts = (n - n // 2, n // 2)
    X = _CLASSIFIERS[name](rng, counts, float(noise))
    y = np.repeat(np.array([0, 1], dtype=np.int64), counts)
    order = rng.permutation(n)
    return Dataset(name, X[order], y[order], "classification", PLANE_FEATURES, "label", ("0", "1"))


# ---------------------------------------------------------------- input features

# TensorFlow Playground's extra inputs: a straight line cannot split a circle, but with x1²
# and x2² as inputs a network without hidden layers can. They are computed from the raw
# inputs, so the network's normaliser treats them like any other column.
FEATURES = ("x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2")
FEATURE_LABELS: Mapping[str, str] = MappingProxyType({
    "x1_squared": "x1²", "x2_squared": "x2²", "x1_x2": "x1·x2", "sin_x1": "sin x1", "sin_x2": "sin x2",
})
"""Display label of each feature in ``FEATURES``, also the name its column gets (read-only)."""

# Each maps the raw columns x1, x2 (each shape (n,)) to the new column, shape (n,).
_FEATURE_COLUMNS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1_squared": lambda x1, x2: x1 * x1,
    "x2_squared": lambda x1, x2: x2 * x2,
    "x1_x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}


def add_features(dataset: Dataset, features: Sequence[str]) -> Dataset:
    """``dataset`` with extra input columns computed from its two raw columns x1, x2.

    Parameters
    ----------
    dataset : Dataset
        Exactly 2 features, ``X`` shape (n, 2): the first column is x1, the second x2.
    features : sequence of str
        Names from ``FEATURES``. They are appended in ``FEATURES`` order whatever the order
        given (so the same choice always gives the same network inputs); a repeated name
        counts once.

    Returns
    -------
    Dataset
        ``X`` shape (n, 2 + k) for k distinct features, feature names extended with their
        ``FEATURE_LABELS``; name, target and classes unchanged. With no features, the same
        ``dataset`` object.

    Raises
    ------
    DatasetError
        An unknown feature name, ``features`` given as one string, a dataset that does
        not have exactly 2 features, or inputs so large that a product overflows.
    """
    if isinstance(features, str):  # iterating it would give one-letter "names"
        raise DatasetError(f"features must be a sequence of names, not the string {features!r}")
    chosen = tuple(features)
    unknown = [name for name in chosen if name not in _FEATURE_COLUMNS]
    if unknown:
        raise DatasetError(f"unknown input feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    if not chosen:
        return dataset
    if dataset.n_features != 2:
        raise DatasetError(f"input features are computed from x1 and x2, so they need a dataset with "
                           f"2 features; {dataset.name!r} has {dataset.n_features}")
    ordered = [name for name in FEATURES if name in chosen]
    x1, x2 = dataset.X[:, 0], dataset.X[:, 1]
    with np.errstate(over="ignore"):  # squares beyond 1e308 are reported below, not warned about
        X = np.column_stack([dataset.X, *(_FEATURE_COLUMNS[name](x1, x2) for name in ordered)])
    if not np.all(np.isfinite(X)):
        raise DatasetError(f"{dataset.name!r}: an input feature overflows (|x| above ~1e154 squared)")
    names = dataset.feature_names + tuple(FEATURE_LABELS[name] for name in ordered)
    return Dataset(dataset.name, X, dataset.y, dataset.task, names, dataset.target_name, dataset.class_names)


# ---------------------------------------------------------------- the plane

def plane_bounds(dataset: Dataset, margin: float = 0.1) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) of ``X[:, :2]``, each side padded by ``margin`` × the span.

    A constant column counts as span 1 so the plot never collapses to a line.
    """
    if dataset.n_features < 2 or dataset.n_samples == 0:
        raise DatasetError("plane bounds need at least one row and two features")
    if not 0 <= margin < math.inf:
        raise DatasetError(f"margin must be a finite number >= 0, got {margin!r}")
    bounds: list[float] = []
    for column in (dataset.X[:, 0], dataset.X[:, 1]):
        lo, hi = float(column.min()), float(column.max())
        pad = margin * ((hi - lo) or 1.0)
        bounds += [lo - pad, hi + pad]
    return bounds[0], bounds[1], bounds[2], bounds[3]
