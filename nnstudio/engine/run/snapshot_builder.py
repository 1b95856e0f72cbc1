"""Building the immutable ``Snapshot`` of a training session from its state."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from nnstudio.engine.data.datasets import Dataset, add_features, labels_from_outputs, plane_bounds
from nnstudio.engine.data.generators import PLANE_FEATURES
from nnstudio.engine.explain.inspect import SampleTrace
from nnstudio.engine.explain.layer_view import LayerViewInputs
from nnstudio.engine.nn.trainer import Trainer
from nnstudio.engine.run.history import SeriesMark
from nnstudio.engine.run.snapshot import DataView, Snapshot, frozen, frozen_all

if TYPE_CHECKING:  # the session is only passed in
    from nnstudio.engine.run.session import TrainingSession

__all__ = ["BOUNDARY_RESOLUTION", "NEURON_MAP_RESOLUTION", "MAX_HEATMAP_ROWS", "CycleView", "cycle_view",
           "SnapshotBuilder"]

Array = npt.NDArray[np.floating]

BOUNDARY_RESOLUTION = 64
NEURON_MAP_RESOLUTION = 24
#: Rows of the current batch shown in the activation heatmaps; a bigger batch is cut.
MAX_HEATMAP_ROWS = 64


def _grid(bounds, resolution: int) -> Array:
    xmin, xmax, ymin, ymax = bounds
    xs = np.linspace(xmin, xmax, resolution)
    ys = np.linspace(ymin, ymax, resolution)
    gx, gy = np.meshgrid(xs, ys)  # row i is y = ys[i]
    return np.column_stack([gx.ravel(), gy.ravel()])


def _confusion(true: np.ndarray, predicted: np.ndarray, k: int) -> np.ndarray:
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (true, predicted), 1)
    return counts


def _has_plane(session: TrainingSession) -> bool:
    """Whether the data are drawn over a 2-D input plane (two inputs, or two plus computed features)."""
    data = session.config.data
    return session.dataset.n_features == 2 or bool(data.features and not data.custom)


def _plane_inputs(session: TrainingSession, points: Array) -> Array:
    """Raw 2-D points with the session's extra input features, normalised."""
    features = () if session.config.data.custom else session.config.data.features
    if features:
        plane = Dataset("plane", points, np.zeros(len(points)), "regression", PLANE_FEATURES, "y")
        points = add_features(plane, features).X
    return session.experiment.normalizer.apply(points)


def _data_view(session: TrainingSession) -> DataView:
    d, exp = session.dataset, session.experiment
    X2 = d.X[:, :2] if d.n_features >= 2 else np.column_stack([d.X[:, 0], np.zeros(d.n_samples)])
    classification = d.task == "classification"
    labels = d.y if classification else np.zeros(d.n_samples, dtype=np.int64)
    values = None if classification else d.y
    tr, te = exp.train_idx, exp.test_idx
    return DataView(
        session.data_version, d, frozen(tr), frozen(te),
        frozen(X2[tr]), frozen(labels[tr]), frozen(X2[te]), frozen(labels[te]),
        None if values is None else frozen(values[tr]), None if values is None else frozen(values[te]),
        plane_bounds(d) if _has_plane(session) else None,
        frozen(exp.normalizer.mean), frozen(exp.normalizer.std), session.config.data.custom,
    )


def _split_report(session: TrainingSession) -> dict:
    """Confusion counts (classification) or targets and predictions in the data's units (regression)."""
    trainer, exp, d = session.trainer, session.experiment, session.dataset
    X, Y = (trainer.X_test, trainer.Y_test) if len(trainer.X_test) else (trainer.X_train, trainer.Y_train)
    if d.task == "classification":
        outputs = session.network.predict(X)
        return {"confusion": frozen(_confusion(labels_from_outputs(Y), labels_from_outputs(outputs), d.n_classes))}
    rows = exp.test_idx if len(trainer.X_test) else exp.train_idx
    outputs = exp.network_in_data_units().predict(X)
    return {"predictions": (frozen(d.targets(rows)[:, 0]), frozen(outputs[:, 0]))}


