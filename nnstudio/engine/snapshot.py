"""What the trainer tells the window: immutable snapshots of a training session.

Plain frozen dataclasses of read-only numpy copies, so they can cross a process boundary
(pickled through a pipe) and be handed to the UI thread without anyone changing them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .datasets import Dataset
from .network import NetworkSpec
from .optim import Hyperparameters
from .trainer import Evaluation

__all__ = ["DataView", "Snapshot", "newest_of", "frozen", "frozen_all"]

Array = npt.NDArray[np.floating]


def frozen(array) -> np.ndarray:
    """A read-only copy."""
    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy


def frozen_all(arrays) -> tuple[np.ndarray, ...]:
    return tuple(frozen(a) for a in arrays)


@dataclass(frozen=True, eq=False)
class DataView:
    """The data as the window shows it.

    Attributes
    ----------
    dataset
        The whole dataset, raw (for the data table and the draw mode).
    train_idx, test_idx
        Which rows train and which test.
    X_train, X_test
        Raw inputs of the first two features (one feature: padded with zeros).
    labels_train, labels_test
        Class ids (zeros for regression).
    values_train, values_test
        Raw regression targets (None for classification).
    bounds
        (x_min, x_max, y_min, y_max) of the input plane for 2-D data, else None.
    mean, std
        The input normalisation, to feed raw inputs (a drawn digit) to the network.
    custom
        Drawn, imported or edited data (the table may edit it), not a generator's.
    """

    version: int
    dataset: Dataset
    train_idx: np.ndarray
    test_idx: np.ndarray
    X_train: Array
    labels_train: np.ndarray
    X_test: Array
    labels_test: np.ndarray
    values_train: Array | None
    values_test: Array | None
    bounds: tuple[float, float, float, float] | None
    mean: Array
    std: Array
    custom: bool = False

    @property
    def name(self) -> str:
        return self.dataset.name

    @property
    def task(self) -> str:
        return self.dataset.task

    @property
    def n_features(self) -> int:
        return self.dataset.n_features

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.dataset.class_names


@dataclass(frozen=True, eq=False)
class Snapshot:
    """An immutable picture of the session (every array is a read-only copy).

    Attributes
    ----------
    generation
        Bumps whenever the run starts over (reset, new shape, new data): drop older ones.
    config
        Everything that defines the run (the window shows its settings from it).
    weights, biases, weight_updates, bias_updates
        Per weight layer; the updates are those of the last cycle (new − old).
    batch_activations
        Per non-input layer, the last batch's activations (samples × neurons), at most
        ``MAX_HEATMAP_ROWS`` rows.
    sample_activations
        Per layer, input included, the activations of the first sample of the last batch.
    batch_cycles, batch_loss
        The loss of each cycle's mini-batch (thinned on long runs).
    eval_cycles, evaluations
        Whole-split evaluations: columns train_loss, test_loss, train_accuracy, test_accuracy.
    boundary
        For 2-D data, the first output over the input plane (BOUNDARY_RESOLUTION²), rows
        from y_min to y_max; None otherwise.
    neuron_maps
        For 2-D data, per non-input layer, each neuron's output over the plane
        (neurons, NEURON_MAP_RESOLUTION, NEURON_MAP_RESOLUTION).
    sample_input, sample_label
        The raw inputs of that first sample (a digit's 64 pixels, say) and its true class
        (None for regression).
    confusion
        Classification: counts (true class × predicted class) on the test split, or on
        the training split when there is no test split.
    predictions
        Regression: (targets, predictions) on the test split (or the training split).
    data
        Set when the data changed since the previous snapshot, None otherwise.
    """

    generation: int
    cycle: int
    epoch: int
    running: bool
    config: Any  # the session's SessionConfig (typed loosely: session.py imports this module)
    spec: NetworkSpec
    hyper: Hyperparameters
    batch_size: int | None
    weights: tuple[Array, ...]
    biases: tuple[Array, ...]
    weight_updates: tuple[Array, ...]
    bias_updates: tuple[Array, ...]
    batch_activations: tuple[Array, ...]
    sample_activations: tuple[Array, ...]
    batch_cycles: Array
    batch_loss: Array
    eval_cycles: Array
    evaluations: Array
    evaluation: Evaluation | None
    boundary: Array | None
    neuron_maps: tuple[Array, ...] | None
    sample_input: Array | None = None
    sample_label: int | None = None
    confusion: np.ndarray | None = None
    predictions: tuple[Array, Array] | None = None
    data: DataView | None = None
    message: str = ""


def newest_of(older: Snapshot | None, newer: Snapshot) -> Snapshot:
    """``newer``, keeping what ``older`` carried once: its data view and its message.

    Whoever drops snapshots to keep up (the relay, the window) must not drop those: only
    the snapshot right after a data change has the data, and a message is said once.
    """
    if older is None:
        return newer
    changes = {}
    if older.data is not None and newer.data is None:
        changes["data"] = older.data
    if older.message and older.message != newer.message:
        changes["message"] = f"{older.message} {newer.message}".strip()
    return replace(newer, **changes) if changes else newer


