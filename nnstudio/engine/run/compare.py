"""Runs side by side: train the same set-up with one setting changed, and compare what came out.

A ``RunConfig`` is everything that defines a run but its data; ``make_experiment`` builds
it on a dataset exactly as ``nnstudio train`` does, so a run here and a ``train`` with the
same flags give the same numbers, bit for bit. ``train_run`` is the training loop both
use: cycles in chunks with a checkpoint before each, a divergence rolled back to the last
sane checkpoint, and, when asked, parameter snapshots along the way (the trajectory a PCA
loss landscape needs).

``compare_runs(base, flag, values, data)`` trains one run per value of one flag
(``VARY_FLAGS``: the CLI's names), everything else as in ``base``: the same data, split,
initial weights, batch order and noise, unless the flag is the seed, which seeds all of
them. Each run gives a ``RunSummary``: final losses and accuracies, the train−test gap,
whether it diverged, and its loss curves. This is how the seed's claim that noise helps
a network generalise can be put to the test (``--vary noise=0,0.1``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.io.formats import ModelFile
from nnstudio.engine.io.png_encoding import write_png
from nnstudio.engine.io.raster_charts import SERIES_COLORS, Series, line_chart
from nnstudio.engine.nn.activations import HIDDEN_ACTIVATIONS
from nnstudio.engine.nn.network import DELTA_RULES, Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import CHECKPOINT_CYCLES, Rollback, Trainer
from nnstudio.engine.run.experiment import Experiment, default_output_activation

__all__ = ["RunConfig", "RunOutcome", "RunSummary", "PlannedRun", "VARY_FLAGS", "MAX_RUNS", "MAX_PLOTTED_RUNS",
           "DEFAULT_EPOCHS", "make_experiment", "train_run", "finish_run", "plan_runs", "run_planned", "compare_runs",
           "iter_compare", "format_value", "describe_base", "curves_table", "write_curves_csv", "curves_png"]

Array = npt.NDArray[np.floating]

DEFAULT_EPOCHS = 100
#: Values one comparison may hold.
MAX_RUNS = 8
#: Runs drawn in one figure: more curves than this (each with its test curve) cannot be told apart.
MAX_PLOTTED_RUNS = 4
#: Evaluations of the whole splits a run makes, about (each costs about a cycle).
EVALUATIONS_PER_RUN = 200

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

    def varied(self, flag: str, value: Any) -> "RunConfig":
        """This config with ``flag`` (one of ``VARY_FLAGS``) set to ``value``; ValueError names a bad one."""
        if flag in _HYPER_FIELDS:
            return replace(self, hyper=self.hyper.replace(**{_HYPER_FIELDS[flag]: value}))
        if flag == "seed":
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"a seed is a whole number, got {value!r}")
            return replace(self, seed=int(value))
        if flag == "activation":
            return replace(self, activation=value)
        if flag == "hidden":
            return replace(self, hidden=tuple(value))
        if flag == "batch-size":
            return replace(self, batch_size=value)
        if flag == "delta-rule":
            return replace(self, delta_rule=value)
        raise ValueError(f"cannot vary {flag!r}: choose one of {', '.join(VARY_FLAGS)}")

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


def format_value(flag: str, value: Any) -> str:
    """``value`` as the comparison names it: 0.5, tanh, 8-8 (hidden sizes), full (batch size)."""
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
    label = f"{flag}={format_value(flag, value)}" if flag else ""
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
        name = format_value(flag, value)
        if name in seen:
            raise ValueError(f"{flag}={name} is given twice")
        seen[name] = value
        try:
            configs.append(base.varied(flag, value))
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
        name = format_value(flag, value)
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


# -- curves out ----------------------------------------------------------------------------
def curves_table(summaries: Sequence[RunSummary]) -> tuple[list[str], list[list[float | None]]]:
    """(header, rows): cycle, then each run's train loss, then (if any run has a test split) each run's test loss.

    One row per cycle at which any run was evaluated; None where a run has no value there.
    """
    has_test = any(np.isfinite(s.curve[:, 2]).any() for s in summaries)
    quantities = [("train_loss", 1)] + ([("test_loss", 2)] if has_test else [])
    header = ["cycle"] + [f"{name} {s.label}" for name, _ in quantities for s in summaries]
    cycles = sorted({int(c) for s in summaries for c in s.curve[:, 0]})
    lookup = [{int(row[0]): row for row in s.curve} for s in summaries]
    rows = []
    for cycle in cycles:
        row: list[float | None] = [cycle]
        for _, column in quantities:
            for table in lookup:
                point = table.get(cycle)
                row.append(None if point is None else float(point[column]))
        rows.append(row)
    return header, rows


def write_curves_csv(path, summaries: Sequence[RunSummary]) -> None:
    """``curves_table`` as CSV, atomically: empty cells where a run has no value, ``nan`` where it is undefined."""
    import csv
    import io

    from nnstudio.engine.io.fileio import atomic_write_text

    header, rows = curves_table(summaries)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (str(v) if isinstance(v, int) else repr(v)) for v in row])
    atomic_write_text(path, buffer.getvalue())


def curves_png(path, summaries: Sequence[RunSummary], title: str = "") -> None:
    """The runs' loss curves overlaid (log scale): train solid, test dashed, one colour a run; atomically.

    At most ``MAX_PLOTTED_RUNS`` runs.
    """
    if len(summaries) > MAX_PLOTTED_RUNS:
        raise ValueError(f"a figure shows at most {MAX_PLOTTED_RUNS} runs, got {len(summaries)}")
    series = []
    has_test = False
    for s, color in zip(summaries, SERIES_COLORS):
        series.append(Series(s.curve[:, 0], s.curve[:, 1], color, s.label))
        if np.isfinite(s.curve[:, 2]).any():
            has_test = True
            series.append(Series(s.curve[:, 0], s.curve[:, 2], color, None, dashed=True))
    note = "solid: train, dashed: test" if has_test else "train loss"
    pixels = line_chart(series, title=title, x_label="cycle", y_label="loss (log scale)", log_y=True, note=note)
    write_png(path, pixels)


def describe_base(config: RunConfig, flag: str) -> str:
    """The settings the runs share, as CLI flags (the varied one left out)."""
    h = config.hyper
    parts = {
        "hidden": f"--hidden {','.join(map(str, config.hidden)) or repr('')}",
        "activation": f"--activation {config.activation}",
        "lr": f"--lr {h.learning_rate:g}", "momentum": f"--momentum {h.momentum:g}",
        "l1": f"--l1 {h.l1:g}", "l2": f"--l2 {h.l2:g}", "noise": f"--noise {h.noise:g}",
        "noise-decay": f"--noise-decay {h.noise_decay:g}",
        "batch-size": f"--batch-size {format_value('batch-size', config.batch_size)}",
        "seed": f"--seed {config.seed}", "delta-rule": f"--delta-rule {config.delta_rule}",
    }
    if config.init is not None:  # the weights file's architecture
        parts.pop("hidden")
        parts.pop("activation")
    parts.pop(flag, None)
    if flag != "noise" and not h.noise:
        parts.pop("noise-decay")
    return " ".join(parts.values())


