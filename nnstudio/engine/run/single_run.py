"""One headless run: its config, the experiment built from it, and the training loop that runs it.

A ``RunConfig`` is everything that defines a run but its data; ``make_experiment`` builds
it on a dataset exactly as ``nnstudio train`` does, so a run here and a ``train`` with the
same flags give the same numbers, bit for bit. ``train_run`` is the training loop of
``train``, ``compare`` and ``landscape``: cycles in chunks with a checkpoint before each, a
divergence rolled back to the last sane checkpoint, and, when asked, parameter snapshots
along the way (the trajectory a PCA loss landscape needs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.io.formats import ModelFile
from nnstudio.engine.nn.activations import HIDDEN_ACTIVATIONS
from nnstudio.engine.nn.divergence import CHECKPOINT_CYCLES, Rollback
from nnstudio.engine.nn.network import DELTA_RULES, Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer
from nnstudio.engine.run.experiment import Experiment, default_output_activation

__all__ = ["DEFAULT_EPOCHS", "RunConfig", "RunOutcome", "make_experiment", "train_run"]

Array = npt.NDArray[np.floating]

DEFAULT_EPOCHS = 100
#: Evaluations of the whole splits a run makes, about (each costs about a cycle).
EVALUATIONS_PER_RUN = 200


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run except its data; the same config and data give the same run.

    ``output_activation`` None takes the data's default (sigmoid for classes, linear for
    regression). ``steps`` is an exact number of cycles; otherwise ``epochs`` passes over
    the training rows (``DEFAULT_EPOCHS`` when both are None). ``split_seed`` None splits
    with ``seed``, as ``nnstudio train`` does. ``init`` starts from a weights file's
    network and normalisation (the data must already be fitted to its columns).
    """

    hidden: tuple[int, ...] = (4,)
    activation: str = "sigmoid"
    output_activation: str | None = None
    loss: str = "mse"
    hyper: Hyperparameters = field(default_factory=Hyperparameters)
    batch_size: int | None = 10
    epochs: int | None = None
    steps: int | None = None
    seed: int = 0
    split_seed: int | None = None
    test_fraction: float = 0.2
    normalize: bool = True
    dtype: str = "float64"
    delta_rule: str = "set"
    init: ModelFile | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.test_fraction < 1:
            raise ValueError(f"the test fraction must be in [0, 1), got {self.test_fraction}")
        if self.delta_rule not in DELTA_RULES:
            raise ValueError(f"delta rule {self.delta_rule!r} is not one of {', '.join(DELTA_RULES)}")
        if self.activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"hidden activation {self.activation!r} is not one of {', '.join(HIDDEN_ACTIVATIONS)}")
        for name in ("epochs", "steps"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}")
        if self.steps is not None and self.epochs is not None:
            raise ValueError("give either steps or epochs, not both")
        if self.batch_size is not None and (isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int)
                                            or self.batch_size < 1):
            raise ValueError(f"batch size must be a whole number ≥ 1 or None (the whole split), "
                             f"got {self.batch_size!r}")
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in self.hidden):
            raise ValueError(f"hidden layer sizes must be whole numbers ≥ 1, got {self.hidden!r}")

    def total_cycles(self, cycles_per_epoch: int) -> int:
        """The run's length in cycles, given the trainer's cycles per epoch."""
        return self.steps if self.steps is not None else (self.epochs or DEFAULT_EPOCHS) * cycles_per_epoch


def make_experiment(config: RunConfig, dataset: Dataset) -> Experiment:
    """The ``Experiment`` of ``config`` on ``dataset``: what ``nnstudio train`` builds from its flags."""
    normalizer, output_in_data_units = None, False
    if config.init is not None:
        model = config.init.network
        network = Network(model.spec, model.weights, model.biases, config.dtype)
        normalizer = config.init.normalizer  # the weights were learned against it
        output_in_data_units = True  # a weights file's outputs are in the data's units
    else:
        output = config.output_activation or default_output_activation(dataset)
        spec = NetworkSpec.build(dataset.n_features, config.hidden, dataset.n_outputs, config.activation, output,
                                 config.loss)
        network = Network.from_spec(spec, seed=config.seed, dtype=config.dtype)
    experiment = Experiment(
        dataset, network, test_fraction=config.test_fraction,
        split_seed=config.seed if config.split_seed is None else config.split_seed,
        normalize=config.normalize, normalizer=normalizer, output_in_data_units=output_in_data_units,
        hyper=config.hyper, batch_size=config.batch_size, seed=config.seed,
    )
    experiment.trainer.set_delta_rule(config.delta_rule)
    return experiment


@dataclass(frozen=True)
class RunOutcome:
    """How ``train_run`` ended: ``rollback`` after a divergence (else None) and the snapshots.

    ``trajectory`` (k, P) float64 holds the parameters at ``trajectory_cycles`` (k,), from
    cycle 0 to the last cycle trained (before any rollback), laid out like
    ``Network.flat``; both are empty unless snapshots were asked for.
    """

    rollback: Rollback | None
    trajectory: Array
    trajectory_cycles: np.ndarray


def train_run(trainer: Trainer, total_cycles: int, *, snapshots: int = 0,
              progress: Callable[[int], None] | None = None, eval_every: int | None = None) -> RunOutcome:
    """Run ``total_cycles`` more cycles in chunks, as ``nnstudio train`` does.

    Evaluations of the whole splits: every ``eval_every`` cycles (default: once an epoch
    or ``EVALUATIONS_PER_RUN`` times in all, whichever is rarer). A checkpoint is kept
    before each chunk of ``min(CHECKPOINT_CYCLES, total/50)`` cycles; on a divergence the
    trainer goes back to the last one whose loss was sane (``Trainer.roll_back``) and the
    outcome says where. ``snapshots`` > 0 keeps about that many parameter vectors evenly
    spread over the run (and the first and the last). ``progress(n)`` is told of every n
    cycles done; an exception it raises stops the run there.
    """
    if isinstance(total_cycles, bool) or not isinstance(total_cycles, int) or total_cycles < 1:
        raise ValueError(f"a run needs at least 1 cycle, got {total_cycles!r}")
    trainer.eval_every = (max(trainer.cycles_per_epoch, -(-total_cycles // EVALUATIONS_PER_RUN))
                          if eval_every is None else eval_every)
    chunk = max(1, min(CHECKPOINT_CYCLES, total_cycles // 50 or 1))
    start = trainer.cycle
    stops = set(range(chunk, total_cycles, chunk)) | {total_cycles}
    marks: list[int] = []
    if snapshots > 0:
        marks = sorted({int(round(c)) for c in np.linspace(0, total_cycles, min(snapshots, total_cycles) + 1)})
        stops |= set(marks)
    params = trainer.network.flat
    trajectory = np.empty((len(marks), params.size))
    kept = 0

    def snapshot(done: int) -> None:
        nonlocal kept
        if kept < len(marks) and marks[kept] == done:
            trajectory[kept] = params
            kept += 1

    snapshot(0)
    done, rollback = 0, None
    for stop in sorted(stops):
        if done % chunk == 0:
            trainer.checkpoint()
        trainer.step_cycle(stop - done)
        if trainer.check_divergence() is not None:
            rollback = trainer.roll_back()
            break
        if progress is not None:
            progress(stop - done)
        done = stop
        snapshot(done)
    cycles = np.array(marks[:kept], dtype=np.int64) + start
    return RunOutcome(rollback, trajectory[:kept], cycles)
