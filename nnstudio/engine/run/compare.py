"""Runs side by side: train the same set-up with one setting changed, and compare what came out.

``compare_runs(base, flag, values, data)`` trains one run per value of one flag
(``VARY_FLAGS``: the CLI's names), everything else as in ``base`` (a ``single_run.RunConfig``):
the same data, split, initial weights, batch order and noise, unless the flag is the seed,
which seeds all of them. Each run gives a ``RunSummary``: final losses and accuracies, the
train−test gap, whether it diverged, and its loss curves (written out by ``compare_curves``).
This is how the seed's claim that noise helps a network generalise can be put to the test
(``--vary noise=0,0.1``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.run.experiment import Experiment
from nnstudio.engine.run.seeds import check_seed
from nnstudio.engine.run.single_run import Array, RunConfig, RunOutcome, make_experiment, train_run

__all__ = ["RunSummary", "PlannedRun", "VARY_FLAGS", "MAX_RUNS", "finish_run", "plan_runs", "run_planned",
           "compare_runs", "iter_compare", "format_setting", "describe_base"]

#: Values one comparison may hold.
MAX_RUNS = 8

#: The settings a comparison can vary, by their CLI names, with what each one is.
VARY_FLAGS: dict[str, str] = {
    "lr": "learning rate",
    "momentum": "momentum",
    "l1": "L1 regularisation",
    "l2": "L2 regularisation",
    "noise": "update noise",
    "noise-decay": "noise decay",
    "seed": "seed (data, split, weights, batch order, noise)",
    "activation": "hidden activation",
    "hidden": "hidden layer sizes",
    "batch-size": "batch size",
    "delta-rule": "backprop's delta rule",
}
_HYPER_FIELDS = {"lr": "learning_rate", "momentum": "momentum", "l1": "l1", "l2": "l2", "noise": "noise",
                 "noise-decay": "noise_decay"}
#: Flags that change the architecture: a weights file to start from fixes it.
_ARCHITECTURE_FLAGS = ("hidden", "activation")


def _varied(config: RunConfig, flag: str, value: Any) -> RunConfig:
    """``config`` with ``flag`` (one of ``VARY_FLAGS``) set to ``value``; ValueError names a bad one."""
    if flag in _HYPER_FIELDS:
        return replace(config, hyper=config.hyper.replace(**{_HYPER_FIELDS[flag]: value}))
    if flag == "seed":
        return replace(config, seed=check_seed(value, "a varied seed"))
    if flag == "activation":
        return replace(config, activation=value)
    if flag == "hidden":
        return replace(config, hidden=tuple(value))
    if flag == "batch-size":
        return replace(config, batch_size=value)
    if flag == "delta-rule":
        return replace(config, delta_rule=value)
    raise ValueError(f"cannot vary {flag!r}: choose one of {', '.join(VARY_FLAGS)}")


@dataclass(frozen=True)
class RunSummary:
    """One run of a comparison: what it varied and how it ended.

    The losses and accuracies are those of the final weights on the whole splits
    (accuracy NaN for regression, test numbers NaN without a test split). A run that
    diverged (``diverged_at``: the cycle whose loss gave it away) reports the checkpoint
    it went back to, at ``cycles``. ``curve`` (k, 3) is (cycle, train loss, test loss) at
    each evaluation, read-only.
    """

    flag: str
    value: Any
    label: str
    cycles: int
    epochs: int
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    diverged_at: int | None
    seconds: float
    curve: Array

    @property
    def gap(self) -> float:
        """Test loss − train loss: how much worse the network does on rows it never trained on."""
        return self.test_loss - self.train_loss

    @property
    def accuracy_gap(self) -> float:
        """Train accuracy − test accuracy."""
        return self.train_accuracy - self.test_accuracy

    def to_dict(self) -> dict:
        """Plain JSON-able numbers (None for NaN)."""

        def number(x):
            return None if x is None or x != x else x

        return {
            "flag": self.flag, "value": _json_value(self.value), "label": self.label, "cycles": self.cycles,
            "epochs": self.epochs, "train_loss": number(self.train_loss), "test_loss": number(self.test_loss),
            "gap": number(self.gap), "train_accuracy": number(self.train_accuracy),
            "test_accuracy": number(self.test_accuracy), "accuracy_gap": number(self.accuracy_gap),
            "diverged": self.diverged_at is not None, "diverged_at": self.diverged_at,
            "seconds": round(self.seconds, 6),
        }


def _json_value(value):
    if isinstance(value, tuple):
        return list(value)
    return value


def format_setting(flag: str, value: Any) -> str:
    """A setting's ``value`` as the comparison names it: 0.5, tanh, 8-8 (hidden sizes), full (batch size)."""
    if flag == "hidden":
        return "-".join(map(str, value)) if value else "none"
    if flag == "batch-size" and value is None:
        return "full"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def finish_run(experiment: Experiment, outcome: RunOutcome, flag: str = "", value: Any = None,
               seconds: float = 0.0):
    """The final evaluation of a trained run (recorded unless that cycle was just evaluated), as a ``RunSummary``."""
    trainer = experiment.trainer
    last = trainer.history.evaluations.last()
    result = trainer.evaluate(record=last is None or last[0] != trainer.cycle)
    cycles, values = trainer.history.evaluations.arrays()
    curve = np.column_stack([cycles, values[:, 0], values[:, 1]]) if len(cycles) else np.zeros((0, 3))
    curve.setflags(write=False)
    label = f"{flag}={format_setting(flag, value)}" if flag else ""
    return RunSummary(flag, value, label, trainer.cycle, trainer.epoch, result.train_loss, result.test_loss,
                      result.train_accuracy, result.test_accuracy,
                      None if outcome.rollback is None else outcome.rollback.diverged_at, seconds, curve)


