"""Headless NN Studio: ``nnstudio train`` and ``nnstudio predict``.

The flags are a stable contract: scripts and outside tests rely on them. Bad input exits
with code 2 and one line on stderr naming the problem; nothing half-written is left
behind. A run whose loss becomes NaN, infinite or runaway stops at that cycle, goes back to
the last checkpoint whose loss was sane, says so on stderr, exports those weights (and the
history up to them) if asked to, and exits with code 3. This module parses and reports; the
work is the engine's.

``--export`` picks the format from the file name (``EXPORT_FORMATS``): ``.npz`` and ``.json``
weights files, ``.onnx``, a ``NAME_torch.py`` PyTorch script, any other ``.py`` a standalone
numpy script. ``--history`` writes the loss history as CSV (``engine.history.write_history_csv``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from .engine import csv_io
from .engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from .engine.datasets import (
    DATASET_NAMES, FEATURES, GENERATOR_NAMES, REAL_DATASETS, TASKS, Dataset, DatasetError, load_csv, load_features,
    load_named,
)
from .engine.exports import EXPORT_FORMATS, export_format, export_model
from .engine.experiment import Experiment, default_output_activation
from .engine.formats import MAX_WEIGHTS_BYTES, FormatError, load_weights, save_weights
from .engine.history import HISTORY_CSV_COLUMNS, write_history_csv
from .engine.losses import LOSSES
from .engine.model_fit import fit_to_model
from .engine.network import MAX_NEURONS, Network, NetworkSpec, SpecError
from .engine.optim import Hyperparameters
from .engine.trainer import CHECKPOINT_CYCLES, Rollback

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_USAGE, EXIT_DIVERGED = 0, 2, 3

#: --export formats, by the end of the file name (checked in this order).
class CliError(Exception):
    """A problem with the user's input: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the usage block
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _hidden(text: str) -> tuple[int, ...]:
    text = text.strip()
    if not text:
        return ()
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of neuron counts, e.g. 4,4") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: every hidden layer needs at least 1 neuron")
    return sizes


def _batch_size(text: str) -> int | None:
    if text == "full":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither a number of rows nor 'full'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"batch size must be at least 1, got {value}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _features(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    for name in names:
        if name not in FEATURES:
            raise argparse.ArgumentTypeError(f"unknown feature {name!r}; choose from {', '.join(FEATURES)}")
    return names


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number ≥ 0, got {text}")
    return value