class SnapshotBuilder:
    """Makes a session's snapshots; keeps the input plane's grids and which data it sent last.

    The grids depend on the data and their normalisation: ``forget_plane`` whenever the
    session's experiment changes.
    """

    def __init__(self) -> None:
        self._grids: tuple[Array, Array] | None = None  # (boundary grid, neuron-map grid), normalised
        self._layer_view_inputs: LayerViewInputs | None = None
        self._data_sent = -1

    def forget_plane(self) -> None:
        self._grids = None
        self._layer_view_inputs = None

    def resend_data(self) -> None:
        self._data_sent = -1

    def _plane_outputs(self, session: TrainingSession) -> tuple[Array | None, tuple[Array, ...] | None]:
        if not _has_plane(session):
            return None, None
        if self._grids is None:
            bounds = plane_bounds(session.dataset)
            self._grids = (_plane_inputs(session, _grid(bounds, BOUNDARY_RESOLUTION)),
                           _plane_inputs(session, _grid(bounds, NEURON_MAP_RESOLUTION)))
        fine, coarse = self._grids
        # In the data's units, like the points drawn over it.
        boundary = session.experiment.network_in_data_units().predict(fine)[:, 0]
        boundary = boundary.reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
        trace = session.network.forward(coarse)
        r = NEURON_MAP_RESOLUTION
        maps = tuple(frozen(a.T.reshape(a.shape[1], r, r)) for a in trace.activations[1:])
        return frozen(boundary), maps

    def _layer_view(self, session: TrainingSession):
        """The layer view for the snapshot: only while on, and only for data with a 2-D plane."""
        if session.layer_view_choice is None or not _has_plane(session):
            return None
        if self._layer_view_inputs is None:
            d = session.dataset
            labels = d.y if d.task == "classification" else None
            self._layer_view_inputs = LayerViewInputs(partial(_plane_inputs, session), plane_bounds(d), d.X[:, :2],
                                                      labels)
        return self._layer_view_inputs.view(session.network, *session.layer_view_choice)

    def build(self, session: TrainingSession, since: tuple[SeriesMark | None, ...] | None, message: str) -> Snapshot:
        """The session as it is (``TrainingSession.snapshot`` says what ``since`` does)."""
        trainer, net, timeline = session.trainer, session.network, session.timeline
        view = cycle_view(trainer, MAX_HEATMAP_ROWS)
        inputs, targets = view.inputs, view.targets
        norm, scaling = session.experiment.normalizer, session.experiment.target_scaling
        sample_input = frozen(inputs[0] * norm.std + norm.mean)
        classification = session.dataset.task == "classification"
        sample_label = int(labels_from_outputs(targets[:1])[0]) if classification else None
        updates_W, updates_b = net.views(trainer.optimizer.updates)
        series = (trainer.history.batch_loss, trainer.history.evaluations, session.gradient_norms)
        parts = [item.points_since(mark) for item, mark in zip(series, since or (None,) * len(series))]
        (bx, by, _), (ex, ev, _), (nx, nv, _) = parts
        boundary, maps = self._plane_outputs(session)
        data = None
        if self._data_sent != session.data_version:
            data = _data_view(session)
            self._data_sent = session.data_version
        return Snapshot(
            generation=session.generation, cycle=trainer.cycle, epoch=trainer.epoch, running=session.running,
            config=session.config, spec=net.spec, hyper=trainer.hyper, batch_size=trainer.batch_size,
            weights=frozen_all(net.weights), biases=frozen_all(net.biases),
            weight_updates=frozen_all(updates_W), bias_updates=frozen_all(updates_b),
            batch_activations=view.batch_activations, sample_activations=view.sample_activations,
            batch_cycles=frozen(bx), batch_loss=frozen(by[:, 0]),
            eval_cycles=frozen(ex), evaluations=frozen(ev),
            evaluation=trainer.last_evaluation, boundary=boundary, neuron_maps=maps,
            sample_input=sample_input, sample_label=sample_label,
            data=data, message=message, **_split_report(session),
            phase=trainer.last_phase, batch_deltas=view.batch_deltas, trace=view.trace,
            gradient_norms=(frozen(nx), frozen(nv)), timeline=session.span(),
            rewound=timeline.rewound, layer_view=self._layer_view(session),
            target_scaling=None if scaling.is_identity else (scaling.mean, scaling.std),
            history_appended=None if since is None else tuple(not whole for _, _, whole in parts),
            history_marks=tuple(item.mark() for item in series), delta_rule=trainer.delta_rule,
        )