def _check_values(base: RunConfig, flag: str, values: Sequence) -> list[RunConfig]:
    if flag not in VARY_FLAGS:
        raise ValueError(f"cannot vary {flag!r}: choose one of {', '.join(VARY_FLAGS)}")
    values = list(values)
    if not 1 <= len(values) <= MAX_RUNS:
        raise ValueError(f"a comparison takes 1 to {MAX_RUNS} values of {flag}, got {len(values)}")
    if base.init is not None and flag in _ARCHITECTURE_FLAGS:
        raise ValueError(f"cannot vary {flag} when starting from a weights file: the file fixes the architecture")
    seen: dict[str, Any] = {}
    configs = []
    for value in values:
        name = format_setting(flag, value)
        if name in seen:
            raise ValueError(f"{flag}={name} is given twice")
        seen[name] = value
        try:
            configs.append(_varied(base, flag, value))
        except ValueError as exc:
            raise ValueError(f"{flag}={name}: {exc}") from None
    return configs


@dataclass
class PlannedRun:
    """One run of a comparison, built and not yet trained: ``run_planned`` trains it."""

    flag: str
    value: Any
    label: str
    config: RunConfig
    experiment: Experiment
    total_cycles: int


def plan_runs(base: RunConfig, flag: str, values: Sequence,
              data: Dataset | Callable[[int], Dataset]) -> list[PlannedRun]:
    """Check every value and build every run of ``compare_runs`` (nothing trained yet).

    ValueError names the first bad value, so a bad value costs no training.
    """
    configs = _check_values(base, flag, values)
    datasets: dict[int, Dataset] = {}
    planned = []
    for config, value in zip(configs, values):
        if callable(data):
            if config.seed not in datasets:
                datasets[config.seed] = data(config.seed)
            dataset = datasets[config.seed]
        else:
            dataset = data
        name = format_setting(flag, value)
        try:
            experiment = make_experiment(config, dataset)
        except ValueError as exc:
            raise ValueError(f"{flag}={name}: {exc}") from None
        total = config.total_cycles(experiment.trainer.cycles_per_epoch)
        planned.append(PlannedRun(flag, value, f"{flag}={name}", config, experiment, total))
    return planned


def run_planned(run: PlannedRun, progress: Callable[[int], None] | None = None) -> RunSummary:
    """Train a planned run to its end (``train_run``) and summarise it; ``progress(n)`` as in ``train_run``."""
    start = time.perf_counter()
    with np.errstate(all="ignore"):  # a run on its way to divergence overflows; the summary says so
        outcome = train_run(run.experiment.trainer, run.total_cycles, progress=progress)
        return finish_run(run.experiment, outcome, run.flag, run.value, time.perf_counter() - start)


def iter_compare(base: RunConfig, flag: str, values: Sequence, data: Dataset | Callable[[int], Dataset], *,
                 progress: Callable[[int, int, int], None] | None = None) -> Iterator[RunSummary]:
    """``compare_runs`` one run at a time: each ``RunSummary`` as soon as its run is trained.

    Every run is built (and every value checked) before the first one trains.
    """
    planned = plan_runs(base, flag, values, data)
    for index, run in enumerate(planned):
        done = 0

        def tell(n: int, index=index, total=run.total_cycles) -> None:
            nonlocal done
            done += n
            progress(index, done, total)

        summary = run_planned(run, tell if progress is not None else None)
        planned[index] = None  # a finished run's arrays can go
        yield summary


def compare_runs(base: RunConfig, flag: str, values: Sequence, data: Dataset | Callable[[int], Dataset], *,
                 progress: Callable[[int, int, int], None] | None = None) -> list[RunSummary]:
    """Train one run per value of ``flag`` (``VARY_FLAGS``), everything else as ``base``.

    ``data`` is the dataset, or a function of the seed that makes it (generated data is
    drawn from the run's seed, as ``nnstudio train`` draws it); with ``flag`` "seed" each
    run gets its own. Values: numbers for the learning settings, a whole number for the
    seed, a name for the activation and the delta rule, a tuple of sizes for hidden
    layers, a whole number or None (the whole split) for the batch size; at most
    ``MAX_RUNS``, no value twice. ``progress(run, cycles_done, run_cycles)`` is told as runs
    train. ValueError names a bad value before anything trains.
    """
    return list(iter_compare(base, flag, values, data, progress=progress))


def describe_base(config: RunConfig, flag: str) -> str:
    """The settings the runs share, as CLI flags (the varied one left out)."""
    h = config.hyper
    parts = {
        "hidden": f"--hidden {','.join(map(str, config.hidden)) or repr('')}",
        "activation": f"--activation {config.activation}",
        "lr": f"--lr {h.learning_rate:g}", "momentum": f"--momentum {h.momentum:g}",
        "l1": f"--l1 {h.l1:g}", "l2": f"--l2 {h.l2:g}", "noise": f"--noise {h.noise:g}",
        "noise-decay": f"--noise-decay {h.noise_decay:g}",
        "batch-size": f"--batch-size {format_setting('batch-size', config.batch_size)}",
        "seed": f"--seed {config.seed}", "delta-rule": f"--delta-rule {config.delta_rule}",
    }
    if config.init is not None:  # the weights file's architecture
        parts.pop("hidden")
        parts.pop("activation")
    parts.pop(flag, None)
    if flag != "noise" and not h.noise:
        parts.pop("noise-decay")
    return " ".join(parts.values())
