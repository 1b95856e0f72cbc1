"""Datasets for NN Studio: every dataset by name, encodings, splits and scaling.

A :class:`Dataset` holds raw inputs ``X`` and class ids or real targets ``y``; the
network sees them through :meth:`Dataset.targets` (0/1, one-hot or real columns) and,
usually, a :class:`Normalizer` fitted on the training rows (:func:`train_test_split`
picks those rows). Everything refuses bad data with :class:`DatasetError`, whose message a
learner can act on (file line, column). :func:`load_named` loads any dataset by name
(``DATASET_NAMES``): a generated one, optionally with extra inputs from
:func:`add_features` (x1², sin x1, ...), or a real one shipped in ``resources/datasets/``
(:func:`load_real`).

This is the module to import from: it re-exports the names of the data modules it is
built from, which import it never (so there is no import cycle):

- :mod:`.dataset_core`: ``Dataset``, ``DatasetError``, ``TASKS``;
- :mod:`.generators`: the 2-D toy problems (``generate``, ``GENERATOR_NAMES``,
  ``GENERATOR_TASKS``, ``plane_bounds``) and their extra inputs (``FEATURES``,
  ``FEATURE_LABELS``, ``add_features``); its docstring says what ``noise`` does to each;
- :mod:`.csv_io`: CSV files (``load_csv``, ``load_features``, ``save_csv``,
  ``MAX_CSV_BYTES``);
- :mod:`.real_data`: the shipped real data (``REAL_DATASETS``, ``resources_dir``,
  ``load_real``).

Code that changes one of those modules' globals at run time (a test shrinking
``MAX_CSV_BYTES``, say) must change it in that module: the copy here is not read.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nnstudio.engine.data.csv_io import MAX_CSV_BYTES, load_csv, load_features, save_csv
from nnstudio.engine.data.dataset_core import TASKS, Dataset, DatasetError, _real_array, _rng
from nnstudio.engine.data.generators import (
    FEATURE_LABELS,
    FEATURES,
    GENERATOR_NAMES,
    GENERATOR_TASKS,
    add_features,
    generate,
    plane_bounds,
)
from nnstudio.engine.data.real_data import REAL_DATASETS, load_real, resources_dir

__all__ = [
    "DatasetError", "TASKS", "Dataset", "labels_from_outputs", "accuracy",
    "GENERATOR_NAMES", "GENERATOR_TASKS", "generate", "FEATURES", "FEATURE_LABELS", "add_features",
    "REAL_DATASETS", "DATASET_NAMES", "resources_dir", "load_real", "load_named",
    "plane_bounds", "train_test_split", "Normalizer",
    "MAX_CSV_BYTES", "load_csv", "load_features", "save_csv",
]

DATASET_NAMES = GENERATOR_NAMES + REAL_DATASETS


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
        with np.errstate(over="ignore", invalid="ignore"):
            mean, std = X.mean(axis=0), X.std(axis=0)
            overflowed = ~(np.isfinite(mean) & np.isfinite(std))
            if overflowed.any():
                # Squares of values beyond ~1e154 overflow: take those columns' statistics in
                # units of their largest magnitude, where nothing can.
                scale = np.abs(X[:, overflowed]).max(axis=0)
                scaled = X[:, overflowed] / scale
                mean[overflowed] = scaled.mean(axis=0) * scale
                std[overflowed] = scaled.std(axis=0) * scale
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
        with np.errstate(over="ignore", invalid="ignore"):
            out = (X - self.mean) / self.std
            if not np.isfinite(out).all():
                # X - mean can overflow where the data spans most of the float range; halving
                # both first is exact and cannot, and the quotient is the same.
                halved = (X * 0.5 - self.mean * 0.5) / (self.std * 0.5)
                out = np.where(np.isfinite(out), out, halved)
        return out

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


# ---------------------------------------------------------------- named datasets

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
