"""What the trainer tells the window: immutable snapshots of a training session.

Plain frozen dataclasses of read-only numpy copies, so they can cross a process boundary
(pickled through a pipe) and be handed to the UI thread without anyone changing them.

The loss curves grow by a few points a snapshot while the whole history is tens of
thousands of points, so the trainer's process sends each history series whole once and
then only the points added since the snapshot before (``Snapshot.history_appended``);
``HistoryReceiver`` on the window's side puts the whole series back together, so every
snapshot the window's panels see holds whole histories.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.explain.inspect import SampleTrace
from nnstudio.engine.explain.layer_view import LayerViewData
from nnstudio.engine.nn.evaluation import Evaluation
from nnstudio.engine.nn.network import NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.history import SeriesMark

__all__ = ["DataView", "Snapshot", "newest_of", "frozen", "frozen_all", "HistoryReceiver", "HISTORY_SERIES"]

#: The history series a snapshot carries, in the order of ``history_appended`` and ``history_marks``.
HISTORY_SERIES = ("batch_loss", "evaluations", "gradient_norms")

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
        Per weight layer; the updates are those of the last finished cycle (new − old),
        also while the next one is stepped by phases (its update is not done yet).
    batch_activations
        Per non-input layer, the last batch's activations (samples × neurons), at most
        ``MAX_HEATMAP_ROWS`` rows. While a cycle is stepped by phases: that cycle's batch,
        with zeros for the layers its forward phases have not reached yet.
    sample_activations
        Per layer, input included, the activations of the first sample of the last batch
        (of the cycle being stepped by phases, zeros as in ``batch_activations``).
    batch_cycles, batch_loss
        The loss of each cycle's mini-batch (thinned on long runs).
    eval_cycles, evaluations
        Whole-split evaluations: columns train_loss, test_loss, train_accuracy, test_accuracy.
    boundary
        For 2-D data, the first output over the input plane (BOUNDARY_RESOLUTION²), rows
        from y_min to y_max, in the data's units; None otherwise.
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
        Regression: (targets, predictions) on the test split (or the training split), in
        the data's units.
    data
        Set when the data changed since the previous snapshot, None otherwise.
    phase
        The phase just done, as (kind, layer): ("forward", l), ("loss", None),
        ("backward", l) or ("update", None), with l the weight layer (0 = input → first
        hidden). Set while a cycle is being stepped phase by phase and right after its
        update; None after ordinary steps, Run, a rewind or a change that dropped the cycle.
    batch_deltas
        Per weight layer, δ = ∂L/∂z of the batch (samples × neurons, at most
        ``MAX_HEATMAP_ROWS`` rows). During a cycle stepped by phases: None until the first
        backward phase, then zeros for the layers backprop has not reached yet. After a
        whole cycle: that cycle's deltas. None when no cycle has run (a new run, the
        earliest reachable cycle of a rewind, a cycle dropped half-way).
    trace
        What the shown cycle did to the first sample of its batch (``inspect.SampleTrace``,
        for ``neuron_report``): activations and sums (zeros for layers not computed yet,
        counted by ``forward_layers``), target and the batch's loss once the loss phase is
        done, each layer's δ once backprop has reached it (None for the layers it has not,
        and no tuple before backprop starts), the weights and biases the
        cycle used (before its update), ``weight_updates`` once the update is done, and the
        learning settings (``noise_std``: of the update done, or about to be done in an
        unfinished cycle). With no cycle to show, a forward pass of the first training rows
        with the current weights (no deltas, no updates).
    gradient_norms
        (cycles (n,), norms (n, L)): ‖∂L/∂W_l‖ (Frobenius, weights only) of each weight
        layer. One point per snapshot taken after new cycles (for the last of them: during
        Run about 30 a second) and one per cycle stepped by phases; a cycle's x is its
        index, as in ``batch_cycles``. At most 4096 points (thinned on long runs); starts
        over with the run; cut back by Continue from here; not extended while rewound.
    timeline
        (earliest reachable cycle, latest recorded cycle) for the rewind slider.
    rewound
        True while an earlier cycle is shown and the later ones are kept ("viewing the past").
    layer_view
        While the layer view is on (and the data are 2-D): the plane's grid and the data
        mapped through two neurons of a layer (``layer_view.LayerViewData``); else None.
    target_scaling
        (mean, std) when the network learns standardised regression targets
        (``experiment.TargetScaling``), else None. Then the losses, the trace's target and
        output, and the activations are on that scale, while ``predictions`` and ``boundary``
        are in the data's units (output × std + mean).
    history_appended
        None: ``batch_cycles``/``batch_loss``, ``eval_cycles``/``evaluations`` and
        ``gradient_norms`` hold the whole histories (every snapshot the window's panels
        see). Set on the snapshots the trainer's process sends, one flag per series of
        ``HISTORY_SERIES``: True when its arrays hold only the points recorded since the
        snapshot sent before, False when they hold the whole series (the first snapshot,
        and after anything but appending: the series thinned, a rewind's Continue, a
        divergence's rollback, a reset, a new network, data or session).
    history_marks
        Per series of ``HISTORY_SERIES``, its lineage and length as of this snapshot: in
        the trainer's process to send the next snapshot's new points only; in the window
        (``HistoryReceiver``) equal marks mean the same points, so a panel need not redraw.
    delta_rule
        How backprop fills hidden deltas (``Trainer.delta_rule``): "set", or the seed
        author's "accumulate"; the window shows it so nobody trains with it unknowingly.
    acknowledged
        The sequence number of the last command the trainer had dealt with (applied or
        refused) when it took this snapshot; 0 before any numbered command.
    """

    generation: int
    cycle: int
    epoch: int
    running: bool
    config: SessionConfig
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
    phase: tuple[str, int | None] | None = None
    batch_deltas: tuple[Array, ...] | None = None
    trace: SampleTrace | None = None
    gradient_norms: tuple[Array, Array] | None = None
    timeline: tuple[int, int] = (0, 0)
    rewound: bool = False
    layer_view: LayerViewData | None = None
    target_scaling: tuple[float, float] | None = None
    history_appended: tuple[bool, bool, bool] | None = None
    history_marks: tuple[SeriesMark, SeriesMark, SeriesMark] | None = None
    delta_rule: str = "set"
    acknowledged: int = 0


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


