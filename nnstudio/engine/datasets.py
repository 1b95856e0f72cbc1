"""Datasets for NN Studio: toy 2-D problems, shipped real data, CSV files, splits and scaling.

A :class:`Dataset` holds raw inputs ``X`` and class ids or real targets ``y``; the
network sees them through :meth:`Dataset.targets` (0/1, one-hot or real columns) and,
usually, a :class:`Normalizer` fitted on the training rows. Everything here refuses bad
data with :class:`DatasetError`, whose message a learner can act on (file line, column).
:func:`load_named` loads any dataset by name (``DATASET_NAMES``): a generated one,
optionally with extra inputs from :func:`add_features` (x1², sin x1, ...), or a real one
shipped in ``resources/datasets/`` (:func:`load_real`).

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

import csv
import io
import math
import numbers
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from .fileio import atomic_writer

__all__ = [
    "DatasetError", "TASKS", "Dataset", "labels_from_outputs", "accuracy",
    "GENERATOR_NAMES", "GENERATOR_TASKS", "generate", "FEATURES", "FEATURE_LABELS", "add_features",
    "REAL_DATASETS", "DATASET_NAMES", "resources_dir", "load_real", "load_named",
    "plane_bounds", "train_test_split", "Normalizer",
    "MAX_CSV_BYTES", "load_csv", "load_features", "save_csv",
]

TASKS = ("classification", "regression")
GENERATOR_NAMES = ("xor", "circle", "gaussians", "spiral", "moons", "checkerboard", "plane", "multigauss")
REAL_DATASETS = ("iris", "wine", "breast_cancer", "digits")
DATASET_NAMES = GENERATOR_NAMES + REAL_DATASETS
MAX_CSV_BYTES = 50 * 1024 * 1024
_MAX_AUTO_CLASSES = 20  # integer targets with more distinct values are taken as regression

# Plain decimal numbers only: float() would also take "1_000" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)


class DatasetError(ValueError):
    """Bad data. The message names the problem, and for files the 1-based line number (header = line 1) and the column name at fault."""


def _real_array(a: npt.ArrayLike, what: str, ndim: int) -> np.ndarray:
    """A float64 copy of ``a`` with ``ndim`` dimensions and only finite values."""
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise DatasetError(f"{what} must hold real numbers, not {arr.dtype}")
    if arr.ndim != ndim:
        raise DatasetError(f"{what} must have {ndim} dimension(s), got shape {arr.shape}")
    arr = np.array(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise DatasetError(f"{what} holds NaN or infinity")
    return arr


def _names(names: object, what: str) -> tuple[str, ...]:
    names = tuple(names)
    if not all(isinstance(s, str) and s for s in names):
        raise DatasetError(f"{what} must be non-empty strings: {names!r}")
    if len(set(names)) != len(names):
        raise DatasetError(f"{what} must be distinct: {names!r}")
    return names


def _index(idx: npt.ArrayLike, n: int) -> np.ndarray:
    """Row indices (int64) from an index array or a boolean mask of length ``n``."""
    arr = np.asarray(idx)
    if arr.dtype == np.bool_:
        if arr.shape != (n,):
            raise DatasetError(f"a boolean row mask must have shape ({n},), got {arr.shape}")
        return np.flatnonzero(arr).astype(np.int64)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)  # np.asarray([]) is float64
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise DatasetError(f"row indices must be a 1-D integer array, got {arr.dtype} {arr.shape}")
    if arr.min() < 0 or arr.max() >= n:
        raise DatasetError(f"row indices must lie in 0..{n - 1}")
    return arr.astype(np.int64)


@dataclass(frozen=True, eq=False)  # eq=False: comparing ndarray fields has no single truth value
class Dataset:
    """An immutable table of inputs and targets.

    Parameters
    ----------
    name : str
    X : ndarray, shape (n_samples, n_features)
        Raw float64 inputs (never normalised here). Stored as a read-only copy.
    y : ndarray, shape (n_samples,)
        int64 class ids ``0..k-1`` for classification, float64 values for regression.
        Stored as a read-only copy.
    task : {"classification", "regression"}
    feature_names : tuple of str, length n_features
    target_name : str
    class_names : tuple of str
        ``class_names[i]`` names class id ``i`` (at least 2); ``()`` for regression.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    task: str
    feature_names: tuple[str, ...]
    target_name: str = "label"
    class_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise DatasetError(f"the dataset name must be a string, not {self.name!r}")
        if self.task not in TASKS:
            raise DatasetError(f"unknown task {self.task!r}; choose one of {', '.join(TASKS)}")
        X = _real_array(self.X, "X", 2)
        if X.shape[1] < 1:
            raise DatasetError("X needs at least one feature column")
        y_in = np.asarray(self.y)
        if y_in.ndim != 1 or y_in.shape[0] != X.shape[0]:
            raise DatasetError(f"y must have shape ({X.shape[0]},), got {y_in.shape}")
        features = _names(self.feature_names, "feature names")
        if len(features) != X.shape[1]:
            raise DatasetError(f"{len(features)} feature names for {X.shape[1]} columns")
        _names(features + (self.target_name,), "feature and target names")
        classes = _names(self.class_names, "class names")
        if self.task == "classification":
            if y_in.dtype.kind not in "iub" and y_in.size:
                raise DatasetError(f"classification y must hold integer class ids, not {y_in.dtype}")
            y = y_in.astype(np.int64)
            if len(classes) < 2:
                raise DatasetError("classification needs at least 2 class names")
            if y.size and (y.min() < 0 or y.max() >= len(classes)):
                raise DatasetError(f"class ids must lie in 0..{len(classes) - 1}")
        else:
            if classes:
                raise DatasetError("a regression dataset has no class names")
            y = _real_array(y_in, "y", 1)
        X.setflags(write=False)
        y.setflags(write=False)
        # frozen: the validated copies go in through object.__setattr__
        for field, value in (("X", X), ("y", y), ("feature_names", features), ("class_names", classes)):
            object.__setattr__(self, field, value)

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes; 0 for regression."""
        return len(self.class_names)

    @property
    def n_outputs(self) -> int:
        """Output units the network needs: 1 for 2 classes (0/1) or regression, k for k > 2 classes."""
        return self.n_classes if self.n_classes > 2 else 1

    def targets(self, idx: np.ndarray | None = None) -> np.ndarray:
        """Encoded targets, shape (n, n_outputs) float64: 0/1, one-hot or real values.

        ``idx`` (int indices or a boolean mask) selects rows; all rows when None.
        """
        y = self.y if idx is None else self.y[_index(idx, self.n_samples)]
        if self.n_classes > 2:
            return np.eye(self.n_classes)[y]
        return y.astype(np.float64).reshape(-1, 1)

    def subset(self, idx: npt.ArrayLike) -> Dataset:
        """A new dataset holding rows ``idx`` (indices or boolean mask), same metadata."""
        rows = _index(idx, self.n_samples)
        return Dataset(self.name, self.X[rows], self.y[rows], self.task,
                       self.feature_names, self.target_name, self.class_names)


def labels_from_outputs(outputs: np.ndarray) -> np.ndarray:
    """Class ids, shape (n,) int64, from network outputs of shape (n, n_outputs).

    One column is a probability of class 1 (``>= 0.5``); several columns take the argmax.
    A 1-D array counts as one column.
    """
    out = np.asarray(outputs, dtype=np.float64)
    if out.ndim == 1:
        out = out.reshape(-1, 1)
    if out.ndim != 2 or out.shape[1] < 1:
        raise DatasetError(f"outputs must have shape (n, n_outputs), got {out.shape}")
    if out.shape[1] == 1:
        return (out[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(out, axis=1).astype(np.int64)


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of rows whose predicted class equals ``labels`` (n,); nan when n = 0."""
    predicted = labels_from_outputs(outputs)
    labels = np.asarray(labels)
    if labels.shape != predicted.shape:
        raise DatasetError(f"labels shape {labels.shape} does not match {predicted.shape[0]} output rows")
    if predicted.size == 0:
        return math.nan
    return float(np.count_nonzero(predicted == labels)) / predicted.size


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


