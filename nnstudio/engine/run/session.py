"""A training session: the state behind the window.

``TrainingSession`` answers the window's commands (build this network, use this data,
step, reset, edit a weight, export) and describes itself in immutable ``Snapshot``s
(``snapshot_builder.py``). It is pure numpy, so the window's worker can run it in a child
process (see ``service.py``) and tests can drive it directly.

Its stepping (by cycles, epochs, time or phases, with divergence recovery) is
``session_stepping.py``; going back in time (``rewind``, ``undo``, ``continue_from_here``
and the networks imported weights replaced) is ``session_rewinding.py``; saving and
reopening is ``session_state.py``. It also checks backprop against finite differences
(``check_gradients``) and maps the input plane through a layer (``set_layer_view``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.explain.layer_view import check_choice
from nnstudio.engine.io.exports import export_model
from nnstudio.engine.nn.gradcheck import check_gradients
from nnstudio.engine.nn.network import Network
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.experiment import Experiment
from nnstudio.engine.run.history import SeriesMark, ThinnedSeries
from nnstudio.engine.run.landscape_session import LandscapeCut, LandscapeJob, landscape_cut, start_landscape
from nnstudio.engine.run.session_rewinding import SessionRewinding
from nnstudio.engine.run.session_state import saved_data, session_state
from nnstudio.engine.run.session_stepping import SessionStepping
from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.engine.run.snapshot_builder import SnapshotBuilder
from nnstudio.engine.run.timeline import Timeline

__all__ = ["TrainingSession", "GRADIENT_CHECK_ROWS"]

#: Rows of the training split a gradient check uses when no cycle has run yet.
GRADIENT_CHECK_ROWS = 32


class TrainingSession(SessionStepping, SessionRewinding):
    """Owns the dataset, the network and the trainer; answers the window's commands."""

    def __init__(self, config: SessionConfig | None = None, dataset: Dataset | None = None) -> None:
        config = config or SessionConfig()
        self.generation = 0
        self.running = False
        #: Bumps with every change of the data (a snapshot carries the data once per version).
        self.data_version = 1
        self._message = ""
        #: (layer, i, j) of the layer view while it is on (``set_layer_view``), else None.
        self.layer_view_choice: tuple[int, int, int] | None = None
        self._snapshots = SnapshotBuilder()
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
        self.generation += 1
        self.running = False
        self._start_run()

    def _start_run(self) -> None:
        """What a new trainer needs around it: rewind, gradient norms, the divergence checkpoint."""
        trainer = self.trainer
        trainer.keep_previous_weights = True  # the inspector shows the weights a cycle used
        self._stages = []  # with imported weights: every network of the run, in order (session_rewinding)
        self._active = 0  # the index in _stages of the one shown
        self.timeline = Timeline.for_trainer(trainer)
        self.timeline.record(trainer)
        self.gradient_norms = ThinnedSeries(self.network.spec.n_layers, 1 << 12)
        self._norms_cycle = trainer.cycle  # gradient norms are recorded for cycles after this
        self._experiment_changed()
        self.checkpoint()

    def _experiment_changed(self) -> None:
        """Another experiment (data, normalisation or network): the plane is drawn afresh, the layer view checked."""
        self._snapshots.forget_plane()
        if self.layer_view_choice is not None:
            try:
                check_choice(self.network, *self.layer_view_choice)
            except ValueError:
                self.layer_view_choice = None

    def _use_data(self, dataset: Dataset, data: DataSpec) -> None:
        """Switch to ``dataset``: validated first, so a refusal changes nothing."""
        config, note = replace(self.config, data=data).fitted_to(dataset)
        config.spec(dataset.n_features, dataset.n_outputs)  # raises SpecError before any change
        Experiment(dataset, Network.from_spec(config.spec(dataset.n_features, dataset.n_outputs)),
                   test_fraction=data.test_fraction, split_seed=data.seed)  # the split must work too
        self.config, self.dataset = config, dataset
        self.data_version += 1
        self._rebuild()
        rows = f"{dataset.n_samples} rows, {dataset.n_features} inputs"
        targets = self.experiment.describe_targets()
        targets = targets[:1].upper() + targets[1:] + "." if targets else ""
        parts = (f"Data: {dataset.name}, {rows}. Training starts over.", note, targets)
        self._message = " ".join(part for part in parts if part)

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
        self.layer_view_choice = None if layer is None else check_choice(self.network, layer, i, j)

    def export(self, path: str, onnx_input: str | None = None) -> None:
        """Write the model in the format the file name asks for (weights, ONNX, a script)."""
        export_model(path, self.experiment.model_file(), onnx_input)

    def pop_message(self) -> str:
        message, self._message = self._message, ""
        return message

    def resend_data(self) -> None:
        """Include the data in the next snapshot (a new window, say)."""
        self._snapshots.resend_data()

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
        return session_state(self)

    @classmethod
    def from_state(cls, state: dict) -> TrainingSession:
        """A new session continuing from ``state()``, paused; ValueError names what is wrong.

        Generated and shipped data are made again and must hash to the saved SHA-256, and
        the split must come out as saved: otherwise training could not continue as it would
        have. Nothing outside the new session is touched, so a refusal changes nothing.
        """
        config, dataset, normalizer = saved_data(state)
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
        session._start_run()  # the timeline starts at the reopened cycle
        session.pinned_runs = tuple(state.get("pinned_runs", ()))
        session._message = f"Session reopened at cycle {trainer.cycle} (epoch {trainer.epoch})."
        return session

    # -- snapshots ---------------------------------------------------------------------
    def snapshot(self, since: tuple[SeriesMark | None, ...] | None = None) -> Snapshot:
        """The session now, as an immutable ``Snapshot``.

        With ``since`` (the ``history_marks`` of the snapshot sent before, or Nones for
        the first), each history series holds only the points recorded after that mark
        when only appends happened since, else the whole series (``history_appended``
        says which); without it, the whole histories.
        """
        trainer = self.trainer
        self.checkpoint()
        last = trainer.last_evaluation
        if last is None or last.cycle != trainer.cycle:
            trainer.evaluate(record=not self.timeline.rewound)  # the past's curves are drawn already
        if not trainer.phase_in_progress:
            self._record_gradient_norms()
        return self._snapshots.build(self, since, self.pop_message())