def _column_names(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    if not names:
        raise argparse.ArgumentTypeError(f"{text!r} names no column; give COL or COL1,COL2")
    return names


def _csv_rules() -> str:
    """What a CSV file may be, for --help; the limits are read when the parser is built."""
    return (f"CSV files are UTF-8 text (or UTF-16 with a byte-order mark, as Excel's Unicode text) of at most "
            f"{csv_io.MAX_CSV_BYTES / (1024 * 1024):g} MB, with a header row naming the columns, delimited "
            f"by comma, semicolon or tab, at most {csv.field_size_limit()} characters a cell; input cells must be "
            "finite decimal numbers.")


def _input_limits() -> str:
    return (f"Weights files (.npz, .json) are at most {MAX_WEIGHTS_BYTES / (1024 * 1024):g} MB; "
            f"a layer has 1 to {MAX_NEURONS} neurons.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nnstudio", description="Watch a neural network learn. With no command, opens the window.")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    train = commands.add_parser(
        "train", help="train a network headless and report its loss and accuracy",
        epilog=f"Input limits. {_csv_rules()} An unnamed first column (the row index pandas writes) and an empty "
               "last column (a delimiter ending every line) are ignored, with a note on stderr. A target of whole "
               "numbers with at most 20 distinct values is taken as classes unless --task says otherwise. "
               + _input_limits())
    data = train.add_argument_group("data")
    data.add_argument("--dataset", default="xor", metavar="NAME|PATH.csv",
                      help=f"generated 2-D data: {', '.join(GENERATOR_NAMES)}; real data shipped with NN Studio: "
                           f"{', '.join(REAL_DATASETS)}; or a CSV file (default xor)")
    data.add_argument("--features", type=_features, default=(), metavar="F1,F2",
                      help=f"generated data: extra inputs computed from x1, x2, any of {', '.join(FEATURES)}")
    data.add_argument("--samples", type=_positive_int, default=200, help="rows to generate (generated data; default 200)")
    data.add_argument("--data-noise", type=_non_negative_float, default=0.1, help="noise of generated data (default 0.1)")
    data.add_argument("--target", help="CSV: the target column (default: the last column)")
    data.add_argument("--drop", type=_column_names, action="append", default=[], metavar="COL[,COL]",
                      help="CSV: leave these columns out (IDs, names, notes); may be given again")
    data.add_argument("--task", choices=TASKS, help="CSV: classification or regression (default: detected)")
    data.add_argument("--test-fraction", type=float, default=0.2, help="share of rows held out for testing, in [0, 1) (default 0.2)")
    data.add_argument("--normalize", choices=["standard", "none"], default="standard",
                      help="standardise inputs with the training rows' mean and std (default standard)")
    net = train.add_argument_group("network")
    net.add_argument("--hidden", type=_hidden, default=(4,), help="hidden layer sizes, e.g. 4,4 (default 4; '' for none)")
    net.add_argument("--activation", choices=HIDDEN_ACTIVATIONS, default="sigmoid", help="hidden activation (default sigmoid)")
    net.add_argument("--output-activation", choices=tuple(ACTIVATIONS), help="default sigmoid (classification) or linear (regression)")
    net.add_argument("--loss", choices=tuple(LOSSES), default="mse", help="default mse, as in the seed")
    net.add_argument("--init", type=Path, metavar="WEIGHTS", help="start from a weights file (.npz/.json): its architecture, weights and normalisation")
    net.add_argument("--dtype", choices=["float64", "float32"], default="float64", help="float64 (default, exact numbers) or float32 (faster)")
    opt = train.add_argument_group("learning")
    opt.add_argument("--lr", type=_non_negative_float, default=0.5, help="learning rate (default 0.5)")
    opt.add_argument("--momentum", type=_non_negative_float, default=0.0, help="momentum, PyTorch's convention (default 0)")
    opt.add_argument("--l1", type=_non_negative_float, default=0.0, help="L1 regularisation (default 0)")
    opt.add_argument("--l2", type=_non_negative_float, default=0.0, help="L2 regularisation, like weight_decay (default 0)")
    opt.add_argument("--noise", type=_non_negative_float, default=0.0, help="std of the Gaussian noise added to each update (default 0: off)")
    opt.add_argument("--noise-decay", type=_non_negative_float, default=0.55, help="noise std decays as 1/(1+t)^decay (default 0.55)")
    opt.add_argument("--batch-size", type=_batch_size, default=10, metavar="N|full", help="rows per cycle (default 10)")
    length = opt.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=_positive_int, help="passes over the training rows (default 100)")
    length.add_argument("--steps", type=_positive_int, help="exactly this many cycles (mini-batches)")
    opt.add_argument("--seed", type=int, default=0, help="seeds the data, the split, the weights, the batch order and the noise")
    out = train.add_argument_group("output")
    out.add_argument("--export", type=Path, metavar="OUT",
                     help="write the trained model, in the format its file name ends with: .npz or .json (weights "
                          "files), .onnx (ONNX, opset 17, input 'input' and output 'output' of the type "
                          "--onnx-input names, normalisation included; needs pip install 'nnstudio[onnx]'), "
                          "NAME_torch.py (a PyTorch script: build_model, predict, train_more), any other .py (a "
                          "standalone numpy script: predict, predict_labels; run it as python OUT.py data.csv)")
    out.add_argument("--onnx-input", choices=["float32", "float64"], metavar="float32|float64",
                     help="input type of an .onnx export (default float32). float32 keeps 24 bits: a raw value "
                          "near 1.7e9, such as a unix time, is rounded to a multiple of 128, which can change the "
                          "class of rows near a boundary; float64 computes the whole graph as the engine does")
    out.add_argument("--history", type=Path, metavar="OUT.csv",
                     help=f"write the loss history as CSV with the columns {', '.join(HISTORY_CSV_COLUMNS)}: one row "
                          "per recorded cycle (cycle = updates made so far); batch_loss where the batch loss was "
                          "recorded, the four evaluation columns (whole splits) only at the cycles where they were "
                          "evaluated, empty elsewhere; nan where a value does not exist (no test split, regression "
                          "accuracy)")
    out.add_argument("--json", action="store_true", help="make the last line of stdout one JSON object of the results")

    predict = commands.add_parser(
        "predict", help="run a trained network on a CSV file; CSV to stdout",
        epilog=f"Input limits. {_csv_rules()} The columns are found by the model's feature names, in any order; "
               "other columns (an index, the target, IDs) are ignored. " + _input_limits())
    predict.add_argument("--weights", type=Path, required=True, help="a weights file (.npz or .json)")
    predict.add_argument("--input", type=Path, required=True, help="CSV with a header naming the training features")
    return parser