def _rng(seed: int) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise DatasetError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.default_rng(int(seed))


_CLASSIFIERS = {"xor": _xor, "circle": _circle, "gaussians": _gaussians, "spiral": _spiral,
                "moons": _moons, "checkerboard": _checkerboard}
_REGRESSORS = {"plane": _plane, "multigauss": _multigauss}
GENERATOR_TASKS: Mapping[str, str] = MappingProxyType(
    {name: "classification" if name in _CLASSIFIERS else "regression" for name in GENERATOR_NAMES})
"""The task of each generator: read-only, in ``GENERATOR_NAMES`` order."""


def generate(name: str, n_samples: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """A generated 2-D toy problem with features ("x1", "x2"); see ``GENERATOR_TASKS``.

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
        return Dataset(name, X, y, "regression", ("x1", "x2"), "y")
    counts = (n - n // 2, n // 2)
    X = _CLASSIFIERS[name](rng, counts, float(noise))
    y = np.repeat(np.array([0, 1], dtype=np.int64), counts)
    order = rng.permutation(n)
    return Dataset(name, X[order], y[order], "classification", ("x1", "x2"), "label", ("0", "1"))


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


def train_test_split(dataset: Dataset, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train_idx, test_idx), int64 row indices in shuffled order.

    Classification is stratified: each class sends ``round(test_fraction × its size)``
    rows to the test set, but at least one and never all of them when the class has two
    or more rows, so both sides hold every class when possible. A lone row stays in
    training, which therefore always keeps a row.

    Raises
    ------
    DatasetError
        ``test_fraction`` outside [0, 1), a bad ``seed``, or an empty dataset.
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) or not 0 <= test_fraction < 1:
        raise DatasetError(f"test_fraction must be a number in [0, 1), got {test_fraction!r}")
    if dataset.n_samples == 0:
        raise DatasetError("cannot split an empty dataset")
    rng = _rng(seed)
    if dataset.task == "classification":
        groups = [np.flatnonzero(dataset.y == c) for c in range(dataset.n_classes)]
    else:
        groups = [np.arange(dataset.n_samples)]
    train, test = [], []
    for rows in groups:
        m = rows.size
        k = math.floor(test_fraction * m + 0.5)  # round half up, not Python's half-to-even
        k = min(max(k, 1), m - 1) if test_fraction > 0 and m >= 2 else 0
        rows = rng.permutation(rows)
        test.append(rows[:k])
        train.append(rows[k:])
    # a final shuffle interleaves the classes for mini-batches
    return (rng.permutation(np.concatenate(train)).astype(np.int64),
            rng.permutation(np.concatenate(test)).astype(np.int64))


@dataclass(frozen=True, eq=False)
class Normalizer:
    """Per-feature standardisation ``(X - mean) / std``.

    Parameters
    ----------
    mean : ndarray, shape (n_features,)
    std : ndarray, shape (n_features,)
        Strictly positive; :meth:`fit` puts 1 for constant columns.
    """

    mean: np.ndarray
    std: np.ndarray

    def __post_init__(self) -> None:
        mean, std = _real_array(self.mean, "mean", 1), _real_array(self.std, "std", 1)
        if mean.shape != std.shape or mean.size == 0:
            raise DatasetError(f"mean and std must be non-empty and of equal length, got {mean.size} and {std.size}")
        if np.any(std <= 0):
            raise DatasetError("every std must be > 0")
        mean.setflags(write=False)
        std.setflags(write=False)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "std", std)

    @classmethod
    def fit(cls, X: npt.ArrayLike) -> Normalizer:
        """Mean and population std of each column of X (n_samples ≥ 1, n_features)."""
        X = _real_array(X, "X", 2)
        if X.shape[0] == 0:
            raise DatasetError("cannot fit a normalizer on zero rows")
        with np.errstate(over="ignore", invalid="ignore"):  # huge values: __post_init__ reports them
            mean, std = X.mean(axis=0), X.std(axis=0)
        # a constant column can leave a rounding-sized std; dividing by it would blow up
        std[std <= 1e-12 * np.abs(mean)] = 1.0
        return cls(mean, std)

    @classmethod
    def identity(cls, n_features: int) -> Normalizer:
        """A normalizer that leaves ``n_features`` columns unchanged."""
        return cls(np.zeros(n_features), np.ones(n_features))

    def apply(self, X: npt.ArrayLike) -> np.ndarray:
        """(X - mean) / std as a new float64 array; X has shape (n, n_features) or (n_features,)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim not in (1, 2) or X.shape[-1] != self.mean.size:
            raise DatasetError(f"expected {self.mean.size} feature columns, got shape {X.shape}")
        return (X - self.mean) / self.std

    def to_dict(self) -> dict:
        """``{"mean": [...], "std": [...]}`` with plain floats, ready for JSON."""
        return {"mean": [float(v) for v in self.mean], "std": [float(v) for v in self.std]}

    @classmethod
    def from_dict(cls, d: Mapping) -> Normalizer:
        """Inverse of :meth:`to_dict`; anything malformed raises DatasetError."""
        if not isinstance(d, Mapping) or not {"mean", "std"} <= d.keys():
            raise DatasetError("a normalizer needs a mapping with 'mean' and 'std' lists")
        for key in ("mean", "std"):
            values = d[key]
            if not isinstance(values, (list, tuple)) or not all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values
            ):
                raise DatasetError(f"normalizer {key!r} must be a list of numbers")
        try:
            mean, std = ([float(v) for v in d[key]] for key in ("mean", "std"))
        except OverflowError:  # an int too big for a float
            raise DatasetError("normalizer values must fit in a float") from None
        return cls(np.array(mean, dtype=np.float64), np.array(std, dtype=np.float64))