#: The window's own lineages: a restarted trainer's process numbers its series afresh.
_RECEIVED_LINEAGES = itertools.count(1)


class _SeriesBuffer:
    """One history series in the window, grown in place: the views handed out never change.

    Rows below ``size`` are never written again; more room means a new array (the old one
    lives on in the views that use it), and a whole resend starts a new array too.
    """

    def __init__(self) -> None:
        self._x = np.empty(0)
        self._values = np.empty((0, 0))
        self.size = 0
        self.lineage = 0

    def replace(self, x: np.ndarray, values: np.ndarray) -> None:
        n = len(x)
        self._x = np.empty(max(64, 2 * n))
        self._values = np.empty((len(self._x), values.shape[1]))
        self._x[:n], self._values[:n] = x, values
        self.size = n
        self.lineage = next(_RECEIVED_LINEAGES)

    def extend(self, x: np.ndarray, values: np.ndarray) -> None:
        n, k = self.size, len(x)
        if not k:
            return
        if values.shape[1] != self._values.shape[1]:
            raise ValueError(f"history points with {values.shape[1]} columns added to a series of "
                             f"{self._values.shape[1]}")
        if n + k > len(self._x):
            grown_x, grown_values = np.empty(2 * (n + k)), np.empty((2 * (n + k), values.shape[1]))
            grown_x[:n], grown_values[:n] = self._x[:n], self._values[:n]
            self._x, self._values = grown_x, grown_values
        self._x[n:n + k], self._values[n:n + k] = x, values
        self.size = n + k

    def views(self) -> tuple[np.ndarray, np.ndarray]:
        x, values = self._x[: self.size], self._values[: self.size]
        x.flags.writeable = False
        values.flags.writeable = False
        return x, values

    def mark(self) -> SeriesMark:
        return SeriesMark(self.lineage, self.size)


class HistoryReceiver:
    """The window's side of the history deltas: whole series again from what the trainer sends.

    Every snapshot received must pass through ``complete`` in the order sent (dropping
    some to keep up is for after): the first snapshot, and each after a change other than
    appending, carries a series whole; the others carry the points added since the one
    before.
    """

    def __init__(self) -> None:
        self._series = tuple(_SeriesBuffer() for _ in HISTORY_SERIES)
        self._started = [False] * len(HISTORY_SERIES)

    def complete(self, s: Snapshot) -> Snapshot:
        """``s`` with whole histories (read-only views) and the window's marks; as is if it holds whole ones."""
        if s.history_appended is None:
            return s
        norms_x, norms = s.gradient_norms if s.gradient_norms is not None else (np.empty(0), np.empty((0, 0)))
        received = (
            (s.batch_cycles, np.reshape(s.batch_loss, (-1, 1))),
            (s.eval_cycles, s.evaluations),
            (norms_x, norms),
        )
        for index, (buffer, appended, (x, values)) in enumerate(zip(self._series, s.history_appended, received)):
            if not appended:
                buffer.replace(x, values)
                self._started[index] = True
            elif not self._started[index]:
                raise ValueError(f"new {HISTORY_SERIES[index]} points arrived before the whole series")
            else:
                buffer.extend(x, values)
        (bx, by), (ex, ev), (nx, nv) = (buffer.views() for buffer in self._series)
        return replace(
            s, batch_cycles=bx, batch_loss=by[:, 0], eval_cycles=ex, evaluations=ev,
            gradient_norms=None if s.gradient_norms is None else (nx, nv),
            history_appended=None, history_marks=tuple(buffer.mark() for buffer in self._series),
        )