@dataclass(frozen=True, eq=False)
class CycleView:
    """The shown cycle's batch as the snapshot carries it (see ``Snapshot`` for each field).

    ``inputs`` and ``targets`` are the batch's normalised inputs and encoded targets (the
    trainer's own arrays, not copies); the rest are read-only copies.
    """

    inputs: Array
    targets: Array
    batch_activations: tuple[Array, ...]
    sample_activations: tuple[Array, ...]
    batch_deltas: tuple[Array, ...] | None
    trace: SampleTrace


def cycle_view(trainer: Trainer, max_rows: int) -> CycleView:
    """What the trainer's current or last cycle computed, cut to ``max_rows`` rows.

    A cycle being stepped by phases shows its own workspace: the layers its phases have
    computed, zeros for the rest (activations and sums not yet fed forward, deltas not yet
    propagated back). Otherwise the last whole cycle's workspace; with none, a forward
    pass of the first training rows with the current weights. The trace's weights are the
    ones the cycle used: ``trainer.previous_params`` after a whole cycle (the trainer must
    keep them: ``keep_previous_weights``), the current ones before the update.
    """
    net = trainer.network
    n_layers = net.spec.n_layers
    opt, hyper = trainer.optimizer, trainer.hyper
    ws = trainer.workspace_in_progress
    in_progress = ws is not None
    if in_progress:
        kind, layer = trainer.last_phase
        n_forward = layer + 1 if kind == "forward" else n_layers
        loss_done = kind != "forward"
        lowest_delta = layer if kind == "backward" else None
    else:
        ws = trainer.last_workspace
        n_forward, loss_done, lowest_delta = n_layers, True, 0
    if ws is None:
        inputs, targets = trainer.X_train[:max_rows], trainer.Y_train[:max_rows]
        forward = net.forward(inputs)
        acts, sums = forward.activations, forward.sums
        output = acts[-1]
        loss = net.loss.value(output, targets, sums[-1], output - targets)
        batch, deltas, lowest_delta = len(inputs), None, None
    else:
        inputs, targets, batch, loss, deltas = ws.acts[0], ws.targets, ws.batch, ws.loss, ws.deltas
        rows = min(batch, max_rows)
        acts = [inputs] + [
            ws.acts[index + 1] if index < n_forward else np.zeros((rows, net.spec.sizes[index + 1]), net.dtype)
            for index in range(n_layers)
        ]
        sums = [ws.sums[index] if index < n_forward else np.zeros((rows, net.spec.sizes[index + 1]), net.dtype)
                for index in range(n_layers)]
    batch_deltas = None
    if lowest_delta is not None:
        batch_deltas = tuple(frozen(deltas[index][:max_rows]) if index >= lowest_delta
                             else np.zeros((min(batch, max_rows), net.spec.sizes[index + 1]), net.dtype)
                             for index in range(n_layers))
        for zeros in batch_deltas:
            zeros.setflags(write=False)
    if in_progress or ws is None or not trainer.keep_previous_weights:
        weights, biases = net.weights, net.biases
    else:
        weights, biases = net.views(trainer.previous_params)
    finished = ws is not None and not in_progress
    updates = frozen_all(net.views(opt.updates)[0]) if finished else None
    trace = SampleTrace(
        row=0, batch_size=int(batch), activation_names=net.spec.activations, loss_name=net.spec.loss,
        activations=frozen_all(a[0] for a in acts), sums=frozen_all(z[0] for z in sums),
        weights=frozen_all(weights), biases=frozen_all(biases),
        target=frozen(targets[0]) if loss_done else None, loss=float(loss) if loss_done else None,
        deltas=None if lowest_delta is None else tuple(frozen(d[0]) if index >= lowest_delta else None
                                                       for index, d in enumerate(deltas)),
        weight_updates=updates, learning_rate=hyper.learning_rate, momentum=hyper.momentum,
        l1=hyper.l1, l2=hyper.l2, noise_std=opt.last_noise_std if finished else opt.noise_std(),
        forward_layers=n_forward,
    )
    return CycleView(
        inputs, targets, frozen_all(a[:max_rows] for a in acts[1:]), frozen_all(a[0] for a in acts),
        batch_deltas, trace,
    )
