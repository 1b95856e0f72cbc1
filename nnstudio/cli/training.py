"""What train, compare and landscape share: the data and run the flags ask for, training, reporting."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from nnstudio.cli.errors import CliError
from nnstudio.engine.data.datasets import DATASET_NAMES, GENERATOR_NAMES, Dataset, load_csv, load_named
from nnstudio.engine.io.exports import export_format, export_model
from nnstudio.engine.io.formats import ModelFile, load_weights
from nnstudio.engine.io.model_fit import fit_to_model
from nnstudio.engine.nn.divergence import Rollback
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.experiment import Experiment
from nnstudio.engine.run.history import write_history_csv
from nnstudio.engine.run.single_run import DEFAULT_EPOCHS, RunConfig, RunOutcome, make_experiment, train_run


def load_dataset(args, notes: list[str]) -> Dataset:
    """The dataset ``args`` ask for; what the CSV reader tells along the way goes into ``notes``."""
    source = args.dataset
    drop = tuple(name for names in args.drop for name in names)
    if source in DATASET_NAMES:
        if drop:
            raise CliError(f"--drop applies only to CSV files, not to the dataset {source!r}")
        return load_named(source, n_samples=args.samples, noise=args.data_noise, seed=args.seed,
                          features=args.features)
    path = Path(source)
    if path.suffix.lower() != ".csv" and not path.exists():
        raise CliError(f"unknown dataset {source!r}: use one of {', '.join(DATASET_NAMES)} or a .csv file")
    if args.features:
        # As in load_named: the features are defined on the generated plane's x1, x2, and a
        # file's first two columns need not be coordinates at all.
        raise CliError(f"--features applies only to the generated datasets ({', '.join(GENERATOR_NAMES)})")
    return load_csv(path, target=args.target, task=args.task, drop=drop, notice=notes.append)


def run_config(args) -> tuple[RunConfig, ModelFile | None]:
    """The run the flags describe, and the --init weights file (not yet fitted to the data)."""
    if not 0 <= args.test_fraction < 1:
        raise CliError(f"--test-fraction must be in [0, 1), got {args.test_fraction}")
    model = load_weights(args.init) if args.init is not None else None
    hyper = Hyperparameters(args.lr, args.momentum, args.l1, args.l2, args.noise, args.noise_decay)
    config = RunConfig(hidden=args.hidden, activation=args.activation, output_activation=args.output_activation,
                       loss=args.loss, hyper=hyper, batch_size=args.batch_size, epochs=args.epochs, steps=args.steps,
                       seed=args.seed, test_fraction=args.test_fraction, normalize=args.normalize == "standard",
                       dtype=args.dtype, delta_rule=args.delta_rule)
    return config, model


def fit_data(args, model: ModelFile | None, dataset: Dataset) -> Dataset:
    """``dataset`` with its columns in the order the --init file's inputs take them (as it is without one)."""
    if model is None:
        return dataset
    # The file's weights belong to its input order; the data's columns may come in another.
    return fit_to_model(model, dataset, args.init, "" if args.dataset in DATASET_NAMES else " (--drop them)")


def _build_experiment(args, dataset: Dataset) -> Experiment:
    config, model = run_config(args)
    dataset = fit_data(args, model, dataset)
    return make_experiment(replace(config, init=model), dataset)


def progress_bar(total: int, description: str | None = None):
    """A tqdm bar on stderr when it is a terminal, redrawn a few times a second; a no-op otherwise."""
    from tqdm import tqdm

    return tqdm(total=total, unit="cycle", disable=not sys.stderr.isatty(), mininterval=0.25, file=sys.stderr,
                leave=False, desc=description)


def train_cycles(experiment: Experiment, total_cycles: int, snapshots: int = 0) -> tuple[RunOutcome, float]:
    """Train ``total_cycles`` as ``engine.run.single_run.train_run`` does, with a progress bar; (outcome, seconds)."""
    start = time.perf_counter()
    with progress_bar(total_cycles) as bar, np.errstate(all="ignore"):
        # Overflow on the way to divergence is reported once, by the caller, not as numpy warnings.
        outcome = train_run(experiment.trainer, total_cycles, snapshots=snapshots, progress=bar.update)
    return outcome, time.perf_counter() - start


def report_divergence(args, experiment: Experiment, rollback: Rollback) -> None:
    """Write what was asked for from the restored weights and say in one stderr line what happened."""
    trainer = experiment.trainer
    restored = trainer.evaluate()  # recorded at the restored cycle: the history ends there
    if not rollback.proven:
        where = f"no checkpoint had a sane loss, so training went back to where it started (cycle {rollback.cycle})"
    elif rollback.cycle == 0:
        where = "no checkpoint after cycle 0 had a sane loss, so training went back to the initial weights of cycle 0"
    else:
        where = f"training went back to cycle {rollback.cycle}, the last checkpoint with a sane loss"
    where += f" (train loss {restored.train_loss:.3g})"
    saved = ""
    if args.export is not None:
        export_model(args.export, experiment.model_file(), args.onnx_input)
        saved = f"; its weights were written to {args.export}"
    if args.history is not None:
        _write_history(args, trainer)
        saved += f"; the loss history up to it to {args.history}"
    print(f"nnstudio {args.command}: training diverged at cycle {rollback.diverged_at} ({rollback.cause()}); "
          f"{where}{saved}; try a smaller learning rate than --lr {args.lr:g}", file=sys.stderr)