# -- train ------------------------------------------------------------------------------
def _load_dataset(args, notes: list[str]) -> Dataset:
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


def _build_experiment(args, dataset: Dataset) -> Experiment:
    if not 0 <= args.test_fraction < 1:
        raise CliError(f"--test-fraction must be in [0, 1), got {args.test_fraction}")
    normalizer, output_in_data_units = None, False
    if args.init is not None:
        model = load_weights(args.init)
        # The file's weights belong to its input order; the data's columns may come in another.
        dataset = fit_to_model(model, dataset, args.init, "" if args.dataset in DATASET_NAMES else " (--drop them)")
        network = Network(model.network.spec, model.network.weights, model.network.biases, args.dtype)
        normalizer = model.normalizer  # the weights were learned against it
        output_in_data_units = True  # a weights file's outputs are in the data's units
    else:
        output = args.output_activation or default_output_activation(dataset)
        spec = NetworkSpec.build(dataset.n_features, args.hidden, dataset.n_outputs, args.activation, output, args.loss)
        network = Network.from_spec(spec, seed=args.seed, dtype=args.dtype)
    hyper = Hyperparameters(args.lr, args.momentum, args.l1, args.l2, args.noise, args.noise_decay)
    return Experiment(
        dataset, network, test_fraction=args.test_fraction, split_seed=args.seed,
        normalize=args.normalize == "standard", normalizer=normalizer, output_in_data_units=output_in_data_units,
        hyper=hyper, batch_size=args.batch_size, seed=args.seed,
    )


class Diverged(Exception):
    """Training stopped at a NaN, infinite or runaway loss and went back to a sane checkpoint."""

    def __init__(self, rollback: Rollback) -> None:
        super().__init__(rollback)
        self.rollback = rollback


