"""A training session: the state behind the window, and the snapshots it hands out.

``TrainingSession`` answers the window's commands (build this network, use this data,
step, reset, edit a weight, export) and describes itself in immutable ``Snapshot``s. It is
pure numpy, so the window's worker can run it in a child process (see ``service.py``) and
tests can drive it directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from .datasets import Dataset, generate, plane_bounds
from .experiment import Experiment
from .formats import save_weights
from .network import Network, NetworkSpec
from .optim import Hyperparameters
from .trainer import Evaluation

__all__ = ["DataSpec", "SessionConfig", "DataView", "Snapshot", "TrainingSession", "newest_of", "BOUNDARY_RESOLUTION", "NEURON_MAP_RESOLUTION"]

Array = npt.NDArray[np.floating]

BOUNDARY_RESOLUTION = 64
NEURON_MAP_RESOLUTION = 24
#: Rows of the current batch shown in the activation heatmaps; a bigger batch is cut.
MAX_HEATMAP_ROWS = 64


@dataclass(frozen=True)
class DataSpec:
    """Which data to generate and how to split it."""

    name: str = "xor"
    n_samples: int = 200
    noise: float = 0.1
    seed: int = 0
    test_fraction: float = 0.2


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


def _frozen(array) -> np.ndarray:
    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy


def _frozen_all(arrays) -> tuple[np.ndarray, ...]:
    return tuple(_frozen(a) for a in arrays)


@dataclass(frozen=True, eq=False)
class DataView:
    """The data as the window draws it: raw inputs (first two features) and class labels."""

    version: int
    name: str
    task: str
    n_features: int
    n_outputs: int
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    X_train: Array
    labels_train: np.ndarray
    X_test: Array
    labels_test: np.ndarray
    bounds: tuple[float, float, float, float] | None


@dataclass(frozen=True, eq=False)
class Snapshot:
    """An immutable picture of the session (every array is a read-only copy).

    Attributes
    ----------
    generation
        Bumps whenever the run starts over (reset, new shape, new data): drop older ones.
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
    data
        Set when the data changed since the previous snapshot, None otherwise.
    """

    generation: int
    cycle: int
    epoch: int
    running: bool
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
    data: DataView | None = None
    message: str = ""


def newest_of(older: Snapshot | None, newer: Snapshot) -> Snapshot:
    """``newer``, keeping ``older``'s data view if ``newer`` has none.

    Whoever drops snapshots to keep up (the relay, the window) must not drop the data
    they carry: only the snapshot after a data change has it.
    """
    if older is not None and older.data is not None and newer.data is None:
        return replace(newer, data=older.data)
    return newer


def _grid(bounds, resolution: int) -> Array:
    xmin, xmax, ymin, ymax = bounds
    xs = np.linspace(xmin, xmax, resolution)
    ys = np.linspace(ymin, ymax, resolution)
    gx, gy = np.meshgrid(xs, ys)  # row i is y = ys[i]
    return np.column_stack([gx.ravel(), gy.ravel()])


class TrainingSession:
    """Owns the dataset, the network and the trainer; answers the window's commands."""

    def __init__(self, config: SessionConfig | None = None) -> None:
        self.config = config or SessionConfig()
        self.generation = 0
        self.running = False
        self._data_version = 0
        self._data_sent = -1
        self.dataset: Dataset | None = None
        self.experiment: Experiment | None = None
        self._message = ""
        self._load_data(self.config.data)
        self._rebuild()

    # -- building ----------------------------------------------------------------------
    def _load_data(self, data: DataSpec) -> None:
        self.dataset = generate(data.name, n_samples=data.n_samples, noise=data.noise, seed=data.seed)
        self._data_version += 1

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
        self.experiment.trainer.evaluate()

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
        config.spec(d.n_features, d.n_outputs)  # raises SpecError before anything changes
        self.config = config
        self._rebuild()
        self._message = "Network shape changed: weights re-initialised."

    def set_data(self, data: DataSpec) -> None:
        """New data: the network's input and output layers follow it; training starts over."""
        old = self.config
        dataset = generate(data.name, n_samples=data.n_samples, noise=data.noise, seed=data.seed)
        if not 0 <= data.test_fraction < 1:
            raise ValueError(f"test fraction must be in [0, 1), got {data.test_fraction}")
        self.config = replace(old, data=data)
        self.dataset = dataset
        self._data_version += 1
        self._rebuild()
        self._message = f"Data: {data.name}, {dataset.n_samples} samples. Training starts over."

    def set_hyper(self, hyper: Hyperparameters) -> None:
        """New learning rate, momentum, noise…: training goes on from where it is."""
        self.config = replace(self.config, hyper=hyper)
        self.trainer.set_hyperparameters(hyper)

    def set_batch_size(self, batch_size: int | None) -> None:
        self.config = replace(self.config, batch_size=batch_size)
        self.trainer.set_batch_size(batch_size)

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
        self.trainer.abort_cycle()
        W[i, j] = value
        self._grid_cache = None

    def step(self, kind: str = "cycle", n: int = 1) -> None:
        """Step by ``kind`` ("cycle" or "epoch"), ``n`` times."""
        if kind == "cycle":
            self.trainer.step_cycle(n)
        elif kind == "epoch":
            self.trainer.step_epoch(n)
        else:
            raise ValueError(f"unknown step kind {kind!r}")

    def run_for(self, seconds: float, max_cycles: int | None = None) -> int:
        """Train flat out for about ``seconds`` (checked every few cycles); returns cycles done."""
        trainer = self.trainer
        deadline = time.perf_counter() + seconds
        start = trainer.cycle
        chunk = 1
        while time.perf_counter() < deadline:
            if max_cycles is not None:
                chunk = min(chunk, max_cycles - (trainer.cycle - start))
                if chunk <= 0:
                    break
            trainer.step_cycle(chunk)
            chunk = min(chunk * 2, 64)
        return trainer.cycle - start

    def export(self, path: str) -> None:
        save_weights(path, self.experiment.model_file())

    def pop_message(self) -> str:
        message, self._message = self._message, ""
        return message

    # -- snapshots ---------------------------------------------------------------------
    def _data_view(self) -> DataView:
        d, exp = self.dataset, self.experiment
        two_d = d.n_features >= 2
        X2 = d.X[:, :2] if two_d else np.column_stack([d.X[:, 0], np.zeros(d.n_samples)])
        labels = d.y if d.task == "classification" else np.zeros(d.n_samples, dtype=np.int64)
        return DataView(
            self._data_version, d.name, d.task, d.n_features, d.n_outputs, d.feature_names, d.class_names,
            _frozen(X2[exp.train_idx]), _frozen(labels[exp.train_idx]),
            _frozen(X2[exp.test_idx]), _frozen(labels[exp.test_idx]),
            plane_bounds(d) if d.n_features == 2 else None,
        )

    def _plane_outputs(self) -> tuple[Array | None, tuple[Array, ...] | None]:
        d = self.dataset
        if d.n_features != 2:
            return None, None
        if self._grid_cache is None:
            bounds = plane_bounds(d)
            norm = self.experiment.normalizer
            self._grid_cache = (norm.apply(_grid(bounds, BOUNDARY_RESOLUTION)), norm.apply(_grid(bounds, NEURON_MAP_RESOLUTION)))
        fine, coarse = self._grid_cache
        net = self.network
        boundary = net.predict(fine)[:, 0].reshape(BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION)
        trace = net.forward(coarse)
        r = NEURON_MAP_RESOLUTION
        maps = tuple(_frozen(a.T.reshape(a.shape[1], r, r)) for a in trace.activations[1:])
        return _frozen(boundary), maps

    def snapshot(self) -> Snapshot:
        trainer, net = self.trainer, self.network
        last = trainer.last_evaluation
        if last is None or last.cycle != trainer.cycle:
            trainer.evaluate()
        ws = trainer.last_workspace
        if ws is not None:
            batch_acts = _frozen_all(a[:MAX_HEATMAP_ROWS] for a in ws.acts[1:])
            sample = _frozen_all(a[0] for a in ws.acts)
        else:
            first = trainer.X_train[:MAX_HEATMAP_ROWS]
            trace = net.forward(first)
            batch_acts = _frozen_all(trace.activations[1:])
            sample = _frozen_all(a[0] for a in trace.activations)
        updates_W, updates_b = net.views(trainer.optimizer.updates)
        bx, by = trainer.history.batch_loss.arrays()
        ex, ev = trainer.history.evaluations.arrays()
        boundary, maps = self._plane_outputs()
        data = None
        if self._data_sent != self._data_version:
            data = self._data_view()
            self._data_sent = self._data_version
        return Snapshot(
            generation=self.generation, cycle=trainer.cycle, epoch=trainer.epoch, running=self.running,
            spec=net.spec, hyper=trainer.hyper, batch_size=trainer.batch_size,
            weights=_frozen_all(net.weights), biases=_frozen_all(net.biases),
            weight_updates=_frozen_all(updates_W), bias_updates=_frozen_all(updates_b),
            batch_activations=batch_acts, sample_activations=sample,
            batch_cycles=_frozen(bx), batch_loss=_frozen(by[:, 0]),
            eval_cycles=_frozen(ex), evaluations=_frozen(ev),
            evaluation=trainer.last_evaluation, boundary=boundary, neuron_maps=maps,
            data=data, message=self.pop_message(),
        )

    def resend_data(self) -> None:
        """Include the data in the next snapshot (a new window, say)."""
        self._data_sent = -1