def percent(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.2f}%"


def check_folder(flag: str, path: Path | None) -> None:
    if path is not None and not path.parent.is_dir():
        raise CliError(f"{flag} {path.name}: the folder {path.parent} does not exist")


def _check_outputs(args) -> None:
    """Refuse an unknown export format or a missing folder before any training is spent."""
    if args.export is not None:
        kind = export_format(args.export)
        if kind is None:
            raise CliError(f"--export {args.export.name}: unknown export format; use .npz, .json, .onnx, "
                           f".py (a numpy script) or _torch.py (a PyTorch script)")
        if kind == ".onnx":
            from nnstudio.engine.io.export_onnx import require_onnx

            require_onnx()  # FormatError with the pip hint
    if args.onnx_input is not None and (args.export is None or export_format(args.export) != ".onnx"):
        raise CliError("--onnx-input applies only to an ONNX export: --export NAME.onnx")
    for flag, path in (("--export", args.export), ("--history", args.history)):
        check_folder(flag, path)


def _write_history(args, trainer) -> None:
    try:
        write_history_csv(trainer.history, args.history)
    except OSError as exc:
        raise CliError(f"--history {args.history.name}: cannot write the file ({exc.strerror or exc})") from None


def prepare(args) -> tuple[Experiment, int]:
    """Check the outputs, load the data, build the run and print what it is; (experiment, cycles to train)."""
    _check_outputs(args)
    notes: list[str] = []
    dataset = load_dataset(args, notes)
    experiment = _build_experiment(args, dataset)
    dataset = experiment.dataset
    for note in notes:  # only once nothing can fail on bad input: an error stays the one stderr line
        print(f"nnstudio {args.command}: note: {note}", file=sys.stderr)
    trainer = experiment.trainer
    total = args.steps if args.steps is not None else (args.epochs or DEFAULT_EPOCHS) * trainer.cycles_per_epoch
    spec = experiment.network.spec
    print(f"dataset {dataset.name}: {len(experiment.train_idx)} train / {len(experiment.test_idx)} test rows, "
          f"{dataset.n_features} features, {dataset.task}"
          + (f" ({dataset.n_classes} classes)" if dataset.task == "classification" else ""))
    print(f"network {'-'.join(map(str, spec.sizes))} ({', '.join(spec.activations)}), loss {spec.loss}, "
          f"{experiment.network.n_parameters()} parameters"
          + ("" if args.delta_rule == "set" else f", delta rule {args.delta_rule}"))
    targets = experiment.describe_targets()
    if targets:
        print(f"targets: {targets}")
    return experiment, total


def finish_training(args, experiment: Experiment, seconds: float) -> dict:
    """Evaluate the final weights, print the results, write --export and --history; the JSON numbers."""
    trainer = experiment.trainer
    loss_scale = "" if experiment.target_scaling.is_identity else " (standardised)"
    last = trainer.history.evaluations.last()
    # The final evaluation joins the history unless that cycle was just evaluated.
    result = trainer.evaluate(record=last is None or last[0] != trainer.cycle)
    print(f"trained {trainer.cycle} cycles ({trainer.epoch} epochs) in {seconds:.2f} s")
    print(f"train loss {result.train_loss:.6g}{loss_scale}  accuracy {percent(result.train_accuracy)}")
    if len(experiment.test_idx):
        print(f"test  loss {result.test_loss:.6g}{loss_scale}  accuracy {percent(result.test_accuracy)}")
    if args.export is not None:
        export_model(args.export, experiment.model_file(), args.onnx_input)
        print(f"weights written to {args.export}")
    if args.history is not None:
        _write_history(args, trainer)
        print(f"loss history written to {args.history}")
    return {
        "train_loss": json_number(result.train_loss), "test_loss": json_number(result.test_loss),
        "train_accuracy": json_number(result.train_accuracy), "test_accuracy": json_number(result.test_accuracy),
        "cycles": trainer.cycle, "epochs": trainer.epoch, "seconds": round(seconds, 6),
    }


def json_number(x):
    """JSON has no NaN: null instead."""
    return None if x is None or x != x else x


def write_figure(option: str, path: Path, write) -> None:
    try:
        write()
    except OSError as exc:
        raise CliError(f"{option} {path.name}: cannot write the file ({exc.strerror or exc})") from None
