"""A training session: the state behind the window.

``TrainingSession`` answers the window's commands (build this network, use this data,
step, reset, edit a weight, export) and describes itself in immutable ``Snapshot``s
(``snapshot.py``). It is pure numpy, so the window's worker can run it in a child process
(see ``service.py``) and tests can drive it directly.

Beside stepping by cycles and epochs it steps inside a cycle (``step_phase``), keeps a
``timeline.Timeline`` of the run so any recent cycle can be shown again exactly
(``rewind``, ``undo``, ``continue_from_here``), records each layer's gradient norm, checks
backprop against finite differences (``check_gradients``) and maps the input plane through
a layer (``set_layer_view``, ``layer_view.py``).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nnstudio.engine.data.csv_io import file_label
from nnstudio.engine.data.datasets import (
    REAL_DATASETS,
    Dataset,
    Normalizer,
    labels_from_outputs,
    load_named,
    plane_bounds,
)
from nnstudio.engine.explain.layer_view import LayerViewInputs, check_choice
from nnstudio.engine.io.exports import export_model
from nnstudio.engine.io.formats import load_weights
from nnstudio.engine.io.model_fit import fit_to_model, output_problem
from nnstudio.engine.nn.gradcheck import check_gradients
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import CHECKPOINT_CYCLES, PhaseRecord, Rollback
from nnstudio.engine.run.experiment import Experiment
from nnstudio.engine.run.history import History, SeriesMark, ThinnedSeries
from nnstudio.engine.run.landscape_session import LandscapeCut, LandscapeJob, landscape_cut, start_landscape
from nnstudio.engine.run.snapshot import DataView, Snapshot, cycle_view, frozen, frozen_all
from nnstudio.engine.run.timeline import Timeline

__all__ = [
    "DataSpec", "SessionConfig", "TrainingSession", "BOUNDARY_RESOLUTION", "NEURON_MAP_RESOLUTION",
    "MAX_HEATMAP_ROWS", "data_digest",
]

Array = npt.NDArray[np.floating]

BOUNDARY_RESOLUTION = 64
NEURON_MAP_RESOLUTION = 24
#: Rows of the current batch shown in the activation heatmaps; a bigger batch is cut.
MAX_HEATMAP_ROWS = 64
#: Evaluations recorded along one multi-cycle step.
STEP_EVALUATIONS = 50
#: Rows of the training split a gradient check uses when no cycle has run yet.
GRADIENT_CHECK_ROWS = 32
#: Networks replaced by imported weights that a rewind can still reach (each keeps its own timeline).
MAX_EARLIER_NETWORKS = 3


@dataclass(frozen=True)
class DataSpec:
    """Which data to use and how to split it.

    ``name`` is a generator or shipped dataset (``datasets.DATASET_NAMES``); ``features``
    adds computed inputs to 2-D generated data. ``custom`` marks drawn, imported or edited
    data, which the session holds itself (``TrainingSession.set_dataset``).
    """

    name: str = "xor"
    n_samples: int = 200
    noise: float = 0.1
    seed: int = 0
    test_fraction: float = 0.2
    features: tuple[str, ...] = ()
    custom: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        if not 0 <= self.test_fraction < 1:
            raise ValueError(f"test fraction must be in [0, 1), got {self.test_fraction}")

    def load(self) -> Dataset:
        return load_named(self.name, n_samples=self.n_samples, noise=self.noise, seed=self.seed,
                          features=self.features)


@dataclass(frozen=True)
class SessionConfig:
    """Everything that defines a run: the same config gives the same run, bit for bit."""

    data: DataSpec = DataSpec()
    hidden: tuple[int, ...] = (4,)
    activations: tuple[str, ...] = ("sigmoid", "sigmoid")  # one per non-input layer
    loss: str = "mse"
    # A brisk rate for sigmoid + MSE: XOR leaves its plateau in a couple of hundred cycles.
    hyper: Hyperparameters = Hyperparameters(learning_rate=2.0)
    batch_size: int | None = 10
    seed: int = 0  # initial weights, batch order and noise

    def spec(self, n_inputs: int, n_outputs: int) -> NetworkSpec:
        return NetworkSpec((n_inputs, *self.hidden, n_outputs), self.activations, self.loss)

    def to_dict(self) -> dict:
        """Plain JSON-able data (lists for tuples); ``from_dict`` reads it back."""
        value = asdict(self)
        value["data"]["features"] = list(self.data.features)
        value["hidden"], value["activations"] = list(self.hidden), list(self.activations)
        return value

    @classmethod
    def from_dict(cls, value) -> "SessionConfig":
        """The config ``to_dict`` gave, checked strictly: ValueError names the bad entry."""
        if not isinstance(value, dict) or set(value) != set(cls.__dataclass_fields__):
            raise ValueError(f"config must name exactly {', '.join(cls.__dataclass_fields__)}")
        data = value["data"]
        if not isinstance(data, dict) or set(data) != set(DataSpec.__dataclass_fields__):
            raise ValueError(f"config data must name exactly {', '.join(DataSpec.__dataclass_fields__)}")
        hyper = value["hyper"]
        if not isinstance(hyper, dict) or set(hyper) != set(Hyperparameters.__dataclass_fields__):
            raise ValueError(f"config hyper must name exactly {', '.join(Hyperparameters.__dataclass_fields__)}")

        def whole(v, what: str, low: int = 0) -> int:
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ValueError(f"config {what} must be a whole number ≥ {low}, got {v!r}")
            return v

        def strings(v, what: str) -> tuple[str, ...]:
            if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) for x in v):
                raise ValueError(f"config {what} must be a list of strings")
            return tuple(v)

        def number(v, what: str) -> float:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ValueError(f"config {what} must be a number, got {v!r}")
            return v

        if not isinstance(data["name"], str) or not isinstance(data["custom"], bool):
            raise ValueError("config data name must be a string and custom true or false")
        spec = DataSpec(name=data["name"], n_samples=whole(data["n_samples"], "data n_samples"),
                        noise=number(data["noise"], "data noise"), seed=whole(data["seed"], "data seed"),
                        test_fraction=number(data["test_fraction"], "data test_fraction"),
                        features=strings(data["features"], "data features"), custom=data["custom"])
        hidden = value["hidden"]
        if not isinstance(hidden, (list, tuple)):
            raise ValueError("config hidden must be a list of layer sizes")
        if not isinstance(value["loss"], str):
            raise ValueError("config loss must be a string")
        batch_size = value["batch_size"]
        return cls(
            data=spec, hidden=tuple(whole(n, "hidden layer size", 1) for n in hidden),
            activations=strings(value["activations"], "activations"), loss=value["loss"],
            hyper=Hyperparameters(**hyper),
            batch_size=None if batch_size is None else whole(batch_size, "batch_size", 1),
            seed=whole(value["seed"], "seed"),
        )

    def fitted_to(self, dataset: Dataset) -> tuple["SessionConfig", str]:
        """This config with an output layer that suits ``dataset``, and what changed (or "")."""
        output, loss = self.activations[-1], self.loss
        if dataset.task == "regression":
            output, loss = "linear", "mse"
        elif output not in ("sigmoid", "softmax"):
            output = "sigmoid"
        if output == "softmax" and dataset.n_outputs < 2:
            output = "sigmoid"
        if loss == "cross_entropy" and output not in ("sigmoid", "softmax"):
            loss = "mse"
        if (output, loss) == (self.activations[-1], self.loss):
            return self, ""
        note = f"Output layer: {output}, loss {loss}, to suit {dataset.task}."
        return replace(self, activations=(*self.activations[:-1], output), loss=loss), note


def data_digest(dataset: Dataset) -> str:
    """SHA-256 (hex) of a dataset's X and y, their dtypes and shapes: the same data, the same digest."""
    digest = hashlib.sha256()
    for array in (dataset.X, dataset.y):
        array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


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


