"""The core of NN Studio's data: :class:`Dataset`, :data:`TASKS` and :class:`DatasetError`.

A :class:`Dataset` holds raw inputs ``X`` and class ids or real targets ``y``; the
network sees them through :meth:`Dataset.targets` (0/1, one-hot or real columns).
Everything here refuses bad data with :class:`DatasetError`, whose message a learner can
act on (file line, column).

The data modules build on this one, which imports none of them: :mod:`.generators`,
:mod:`.csv_io` (reading through :mod:`.csv_text`) and :mod:`.real_data` make datasets, and
:mod:`.datasets` imports all of them and re-exports these names, so
``from nnstudio.engine.data.datasets import Dataset`` is the usual way in. The private helpers
``_real_array`` (a checked float64 copy) and ``_rng`` (a generator from a checked seed) are shared
with those sibling modules.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DatasetError", "TASKS", "Dataset"]

TASKS = ("classification", "regression")


class DatasetError(ValueError):
    """Bad data. The message names the problem, and for files the 1-based line number (header = line 1)
    and the column name at fault.

    ``line`` and ``column`` (the column's name in the header) are the ones the message
    names, None when it names none, so a view can point at the cell without parsing text.
    """

    def __init__(self, message: str, line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple:
        # the default would rebuild from the message alone and lose line and column
        return type(self), (str(self), self.line, self.column)


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


def _rng(seed: int) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise DatasetError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.default_rng(int(seed))


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

    def select_features(self, names: Sequence[str]) -> Dataset:
        """The same rows with the feature columns ``names``, in that order (a trained model's input order).

        Raises
        ------
        DatasetError
            A name that is not a feature of this dataset, or a name given twice.
        """
        names = tuple(names)
        missing = [n for n in names if n not in self.feature_names]
        if missing:
            raise DatasetError(f"the dataset {self.name!r} has no feature {', '.join(map(repr, missing))}; "
                               f"its features are {', '.join(map(repr, self.feature_names))}")
        columns = [self.feature_names.index(n) for n in names]
        return Dataset(self.name, self.X[:, columns], self.y, self.task, names, self.target_name, self.class_names)

    def subset(self, idx: npt.ArrayLike) -> Dataset:
        """A new dataset holding rows ``idx`` (indices or boolean mask), same metadata."""
        rows = _index(idx, self.n_samples)
        return Dataset(self.name, self.X[rows], self.y[rows], self.task,
                       self.feature_names, self.target_name, self.class_names)
