"""Going back in a session: rewind, undo, continue from here, and the networks imported weights replaced."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nnstudio.engine.data.csv_text import file_label
from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.io.formats import load_weights
from nnstudio.engine.io.model_fit import fit_to_model, output_problem
from nnstudio.engine.nn.trainer import Trainer
from nnstudio.engine.nn.trainer_state import TrainerState
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.experiment import Experiment
from nnstudio.engine.run.history import ThinnedSeries
from nnstudio.engine.run.timeline import Timeline

__all__ = ["SessionRewinding", "MAX_EARLIER_NETWORKS"]

#: Networks replaced by imported weights that a rewind can still reach (each keeps its own timeline).
MAX_EARLIER_NETWORKS = 3


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


def carried_run(old: Trainer, new: Trainer) -> TrainerState:
    """``new``'s weights with fresh momentum and noise, at ``old``'s place in the run.

    Carried: the cycle and epoch counters, the learning settings and the batch order; for
    ``new.start_from``.
    """
    carried = old.capture()
    return replace(new.capture(), cycle=carried.cycle, epoch=carried.epoch, hyper=carried.hyper,
                   batch_size=carried.batch_size, shuffle_rng=carried.shuffle_rng, order=carried.order,
                   position=carried.position, origin=None)


class SessionRewinding:
    """``TrainingSession``'s commands that go back in time, and the import of weights that keeps the past."""

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
        if cycle - 1 < self.span()[0]:
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

    def span(self) -> tuple[int, int]:
        """(earliest reachable cycle, latest recorded cycle) over every network of the run."""
        if not self._stages:
            return self.timeline.span(self.trainer.cycle)
        first, last = self._stages[0], self._stages[-1]
        return (first.timeline.span(first.experiment.trainer.cycle)[0],
                last.timeline.span(last.experiment.trainer.cycle)[1])

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
        fresh = experiment.trainer
        fresh.start_from(carried_run(trainer, fresh))
        fresh.history = trainer.history  # one history for the run: the curves go on
        self.config, self.dataset, self.experiment = config, dataset, experiment
        self.data_version += 1
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
                      self._norms_cycle, self.data_version)

    def _enter_stage_of(self, cycle: int) -> None:
        """Make the network that trained ``cycle`` the session's, if weights were imported since."""
        if not self._stages or isinstance(cycle, bool) or not isinstance(cycle, (int, np.integer)):
            return  # one network: the timeline checks the cycle
        first, latest = self.span()
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
        self.data_version = stage.data_version
        self._experiment_changed()