# ---------------------------------------------------------------- CSV files

def _read_text(path: Path) -> str:
    label = path.name or str(path)
    try:
        is_dir, size = path.is_dir(), path.stat().st_size
    except FileNotFoundError:
        raise DatasetError(f"{label}: no such file ({path})") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL character in the path
        raise DatasetError(f"{label}: cannot read the file ({getattr(e, 'strerror', None) or e})") from None
    if is_dir:
        raise DatasetError(f"{label}: is a directory, not a CSV file")
    too_big = f"{label}: the file is larger than the {MAX_CSV_BYTES // (1024 * 1024)} MB limit for CSV files"
    if size > MAX_CSV_BYTES:
        raise DatasetError(too_big)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CSV_BYTES + 1)  # bounded even if the file grows or is a device
    except OSError as e:
        raise DatasetError(f"{label}: cannot read the file ({e.strerror or e})") from None
    if len(data) > MAX_CSV_BYTES:
        raise DatasetError(too_big)
    if b"\x00" in data:
        raise DatasetError(f"{label}: looks like a binary file (it contains a NUL byte), not CSV text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DatasetError(f"{label}: line {line}: not UTF-8 text; save the file as UTF-8 CSV") from None


def _records(text: str, delimiter: str, label: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based start line, stripped cells) per record, skipping all-empty rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise DatasetError(f"{label}: line {previous + 1}: cannot read it as CSV ({e})") from None
        start, previous = previous + 1, reader.line_num
        cells = [c.strip() for c in row]
        if any(cells):  # also skips ",,," rows that spreadsheets leave behind
            yield start, cells


def _sniff_delimiter(text: str, label: str) -> str:
    """The delimiter among , ; tab that splits the header into the most cells (comma on ties)."""
    best, best_count = ",", 1  # another delimiter must at least split the header in two
    for delimiter in ",;\t":
        try:
            header = next(_records(text, delimiter, label), None)
        except DatasetError:
            continue
        if header is not None and len(header[1]) > best_count:
            best, best_count = delimiter, len(header[1])
    return best


def _number(cell: str) -> float | None:
    """The cell's value (possibly nan/inf), or None if it is not a plain decimal number."""
    if _NUMBER.fullmatch(cell) or _NONFINITE.fullmatch(cell):
        return float(cell)
    return None


def _class_name(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def _feature_values(cells: list[str], columns: Sequence[int], header: list[str], label: str,
                    line: int) -> list[float]:
    """The finite numbers in ``columns`` of one record; DatasetError naming line and column."""
    if len(cells) != len(header):
        raise DatasetError(f"{label}: line {line} has {len(cells)} cells, the header has {len(header)}")
    values = []
    for i in columns:
        value = _number(cells[i])
        at = f"{label}: line {line}, column {header[i]!r}"
        if value is None:
            raise DatasetError(f"{at}: empty cell" if not cells[i] else f"{at}: {cells[i]!r} is not a number")
        if not math.isfinite(value):
            raise DatasetError(f"{at}: {cells[i]!r} is not a finite number (NaN and infinity are not allowed)")
        values.append(value)
    return values


def load_csv(path: str | os.PathLike, target: str | None = None, task: str | None = None,
             name: str | None = None) -> Dataset:
    """Read a dataset from a CSV file with a header row.

    Feature columns must be finite numbers; the target is the last column or the column
    named ``target``. The delimiter is whichever of ``,`` ``;`` tab splits the header into
    the most cells. Cells are stripped; rows whose cells are all empty are skipped.

    With ``task=None`` the target is classification if any cell is not a number, or if
    every cell is an integer literal (``"3"``, not ``"3.0"``) and there are at most 20
    distinct values; otherwise regression. Class names are the distinct target strings,
    sorted lexically; numeric targets are grouped by value, sorted numerically and named
    canonically (``"1.0"`` and ``"01"`` both become ``"1"``). ``y`` indexes ``class_names``.

    Raises
    ------
    DatasetError
        For every problem with the file, naming the line and column where there is one.
    """
    if task is not None and task not in TASKS:
        raise DatasetError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    path = Path(path)
    label = path.name or str(path)
    if name is None:
        name = path.stem
    text = _read_text(path)
    if not text.strip():
        raise DatasetError(f"{label}: the file is empty")
    records = _records(text, _sniff_delimiter(text, label), label)
    first = next(records, None)
    if first is None:
        raise DatasetError(f"{label}: the file is empty (no header row)")
    header_line, header = first
    where = f"{label}: line {header_line}"
    if len(header) < 2:
        raise DatasetError(f"{where}: need at least 2 columns (features and a target), found {len(header)}")
    for i, column in enumerate(header):
        if not column:
            raise DatasetError(f"{where}: column {i + 1} of the header has an empty name")
        if header.count(column) > 1:
            raise DatasetError(f"{where}: duplicate column name {column!r}")
    if all(_number(c) is not None for c in header):
        raise DatasetError(f"{where}: the first row holds only numbers; the file needs a header row naming the columns")
    target_name = header[-1] if target is None else str(target).strip()
    if target_name not in header:
        raise DatasetError(f"{label}: unknown target column {target_name!r}; the columns are "
                           + ", ".join(repr(c) for c in header))
    t_col = header.index(target_name)
    f_cols = [i for i in range(len(header)) if i != t_col]

    rows: list[list[float]] = []
    raw_targets: list[tuple[int, str]] = []
    for line, cells in records:
        values = _feature_values(cells, f_cols, header, label, line)
        if not cells[t_col]:
            raise DatasetError(f"{label}: line {line}, column {target_name!r}: empty target cell")
        rows.append(values)
        raw_targets.append((line, cells[t_col]))
    if not rows:
        raise DatasetError(f"{label}: no data rows (only a header)")

    target_values = [_number(cell) for _, cell in raw_targets]
    numeric = all(v is not None for v in target_values)
    for (line, cell), value in zip(raw_targets, target_values):
        at = f"{label}: line {line}, column {target_name!r}"
        if numeric and not math.isfinite(value):
            raise DatasetError(f"{at}: target {cell!r} is not a finite number")
        if value is None and task == "regression":
            raise DatasetError(f"{at}: {cell!r} is not a number (a regression target must be numeric)")
    if task is None:
        integers = numeric and all(_INTEGER.fullmatch(cell) for _, cell in raw_targets)
        few = len(set(target_values)) <= _MAX_AUTO_CLASSES
        task = "classification" if not numeric or (integers and few) else "regression"

    X = np.array(rows, dtype=np.float64).reshape(len(rows), len(f_cols))
    feature_names = tuple(header[i] for i in f_cols)
    if task == "regression":
        return Dataset(name, X, np.array(target_values, dtype=np.float64), task, feature_names, target_name)
    keys = target_values if numeric else [cell for _, cell in raw_targets]
    distinct = sorted(set(keys))
    if len(distinct) < 2:
        shown = _class_name(distinct[0]) if numeric else distinct[0]
        raise DatasetError(f"{label}: column {target_name!r}: every row has the single class {shown!r}; "
                           "classification needs at least 2 classes")
    class_names = tuple(_class_name(k) for k in distinct) if numeric else tuple(distinct)
    position = {k: i for i, k in enumerate(distinct)}
    y = np.array([position[k] for k in keys], dtype=np.int64)
    return Dataset(name, X, y, task, feature_names, target_name, class_names)


def save_csv(dataset: Dataset, path: str | os.PathLike) -> None:
    """Write ``dataset`` as comma-separated UTF-8 text, atomically.

    The header is the feature names then the target name. Features are written with
    ``repr(float)`` (exact); the target as ``class_names[y]`` or ``repr(float)``, so
    regression targets never read back as integer class labels. ``load_csv(path,
    task=dataset.task)`` returns the same values and names, provided the names have no
    surrounding spaces and numeric class names are canonical and in numeric order (as
    loaded or generated ones are); without ``task`` the auto-detection also gets the task
    right for string classes and up to 20 integer-named classes.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    if not isinstance(dataset, Dataset):
        raise DatasetError(f"expected a Dataset, got {type(dataset).__name__}")
    with atomic_writer(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*dataset.feature_names, dataset.target_name])
        for features, target in zip(dataset.X.tolist(), dataset.y.tolist()):
            label = dataset.class_names[target] if dataset.task == "classification" else repr(float(target))
            writer.writerow([*(repr(v) for v in features), label])


def load_features(path: str | os.PathLike, feature_names: Sequence[str]) -> np.ndarray:
    """Read the columns ``feature_names`` (in that order) from a CSV file with a header.

    For prediction: the file may hold its columns in any order and other columns too (a
    target column, say), which are ignored. Returns (n_rows, len(feature_names)) float64.

    Raises
    ------
    DatasetError
        A missing column, a non-numeric or non-finite cell, ragged rows, no rows.
    """
    path = Path(path)
    label = path.name or str(path)
    text = _read_text(path)
    records = _records(text, _sniff_delimiter(text, label), label)
    first = next(records, None)
    if first is None:
        raise DatasetError(f"{label}: the file is empty (no header row)")
    header_line, header = first
    missing = [name for name in feature_names if name not in header]
    if missing:
        raise DatasetError(
            f"{label}: line {header_line}: missing column(s) {', '.join(map(repr, missing))}; "
            f"the model was trained on {', '.join(map(repr, feature_names))}"
        )
    columns = [header.index(name) for name in feature_names]
    rows: list[list[float]] = []
    for line, cells in records:
        rows.append(_feature_values(cells, columns, header, label, line))
    if not rows:
        raise DatasetError(f"{label}: no data rows (only a header)")
    return np.array(rows, dtype=np.float64)


# ---------------------------------------------------------------- named datasets

def resources_dir() -> Path:
    """The repository's top-level ``resources/`` folder, beside the ``nnstudio`` package.

    Raises
    ------
    DatasetError
        The folder is missing, as in a wheel installed without the source tree.
    """
    # The data files are not package data: they are found in the source tree, which is why
    # NN Studio is installed with ``pip install -e .``.
    path = Path(__file__).resolve().parents[2] / "resources"
    if not path.is_dir():
        raise DatasetError(
            f"the data files were not found (no folder {path}); NN Studio must be installed "
            "from its source tree with `pip install -e .`"
        )
    return path


def load_real(name: str) -> Dataset:
    """The real dataset ``name`` (one of ``REAL_DATASETS``), read fresh from its CSV file.

    The files live in ``resources/datasets/`` and are read by :func:`load_csv`, the same
    code that reads a learner's own file; ``resources/datasets/README.md`` gives each
    one's origin and licence.

    ==============  ====  ======  =======  ======================================
    name            rows  inputs  classes  target column: class names (y order)
    ==============  ====  ======  =======  ======================================
    iris            150   4       3        species: setosa, versicolor, virginica
    wine            178   13      3        cultivar: 1, 2, 3
    breast_cancer   569   30      2        diagnosis: benign, malignant
    digits          1797  64      10       digit: 0 .. 9 (inputs p0..p63, 0..16)
    ==============  ====  ======  =======  ======================================

    Returns
    -------
    Dataset
        Task classification, dataset name ``name``, ``X`` shape (rows, inputs) float64.

    Raises
    ------
    DatasetError
        An unknown name, or the data files are missing or unreadable.
    """
    if name not in REAL_DATASETS:
        raise DatasetError(f"unknown real dataset {name!r}; choose one of {', '.join(REAL_DATASETS)}")
    path = resources_dir() / "datasets" / f"{name}.csv"
    if not path.is_file():
        raise DatasetError(
            f"the data file {path} was not found; NN Studio must be installed from its source "
            "tree with `pip install -e .`"
        )
    # Read every time, never cached: a Dataset's arrays could be made writable again, and
    # the largest file (digits) reads in about a tenth of a second.
    return load_csv(path, task="classification", name=name)


def load_named(name: str, n_samples: int = 200, noise: float = 0.1, seed: int = 0,
               features: Sequence[str] = ()) -> Dataset:
    """Any dataset in ``DATASET_NAMES``: generated (with ``features`` added) or real.

    Parameters
    ----------
    name : str
        A generator (``GENERATOR_NAMES``) or a shipped real dataset (``REAL_DATASETS``).
    n_samples, noise, seed
        Passed to :func:`generate`; ignored for real data.
    features : sequence of str
        Names from ``FEATURES`` to append (:func:`add_features`); only for generated data.

    Raises
    ------
    DatasetError
        An unknown name (the message lists every name), bad generator arguments, unknown
        features, or features asked of a real dataset.
    """
    if name in GENERATOR_TASKS:
        return add_features(generate(name, n_samples=n_samples, noise=noise, seed=seed), features)
    if name in REAL_DATASETS:
        if isinstance(features, str) or tuple(features):
            raise DatasetError(f"input features (x1², sin x1, ...) apply only to the generated 2-D datasets "
                               f"({', '.join(GENERATOR_NAMES)}), not to {name!r}")
        return load_real(name)
    raise DatasetError(f"unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}")