def _train_loop(experiment: Experiment, total_cycles: int) -> None:
    """Run ``total_cycles`` in chunks: the bar redraws a few times a second, never per cycle.

    A checkpoint is kept before each chunk. On a divergence the trainer goes back to the
    last one whose loss was sane (``Trainer.roll_back``: weights, cycle counter and history
    agree) and ``Diverged`` says where.
    """
    from tqdm import tqdm

    trainer = experiment.trainer
    # Evaluating the whole splits costs about a cycle; keep it to a few hundred per run.
    trainer.eval_every = max(trainer.cycles_per_epoch, -(-total_cycles // 200))
    chunk = max(1, min(CHECKPOINT_CYCLES, total_cycles // 50 or 1))
    with tqdm(total=total_cycles, unit="cycle", disable=not sys.stderr.isatty(), mininterval=0.25,
              file=sys.stderr, leave=False) as bar:
        done = 0
        while done < total_cycles:
            trainer.checkpoint()
            n = min(chunk, total_cycles - done)
            trainer.step_cycle(n)
            if trainer.check_divergence() is not None:
                raise Diverged(trainer.roll_back())
            done += n
            bar.update(n)


def _report_divergence(args, experiment: Experiment, rollback: Rollback) -> None:
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
    print(f"nnstudio train: training diverged at cycle {rollback.diverged_at} ({rollback.cause()}); {where}{saved}; "
          f"try a smaller learning rate than --lr {args.lr:g}", file=sys.stderr)


def _percent(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.2f}%"


def _check_outputs(args) -> None:
    """Refuse an unknown export format or a missing folder before any training is spent."""
    if args.export is not None:
        kind = export_format(args.export)
        if kind is None:
            raise CliError(f"--export {args.export.name}: unknown export format; use .npz, .json, .onnx, "
                           f".py (a numpy script) or _torch.py (a PyTorch script)")
        if kind == ".onnx":
            from .engine.export_onnx import require_onnx

            require_onnx()  # FormatError with the pip hint
    if args.onnx_input is not None and (args.export is None or export_format(args.export) != ".onnx"):
        raise CliError("--onnx-input applies only to an ONNX export: --export NAME.onnx")
    for flag, path in (("--export", args.export), ("--history", args.history)):
        if path is not None and not path.parent.is_dir():
            raise CliError(f"{flag} {path.name}: the folder {path.parent} does not exist")


def _write_history(args, trainer) -> None:
    try:
        write_history_csv(trainer.history, args.history)
    except OSError as exc:
        raise CliError(f"--history {args.history.name}: cannot write the file ({exc.strerror or exc})") from None


def run_train(args) -> int:
    _check_outputs(args)
    notes: list[str] = []
    dataset = _load_dataset(args, notes)
    experiment = _build_experiment(args, dataset)
    dataset = experiment.dataset
    for note in notes:  # only once nothing can fail on bad input: an error stays the one stderr line
        print(f"nnstudio train: note: {note}", file=sys.stderr)
    trainer = experiment.trainer
    total = args.steps if args.steps is not None else (args.epochs or 100) * trainer.cycles_per_epoch
    spec = experiment.network.spec
    print(f"dataset {dataset.name}: {len(experiment.train_idx)} train / {len(experiment.test_idx)} test rows, "
          f"{dataset.n_features} features, {dataset.task}"
          + (f" ({dataset.n_classes} classes)" if dataset.task == "classification" else ""))
    print(f"network {'-'.join(map(str, spec.sizes))} ({', '.join(spec.activations)}), loss {spec.loss}, "
          f"{experiment.network.n_parameters()} parameters")
    targets = experiment.describe_targets()
    if targets:
        print(f"targets: {targets}")
    loss_scale = "" if experiment.target_scaling.is_identity else " (standardised)"
    start = time.perf_counter()
    # Overflow on the way to divergence is reported once, below, not as numpy warnings.
    with np.errstate(all="ignore"):
        try:
            _train_loop(experiment, total)
        except Diverged as exc:
            _report_divergence(args, experiment, exc.rollback)
            return EXIT_DIVERGED
    seconds = time.perf_counter() - start
    last = trainer.history.evaluations.last()
    # The final evaluation joins the history unless that cycle was just evaluated.
    result = trainer.evaluate(record=last is None or last[0] != trainer.cycle)
    print(f"trained {trainer.cycle} cycles ({trainer.epoch} epochs) in {seconds:.2f} s")
    print(f"train loss {result.train_loss:.6g}{loss_scale}  accuracy {_percent(result.train_accuracy)}")
    if len(experiment.test_idx):
        print(f"test  loss {result.test_loss:.6g}{loss_scale}  accuracy {_percent(result.test_accuracy)}")
    if args.export is not None:
        export_model(args.export, experiment.model_file(), args.onnx_input)
        print(f"weights written to {args.export}")
    if args.history is not None:
        _write_history(args, trainer)
        print(f"loss history written to {args.history}")
    if args.json:
        def number(x):
            return None if x != x else x
        print(json.dumps({
            "train_loss": number(result.train_loss), "test_loss": number(result.test_loss),
            "train_accuracy": number(result.train_accuracy), "test_accuracy": number(result.test_accuracy),
            "cycles": trainer.cycle, "epochs": trainer.epoch, "seconds": round(seconds, 6),
        }))
    return EXIT_OK


# -- predict ----------------------------------------------------------------------------
def run_predict(args) -> int:
    model = load_weights(args.weights)
    n_in = model.network.spec.sizes[0]
    names = model.feature_names or tuple(f"x{i + 1}" for i in range(n_in))
    X = load_features(args.input, names)
    with np.errstate(all="ignore"):  # overflow shows in the outputs; it is reported once, below
        outputs = model.predict(X)
    finite = np.isfinite(outputs).all(axis=1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = [f"y{k}" for k in range(outputs.shape[1])]
    classification = model.task == "classification"
    if classification:
        header.append("label")
        from .engine.datasets import labels_from_outputs

        labels = labels_from_outputs(outputs)
    writer.writerow(header)
    for row, values in enumerate(outputs):
        cells = [repr(float(v)) for v in values]
        if classification:
            label = int(labels[row])
            if not finite[row]:
                cells.append("")  # NaN or infinite outputs name no class
            else:
                cells.append(model.class_names[label] if label < len(model.class_names) else str(label))
        writer.writerow(cells)
    sys.stdout.write(buffer.getvalue())
    if not finite.all():
        bad = np.flatnonzero(~finite)
        print(f"nnstudio predict: warning: {csv_io.file_label(args.input)}: {bad.size} of {len(finite)} data rows "
              f"(the first is row {bad[0] + 1}) gave NaN or infinite outputs: their inputs are too far out for the "
              "network's arithmetic", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run a CLI command; returns the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.error("choose a command: train or predict")
    except SystemExit as exc:  # argparse's usage errors and --help: return the code, as promised
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return run_train(args) if args.command == "train" else run_predict(args)
    except (CliError, DatasetError, FormatError, SpecError, ValueError) as exc:
        print(f"nnstudio {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"nnstudio {args.command}: interrupted", file=sys.stderr)
        return 130