@dataclass
class _Stage:
    """The part of a run one network trained in, from ``start`` (the cycle weights were imported at).

    Imported weights may bring another architecture and normalisation, which one timeline
    cannot hold: each network keeps its own experiment and timeline, and a rewind goes to
    the stage that trained the cycle asked for.
    """

    start: int
    config: SessionConfig
    dataset: Dataset
    experiment: Experiment
    timeline: Timeline
    gradient_norms: ThinnedSeries
    norms_cycle: int
    data_version: int


class TrainingSession:
    """Owns the dataset, the network and the trainer; answers the window's commands."""

    def __init__(self, config: SessionConfig | None = None, dataset: Dataset | None = None) -> None:
        config = config or SessionConfig()
        self.generation = 0
        self.running = False
        self._data_version = 1
        self._data_sent = -1
        self._message = ""
        self._layer_view: tuple[int, int, int] | None = None
        # The window's pinned runs (``pinned_runs.PinnedRun.to_dict()``): kept through resets, saved in session files.
        self.pinned_runs: tuple[dict, ...] = ()
        self.dataset = dataset if dataset is not None else config.data.load()
        self.config, _ = config.fitted_to(self.dataset)
        self._rebuild()

    # -- building ----------------------------------------------------------------------
    def _rebuild(self) -> None:
        """A fresh network from the config's seed and a fresh trainer: the run starts over."""
        cfg, d = self.config, self.dataset
        spec = cfg.spec(d.n_features, d.n_outputs)
        network = Network.from_spec(spec, seed=cfg.seed)
        self.experiment = Experiment(
            d, network, test_fraction=cfg.data.test_fraction, split_seed=cfg.data.seed,
            hyper=cfg.hyper, batch_size=cfg.batch_size, seed=cfg.seed,
            # Evaluated when a snapshot is taken, not every epoch: during Run that is at most
            # 30 times a second, whatever the epoch length, which keeps the trainer learning
            # and the loss curves short.
            eval_every=0,
        )
        self._grid_cache = None
        self.generation += 1
        self.running = False
        self._start_run()

    def _start_run(self) -> None:
        """What a new trainer needs around it: rewind, gradient norms, the divergence checkpoint."""
        trainer = self.trainer
        trainer.keep_previous_weights = True  # the inspector shows the weights a cycle used
        self._stages: list[_Stage] = []  # with imported weights: every network of the run, in order
        self._active = 0  # the index in _stages of the one shown
        self.timeline = Timeline.for_trainer(trainer)
        self.timeline.record(trainer)
        self.gradient_norms = ThinnedSeries(self.network.spec.n_layers, 1 << 12)
        self._norms_cycle = trainer.cycle  # gradient norms are recorded for cycles after this
        self._layer_view_inputs = None
        if getattr(self, "_layer_view", None) is not None:
            try:
                check_choice(self.network, *self._layer_view)
            except ValueError:
                self._layer_view = None
        self.checkpoint()

    def _use_data(self, dataset: Dataset, data: DataSpec) -> None:
        """Switch to ``dataset``: validated first, so a refusal changes nothing."""
        config, note = replace(self.config, data=data).fitted_to(dataset)
        config.spec(dataset.n_features, dataset.n_outputs)  # raises SpecError before any change
        Experiment(dataset, Network.from_spec(config.spec(dataset.n_features, dataset.n_outputs)),
                   test_fraction=data.test_fraction, split_seed=data.seed)  # the split must work too
        self.config, self.dataset = config, dataset
        self._data_version += 1
        self._rebuild()
        rows = f"{dataset.n_samples} rows, {dataset.n_features} inputs"
        targets = self.experiment.describe_targets()
        targets = targets[:1].upper() + targets[1:] + "." if targets else ""
        self._message = " ".join(part for part in (f"Data: {dataset.name}, {rows}. Training starts over.", note, targets)
                                 if part)

    @property
    def trainer(self):
        return self.experiment.trainer

    @property
    def network(self) -> Network:
        return self.experiment.network

    # -- commands ----------------------------------------------------------------------
    def set_network(self, hidden: tuple[int, ...], activations: tuple[str, ...], loss: str | None = None) -> None:
        """A new shape: validated first, then the weights are re-initialised."""
        config = replace(self.config, hidden=tuple(hidden), activations=tuple(activations),
                         loss=loss or self.config.loss)
        d = self.dataset
        # The window may ask with the output layer of data it showed a moment ago.
        config, _ = config.fitted_to(d)
        config.spec(d.n_features, d.n_outputs)  # raises SpecError before anything changes
        self.config = config
        self._rebuild()
        self._message = "Network shape changed: weights re-initialised."

    def set_data(self, data: DataSpec) -> None:
        """Generated or shipped data: the network's input and output layers follow it."""
        self._use_data(data.load(), replace(data, custom=False))

    def set_dataset(self, dataset: Dataset, test_fraction: float | None = None) -> None:
        """Drawn, imported or edited data, held as given."""
        data = replace(self.config.data, name=dataset.name, custom=True, features=(),
                       test_fraction=self.config.data.test_fraction if test_fraction is None else test_fraction)
        self._use_data(dataset, data)

    def set_hyper(self, hyper: Hyperparameters) -> None:
        """New learning rate, momentum, noise…: training goes on from where it is.

        A cycle being stepped by phases goes on too: its update will use the new settings.
        """
        self.continue_from_here()
        self.config = replace(self.config, hyper=hyper)
        self.trainer.set_hyperparameters(hyper)
        self.timeline.record(self.trainer, event=True)

    def set_batch_size(self, batch_size: int | None) -> None:
        """Rows per cycle from the next cycle on; a cycle being stepped by phases is dropped."""
        if batch_size is not None and int(batch_size) < 1:  # refused before anything changes
            raise ValueError(f"batch size must be at least 1, got {batch_size}")
        self.continue_from_here()
        self.config = replace(self.config, batch_size=batch_size)
        self._abort_cycle()
        self.trainer.set_batch_size(batch_size)
        self.timeline.record(self.trainer, event=True)

    def set_delta_rule(self, rule: str) -> None:
        """Backprop's rule for hidden deltas from the next cycle on (``Trainer.set_delta_rule``).

        A fresh run (reset, new shape or data) starts with the standard "set" rule again.
        """
        self.continue_from_here()
        self._abort_cycle()  # a cycle half-stepped by phases must not mix the two rules
        self.trainer.set_delta_rule(rule)
        self.timeline.record(self.trainer, event=True)

    def set_pinned_runs(self, runs: tuple[dict, ...]) -> None:
        self.pinned_runs = tuple(runs)

    def reset(self, seed: int | None = None) -> None:
        """Start over; the same seed gives the same initial weights, so a run replays."""
        if seed is not None:
            self.config = replace(self.config, seed=int(seed))
        self._rebuild()
        self._message = f"Reset with seed {self.config.seed}."

    def set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        W = self.network.layers[layer].W
        if not (0 <= i < W.shape[0] and 0 <= j < W.shape[1]):
            raise IndexError(f"no weight [{i}, {j}] in layer {layer}")
        if not np.isfinite(value):
            raise ValueError("a weight must be a finite number")
        self.continue_from_here()
        self._abort_cycle()
        W[i, j] = value
        self.trainer.last_evaluation = None  # of other weights
        self.timeline.record(self.trainer, event=True)
        self.checkpoint()

    def _abort_cycle(self) -> None:
        """Drop a cycle begun by phases; its half-written workspace is no cycle to show."""
        trainer = self.trainer
        ws = trainer.workspace_in_progress
        if ws is not None and trainer.last_workspace is ws:
            trainer.last_workspace = None
        trainer.abort_cycle()

    def checkpoint(self) -> None:
        """Remember the state now as one to return to if training diverges (``Trainer.checkpoint``)."""
        self.trainer.checkpoint()

    def _cut_timeline_at(self, cycle: int) -> None:
        """Forget the timeline's cycles after ``cycle`` (the trainer still holds the diverged state)."""
        timeline = self.timeline
        if timeline.earliest <= cycle:
            timeline.rewind(self.trainer, cycle)
            timeline.continue_from_here()
        else:
            timeline.clear()

    def _recover_if_diverged(self) -> bool:
        """After a NaN, infinite or runaway loss: pause, go back to the last sane checkpoint, say so."""
        trainer = self.trainer
        if trainer.check_divergence() is None:
            return False
        rollback = trainer.roll_back(before=self._cut_timeline_at)
        self.timeline.record(trainer, event=True)  # the settings now, not those the cycle had
        self.gradient_norms.truncate(rollback.cycle - 1)
        self._norms_cycle = rollback.cycle
        self.running = False
        self._message = self._divergence_message(rollback)
        return True

    def _divergence_message(self, rollback: Rollback) -> str:
        where = (f"Paused at cycle {rollback.cycle}, the last checkpoint with a sane loss: its weights are back"
                 if rollback.proven else
                 f"No cycle since cycle {rollback.cycle} had a sane loss: paused there, with its weights back")
        lr = self.trainer.hyper.learning_rate
        units = "" if self.experiment.target_scaling.is_identity or not math.isfinite(rollback.loss) \
            else " (on standardised targets)"
        return (f"Training diverged at cycle {rollback.diverged_at}: {rollback.cause()}{units}. "
                f"{where} and the loss curves cut after it. Try a smaller learning rate (now {lr:g}).")

    def step(self, kind: str = "cycle", n: int = 1, interrupted: Callable[[], bool] | None = None) -> None:
        """Step by ``kind`` ("cycle" or "epoch"), ``n`` times.

        A long step records about ``STEP_EVALUATIONS`` evaluations on its way, so the loss
        curves show how it got there rather than a straight line to the end. It runs in
        chunks of ``CHECKPOINT_CYCLES``; between them ``interrupted()`` may end it early (a
        command is waiting: Pause, or the window closing).
        """
        if kind not in ("cycle", "epoch"):
            raise ValueError(f"unknown step kind {kind!r}")
        self.continue_from_here()
        trainer = self.trainer
        timeline = self.timeline
        cycles = n if kind == "cycle" else n * trainer.cycles_per_epoch
        trainer.eval_every = max(1, cycles // STEP_EVALUATIONS)
        target_epoch = trainer.epoch + n
        try:
            while trainer.diverged_at is None:
                left = cycles if kind == "cycle" else (trainer.cycles_left_in_epoch if trainer.epoch < target_epoch else 0)
                if left <= 0:
                    break
                self.checkpoint()
                chunk = min(CHECKPOINT_CYCLES, left, timeline.cycles_until_keyframe(trainer.cycle))
                trainer.step_cycle(chunk)
                if trainer.check_divergence() is None:
                    timeline.record(trainer)
                    self._record_gradient_norms()  # a point per chunk: a long step draws a curve
                cycles -= chunk
                if interrupted is not None and interrupted():
                    break
        finally:
            trainer.eval_every = 0
            self._recover_if_diverged()

    def run_for(self, seconds: float, max_cycles: int | None = None) -> int:
        """Train flat out for about ``seconds`` (checked every few cycles); returns cycles done."""
        self.continue_from_here()
        trainer, timeline = self.trainer, self.timeline
        deadline = time.perf_counter() + seconds
        start = trainer.cycle
        chunk = 1
        while time.perf_counter() < deadline:
            self.checkpoint()
            if max_cycles is not None:
                chunk = min(chunk, max_cycles - (trainer.cycle - start))
                if chunk <= 0:
                    break
            n = min(chunk, timeline.cycles_until_keyframe(trainer.cycle))
            trainer.step_cycle(n)
            if self._recover_if_diverged():
                break
            timeline.record(trainer)
            chunk = min(chunk * 2, 64)
        return trainer.cycle - start

    # -- inside a cycle, and back in time ----------------------------------------------------
    def step_phase(self) -> PhaseRecord:
        """One phase of the current cycle (``Trainer.step_phase``); returns its ``PhaseRecord``.

        The phases of a cycle: forward through each weight layer, the loss, backward
        through each layer from the output down, the update. Stepping all of them gives
        exactly the weights one Step gives.
        """
        self.continue_from_here()
        trainer = self.trainer
        if not trainer.phase_in_progress:
            self.checkpoint()
        record = trainer.step_phase()
        if record.kind == "update":
            if not self._recover_if_diverged():
                self.timeline.record(trainer)
            self._record_gradient_norms()
        return record

    def rewind(self, cycle: int) -> None:
        """Show cycle ``cycle`` exactly as it was; the later cycles are kept (scrub forward).

        Pauses training. ValueError when the cycle is out of the timeline's reach. A cycle
        being stepped by phases is dropped.
        """
        self.running = False
        self._enter_stage_of(cycle)
        trainer = self.trainer
        if not self.timeline.rewound and cycle == trainer.cycle and not trainer.phase_in_progress:
            return  # already there
        if not self.timeline.rewound:
            self._abort_cycle()
        self.timeline.rewind(trainer, cycle)
        self.checkpoint()

    def undo(self) -> None:
        """Step one cycle back (a cycle half stepped by phases: back to its start)."""
        self.running = False
        trainer, timeline = self.trainer, self.timeline
        if trainer.phase_in_progress:
            self._abort_cycle()
            return
        cycle = timeline.viewing if timeline.rewound else trainer.cycle
        if cycle - 1 < self._span()[0]:
            self._message = f"Nothing to undo: cycle {cycle} is the earliest kept."
            return
        self.rewind(cycle - 1)

    def continue_from_here(self) -> None:
        """Go on training from the cycle shown: forget the later cycles and cut the curves there.

        Every training command (and any change of the weights or settings) while rewound
        does this first; without a rewind it does nothing. Shown before an import of
        weights, the network then is trained on and the imported ones are dropped.
        """
        if self._active < len(self._stages) - 1:
            del self._stages[self._active + 1:]
            if len(self._stages) == 1:
                self._stages.clear()
        cycle = self.timeline.continue_from_here()
        if cycle is None:
            return
        trainer = self.trainer
        history = trainer.history
        history.batch_loss.truncate(cycle - 1)
        history.evaluations.truncate(cycle - 1)  # the snapshot evaluates cycle `cycle` afresh
        trainer.last_evaluation = None
        self.gradient_norms.truncate(cycle - 1)
        self._norms_cycle = cycle

    def check_gradients(self) -> list[tuple[int, float, int, int]]:
        """Backprop against finite differences on the current (or last) batch, per weight layer.

        With no batch yet, the first ``GRADIENT_CHECK_ROWS`` training rows. Returns
        ``[(layer, relative_error, checked, total), ...]`` (``gradcheck.check_gradients``).
        """
        trainer = self.trainer
        ws = trainer.workspace_in_progress or trainer.last_workspace
        if ws is not None:
            X, Y = ws.acts[0], ws.targets
        else:
            X, Y = trainer.X_train[:GRADIENT_CHECK_ROWS], trainer.Y_train[:GRADIENT_CHECK_ROWS]
        return [(c.layer, c.relative_error, c.checked, c.total) for c in check_gradients(self.network, X, Y)]

    def start_landscape(self, request: int, directions: str = "pca", resolution: int = 41,
                        seed: int = 0) -> LandscapeJob:
        """A map of the loss around the weights shown, computed in chunks (``landscape_session``)."""
        return start_landscape(self, request, directions, resolution, seed)

    def landscape_cut(self, request: int) -> LandscapeCut:
        """The loss along the last update: t = 0 before it, t = 1 at the weights shown."""
        return landscape_cut(self, request)

    def set_layer_view(self, layer: int | None, i: int | None = None, j: int | None = None) -> None:
        """Show the plane through neurons (i, j) of ``layer`` (1..L) in snapshots; None turns it off."""
        if layer is None:
            self._layer_view = None
            return
        self._layer_view = check_choice(self.network, layer, i, j)

    def _record_gradient_norms(self) -> None:
        """‖∂L/∂W_l‖ of the last cycle, if it is new (cheap: L norms of the workspace's gradients)."""
        trainer = self.trainer
        ws = trainer.last_workspace
        if ws is None or trainer.cycle <= self._norms_cycle or self.timeline.rewound:
            return
        self._norms_cycle = trainer.cycle
        self.gradient_norms.append(trainer.cycle - 1, *(np.sqrt(np.vdot(g, g)) for g in ws.grad_W))

    def export(self, path: str, onnx_input: str | None = None) -> None:
        """Write the model in the format the file name asks for (weights, ONNX, a script)."""
        export_model(path, self.experiment.model_file(), onnx_input)

    def pop_message(self) -> str:
        message, self._message = self._message, ""
        return message

    def resend_data(self) -> None:
        """Include the data in the next snapshot (a new window, say)."""
        self._data_sent = -1

    # -- imported weights ------------------------------------------------------------------
    def import_weights(self, path: str) -> None:
        """Go on with the model of a weights file (.npz, .json): its architecture, weights and input normalisation.

        Its inputs take the data's columns by feature name, as ``nnstudio train --init``
        does (``model_fit.fit_to_model``), and a regression output in the data's units is
        unfolded onto the standardised targets the network learns. Everything is checked
        before anything changes: a file that does not fit the data raises ValueError naming
        the problem. The run goes on from the cycle shown, with its loss curves, learning
        settings and batch order, and fresh momentum. The network it replaces stays in
        reach: a rewind (or Undo) to an earlier cycle shows it, and training on from there
        drops the import.
        """
        label = file_label(Path(path))
        model = load_weights(path)
        dataset = fit_to_model(model, self.dataset, path)
        if model.task != dataset.task:
            raise ValueError(f"{label} is a {model.task} model; the data {dataset.name!r} are for {dataset.task}")
        spec = model.network.spec
        problem = output_problem(dataset.task, dataset.n_outputs, spec.activations[-1], spec.loss)
        if problem:
            raise ValueError(f"{label} does not fit the data: its output layer is {spec.activations[-1]} with the "
                             f"{spec.loss} loss. {problem}.")
        config = replace(self.config, hidden=tuple(spec.sizes[1:-1]), activations=tuple(spec.activations),
                         loss=spec.loss)
        reordered = dataset.feature_names != self.dataset.feature_names
        if reordered:  # no longer the columns the generator or file gives: the session holds them
            config = replace(config, data=replace(config.data, name=dataset.name, custom=True, features=()))
        trainer = self.trainer
        experiment = Experiment(
            dataset, model.network, test_fraction=config.data.test_fraction, split_seed=config.data.seed,
            normalizer=model.normalizer, output_in_data_units=True, hyper=trainer.hyper,
            batch_size=trainer.batch_size, seed=config.seed, eval_every=0,
        )
        # Checked: now change.
        self.running = False
        self.continue_from_here()
        self._abort_cycle()
        cycle = trainer.cycle
        self.timeline.record(trainer, force=True)  # the replaced network's last cycle stays in reach
        earlier = self._stages[:-1]
        replaced = self._stage_now(self._stages[-1].start if self._stages else self.timeline.earliest)
        if replaced.timeline.earliest < cycle:
            earlier.append(replaced)
        state, carried = experiment.trainer.state(), trainer.state()
        state.update({key: carried[key] for key in ("cycle", "epoch", "hyper", "batch_size", "shuffle_rng", "order",
                                                    "position")})
        experiment.trainer.load_state(state)
        experiment.trainer.history = trainer.history  # one history for the run: the curves go on
        self.config, self.dataset, self.experiment = config, dataset, experiment
        self._data_version += 1
        self._grid_cache = None
        self._start_run()
        # The import is an event no replay crosses: the new network's timeline starts with it.
        self.timeline.clear()
        self.timeline.record(self.trainer, event=True)
        if earlier:
            self._stages = earlier[-MAX_EARLIER_NETWORKS:] + [self._stage_now(cycle)]
            self._active = len(self._stages) - 1
        sizes = "-".join(map(str, spec.sizes))
        parts = [f"Imported {label} at cycle {cycle}: network {sizes} with its weights and normalisation"
                 + (" (Undo or rewind for the one before)." if self._stages else ".")]
        if reordered:
            parts.append(f"The data's columns are taken in the file's order: {', '.join(dataset.feature_names)}.")
        targets = self.experiment.describe_targets()
        if targets:
            parts.append(targets[:1].upper() + targets[1:] + ".")
        self._message = " ".join(parts)

    def _stage_now(self, start: int) -> _Stage:
        return _Stage(start, self.config, self.dataset, self.experiment, self.timeline, self.gradient_norms,
                      self._norms_cycle, self._data_version)

    def _span(self) -> tuple[int, int]:
        """(earliest reachable cycle, latest recorded cycle) over every network of the run."""
        if not self._stages:
            return self.timeline.span(self.trainer.cycle)
        first, last = self._stages[0], self._stages[-1]
        return (first.timeline.span(first.experiment.trainer.cycle)[0],
                last.timeline.span(last.experiment.trainer.cycle)[1])

    def _enter_stage_of(self, cycle: int) -> None:
        """Make the network that trained ``cycle`` the session's, if weights were imported since."""
        if not self._stages or isinstance(cycle, bool) or not isinstance(cycle, (int, np.integer)):
            return  # one network: the timeline checks the cycle
        first, latest = self._span()
        if not first <= cycle <= latest:
            raise ValueError(f"cycle {cycle} is out of reach: the timeline holds cycles {first} to {latest}")
        target = max([0] + [i for i, stage in enumerate(self._stages) if stage.start <= cycle])
        if target == self._active:
            return
        if not self.timeline.rewound:
            self._abort_cycle()
        self._stages[self._active] = self._stage_now(self._stages[self._active].start)
        stage = self._stages[target]
        self._active = target
        self.config, self.dataset, self.experiment = stage.config, stage.dataset, stage.experiment
        self.timeline, self.gradient_norms, self._norms_cycle = stage.timeline, stage.gradient_norms, stage.norms_cycle
        self._data_version = stage.data_version
        self._grid_cache = None
        self._layer_view_inputs = None
        if self._layer_view is not None:
            try:
                check_choice(self.network, *self._layer_view)
            except ValueError:
                self._layer_view = None

    # -- saving and reopening ------------------------------------------------------------
    def state(self) -> dict:
        """What reopens this session exactly (``from_state``); ``sessionfile`` writes it.

        ``config`` is ``SessionConfig.to_dict()``. ``dataset`` names the data and holds its
        SHA-256 (``data_digest``); for drawn or imported data (``config.data.custom``) it
        also holds ``X`` and ``y``, while generated and shipped data are made again from the
        config. ``train_idx``/``test_idx`` are the split, ``normalizer`` its ``mean`` and
        ``std``, ``trainer`` is ``Trainer.state()``. Not kept: whether it was running, the
        divergence checkpoint (the current weights become it) and the generation counter.
        """
        d, exp = self.dataset, self.experiment
        dataset = {
            "name": d.name, "task": d.task, "feature_names": list(d.feature_names),
            "target_name": d.target_name, "class_names": list(d.class_names),
            "n_samples": d.n_samples, "n_features": d.n_features, "sha256": data_digest(d),
        }
        if self.config.data.custom:
            dataset["X"], dataset["y"] = d.X.copy(), d.y.copy()
        trainer = self.trainer.state()
        if self.timeline.rewound:  # the cycle shown is saved, with the curves up to it
            history = History(self.trainer.history.batch_loss.capacity)
            history.load_state(trainer["history"])
            history.batch_loss.truncate(self.trainer.cycle - 1)
            history.evaluations.truncate(self.trainer.cycle)
            trainer["history"] = history.state()
        return {
            "config": self.config.to_dict(),
            "dataset": dataset,
            "train_idx": exp.train_idx.copy(),
            "test_idx": exp.test_idx.copy(),
            "normalizer": {"mean": exp.normalizer.mean.copy(), "std": exp.normalizer.std.copy()},
            "trainer": trainer,
            "pinned_runs": list(self.pinned_runs),
        }

    @classmethod
    def from_state(cls, state: dict) -> "TrainingSession":
        """A new session continuing from ``state()``, paused; ValueError names what is wrong.

        Generated and shipped data are made again and must hash to the saved SHA-256, and
        the split must come out as saved: otherwise training could not continue as it would
        have. Nothing outside the new session is touched, so a refusal changes nothing.
        """
        if not isinstance(state, dict):
            raise ValueError("session state must be a dict")
        missing = sorted({"config", "dataset", "train_idx", "test_idx", "normalizer", "trainer"} - state.keys())
        if missing:
            raise ValueError(f"session state lacks {', '.join(missing)}")
        config = SessionConfig.from_dict(state["config"])
        info = state["dataset"]
        if not isinstance(info, dict) or not isinstance(info.get("sha256"), str):
            raise ValueError("session dataset must be a dict with its sha256")
        if config.data.custom:
            try:
                dataset = Dataset(info["name"], info["X"], info["y"], info["task"], tuple(info["feature_names"]),
                                  info["target_name"], tuple(info["class_names"]))
            except (KeyError, TypeError) as exc:
                raise ValueError(f"the saved data are incomplete ({exc})") from None
            if data_digest(dataset) != info["sha256"]:
                raise ValueError(f"the saved data {dataset.name!r} are damaged: their SHA-256 does not match")
        else:
            dataset = config.data.load()
            if data_digest(dataset) != info["sha256"]:
                made = "read again from its file" if config.data.name in REAL_DATASETS else "regenerated from its settings"
                raise ValueError(
                    f"the {config.data.name!r} data {made} differ from the data this session was trained on "
                    "(SHA-256 mismatch): the generator or data file has changed since the session was saved")
        fitted, _ = config.fitted_to(dataset)
        if fitted != config:
            raise ValueError("the saved output layer or loss does not suit the data")
        norm = state["normalizer"]
        if not isinstance(norm, dict) or not {"mean", "std"} <= norm.keys():
            raise ValueError("session normalizer needs mean and std")
        normalizer = Normalizer(norm["mean"], norm["std"])
        if normalizer.mean.shape != (dataset.n_features,):
            raise ValueError(f"the normalizer has {normalizer.mean.size} features, the data {dataset.n_features}")
        session = cls(config, dataset)
        exp, trainer = session.experiment, session.trainer
        for name, ours in (("train_idx", exp.train_idx), ("test_idx", exp.test_idx)):
            saved = np.asarray(state[name])
            if saved.shape != ours.shape or not np.array_equal(saved, ours):
                raise ValueError("the train/test split made from the saved settings differs from the saved one")
        # The saved normalizer, not a refit: its last bits could differ on another machine.
        session.experiment = Experiment(
            dataset, exp.network, test_fraction=config.data.test_fraction, split_seed=config.data.seed,
            normalizer=normalizer, hyper=trainer.hyper, batch_size=trainer.batch_size, seed=trainer.seed,
            eval_every=trainer.eval_every,
        )
        trainer = session.trainer
        batch_size = trainer.batch_size
        trainer.load_state(state["trainer"])
        if trainer.hyper != config.hyper or trainer.batch_size != batch_size:
            raise ValueError("the trainer's learning settings or batch size differ from the saved config")
        session._grid_cache = None
        session._start_run()  # the timeline starts at the reopened cycle
        session.pinned_runs = tuple(state.get("pinned_runs", ()))
        session._message = f"Session reopened at cycle {trainer.cycle} (epoch {trainer.epoch})."
        return session

    # -- snapshots ---------------------------------------------------------------------
    def _data_view(self) -> DataView:
        d, exp = self.dataset, self.experiment
        X2 = d.X[:, :2] if d.n_features >= 2 else np.column_stack([d.X[:, 0], np.zeros(d.n_samples)])
        classification = d.task == "classification"
        labels = d.y if classification else np.zeros(d.n_samples, dtype=np.int64)
        values = None if classification else d.y
        tr, te = exp.train_idx, exp.test_idx
        two_d = d.n_features == 2 or (self.config.data.features and not self.config.data.custom)
        return DataView(
            self._data_version, d, frozen(tr), frozen(te),
            frozen(X2[tr]), frozen(labels[tr]), frozen(X2[te]), frozen(labels[te]),
            None if values is None else frozen(values[tr]), None if values is None else frozen(values[te]),
            plane_bounds(d) if two_d else None,
            frozen(exp.normalizer.mean), frozen(exp.normalizer.std), self.config.data.custom,
        )

    def _plane_inputs(self, points: Array) -> Array:
        """Raw 2-D points with the session's extra input features, normalised."""
        from nnstudio.engine.data.datasets import add_features

        features = () if self.config.data.custom else self.config.data.features
        if features:
            plane = Dataset("plane", points, np.zeros(len(points)), "regression", ("x1", "x2"), "y")
            points = add_features(plane, features).X
        return self.experiment.normalizer.apply(points)

    def _plane_outputs(self) -> tuple[Array | None, tuple[Array, ...] | None]:
        d = self.dataset
        if d.n_features != 2 and not (self.config.data.features and not self.config.data.custom):
            return None, None
        if self._grid_cache is None:
            bounds = plane_bounds(d)
            self._grid_cache = (self._plane_inputs(_grid(bounds, BOUNDARY_RESOLUTION)),
                                self._plane_inputs(_grid(bounds, NEURON_MAP_RESOLUTION)))
        fine, coarse = self._grid_cache
        net = self.network
        # In the data's units, like the points drawn over it.
        boundary = self.experiment.network_in_data_units().predict(fine)[:, 0]
        boundary = boundary.reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
        trace = net.forward(coarse)
        r = NEURON_MAP_RESOLUTION
        maps = tuple(frozen(a.T.reshape(a.shape[1], r, r)) for a in trace.activations[1:])
        return frozen(boundary), maps

    def _split_report(self) -> dict:
        """Confusion counts (classification) or targets and predictions in the data's units (regression)."""
        trainer, exp = self.trainer, self.experiment
        X, Y = (trainer.X_test, trainer.Y_test) if len(trainer.X_test) else (trainer.X_train, trainer.Y_train)
        if self.dataset.task == "classification":
            outputs = self.network.predict(X)
            k = self.dataset.n_classes
            return {"confusion": frozen(_confusion(labels_from_outputs(Y), labels_from_outputs(outputs), k))}
        rows = exp.test_idx if len(trainer.X_test) else exp.train_idx
        outputs = exp.network_in_data_units().predict(X)
        return {"predictions": (frozen(self.dataset.targets(rows)[:, 0]), frozen(outputs[:, 0]))}

    def _layer_view_data(self):
        """The layer view for the snapshot: only while on, and only for data with a 2-D plane."""
        plane = self.dataset.n_features == 2 or (self.config.data.features and not self.config.data.custom)
        if self._layer_view is None or not plane:
            return None
        if self._layer_view_inputs is None:
            d = self.dataset
            labels = d.y if d.task == "classification" else None
            self._layer_view_inputs = LayerViewInputs(self._plane_inputs, plane_bounds(d), d.X[:, :2], labels)
        return self._layer_view_inputs.view(self.network, *self._layer_view)

    def snapshot(self, since: tuple[SeriesMark | None, ...] | None = None) -> Snapshot:
        """The session now, as an immutable ``Snapshot``.

        With ``since`` (the ``history_marks`` of the snapshot sent before, or Nones for
        the first), each history series holds only the points recorded after that mark
        when only appends happened since, else the whole series (``history_appended``
        says which); without it, the whole histories.
        """
        trainer, net, timeline = self.trainer, self.network, self.timeline
        self.checkpoint()
        last = trainer.last_evaluation
        if last is None or last.cycle != trainer.cycle:
            trainer.evaluate(record=not timeline.rewound)  # the past's curves are drawn already
        if not trainer.phase_in_progress:
            self._record_gradient_norms()
        view = cycle_view(trainer, MAX_HEATMAP_ROWS)
        inputs, targets = view.inputs, view.targets
        norm, scaling = self.experiment.normalizer, self.experiment.target_scaling
        sample_input = frozen(inputs[0] * norm.std + norm.mean)
        sample_label = int(labels_from_outputs(targets[:1])[0]) if self.dataset.task == "classification" else None
        updates_W, updates_b = net.views(trainer.optimizer.updates)
        series = (trainer.history.batch_loss, trainer.history.evaluations, self.gradient_norms)
        parts = [item.points_since(mark) for item, mark in zip(series, since or (None,) * len(series))]
        (bx, by, _), (ex, ev, _), (nx, nv, _) = parts
        boundary, maps = self._plane_outputs()
        data = None
        if self._data_sent != self._data_version:
            data = self._data_view()
            self._data_sent = self._data_version
        return Snapshot(
            generation=self.generation, cycle=trainer.cycle, epoch=trainer.epoch, running=self.running,
            config=self.config, spec=net.spec, hyper=trainer.hyper, batch_size=trainer.batch_size,
            weights=frozen_all(net.weights), biases=frozen_all(net.biases),
            weight_updates=frozen_all(updates_W), bias_updates=frozen_all(updates_b),
            batch_activations=view.batch_activations, sample_activations=view.sample_activations,
            batch_cycles=frozen(bx), batch_loss=frozen(by[:, 0]),
            eval_cycles=frozen(ex), evaluations=frozen(ev),
            evaluation=trainer.last_evaluation, boundary=boundary, neuron_maps=maps,
            sample_input=sample_input, sample_label=sample_label,
            data=data, message=self.pop_message(), **self._split_report(),
            phase=trainer.last_phase, batch_deltas=view.batch_deltas, trace=view.trace,
            gradient_norms=(frozen(nx), frozen(nv)), timeline=self._span(),
            rewound=timeline.rewound, layer_view=self._layer_view_data(),
            target_scaling=None if scaling.is_identity else (scaling.mean, scaling.std),
            history_appended=None if since is None else tuple(not whole for _, _, whole in parts),
            history_marks=tuple(item.mark() for item in series), delta_rule=trainer.delta_rule,
        )
