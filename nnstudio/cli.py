"""Headless NN Studio: ``nnstudio train``, ``predict``, ``compare`` and ``landscape``.

The flags are a stable contract: scripts and outside tests rely on them. Bad input exits
with code 2 and one line on stderr naming the problem; nothing half-written is left
behind. A run whose loss becomes NaN, infinite or runaway stops at that cycle, goes back to
the last checkpoint whose loss was sane, says so on stderr, exports those weights (and the
history up to them) if asked to, and exits with code 3. This module parses and reports; the
work is the engine's.

``--export`` picks the format from the file name (``engine.exports.EXPORT_FORMATS``): ``.npz`` and ``.json``
weights files, ``.onnx``, a ``NAME_torch.py`` PyTorch script, any other ``.py`` a standalone
numpy script. ``--history`` writes the loss history as CSV (``engine.history.write_history_csv``).

``compare`` trains one run per value of one flag (``engine.compare``) and prints a table;
``landscape`` trains as ``train`` does and maps the loss around the final weights
(``engine.landscape``). Their figures are drawn with numpy alone (``engine.raster``).

:func:`build_parser` is the one parser of ``nnstudio``: without a command, ``__main__``
opens the window with the options it parsed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from nnstudio import __version__
from nnstudio.engine.data import csv_io
from nnstudio.engine.data.datasets import (
    DATASET_NAMES,
    FEATURES,
    GENERATOR_NAMES,
    REAL_DATASETS,
    TASKS,
    Dataset,
    DatasetError,
    load_csv,
    load_features,
    load_named,
)
from nnstudio.engine.explain.landscape import (
    DIRECTION_KINDS,
    MAX_RESOLUTION,
    Landscape,
    LandscapePlane,
    LandscapeSpec,
    iter_landscape,
    losses_at,
    pca_plane,
    random_plane,
    update_cut,
)
from nnstudio.engine.io.exports import export_format, export_model
from nnstudio.engine.io.fileio import atomic_write_text
from nnstudio.engine.io.formats import MAX_WEIGHTS_BYTES, FormatError, ModelFile, load_weights
from nnstudio.engine.io.model_fit import fit_to_model
from nnstudio.engine.io.raster import heat_map, write_png
from nnstudio.engine.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from nnstudio.engine.nn.losses import LOSSES
from nnstudio.engine.nn.network import DELTA_RULES, MAX_NEURONS, SpecError
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Rollback
from nnstudio.engine.run.compare import (
    DEFAULT_EPOCHS,
    MAX_PLOTTED_RUNS,
    MAX_RUNS,
    VARY_FLAGS,
    RunConfig,
    RunOutcome,
    RunSummary,
    curves_png,
    describe_base,
    format_value,
    make_experiment,
    plan_runs,
    run_planned,
    train_run,
    write_curves_csv,
)
from nnstudio.engine.run.experiment import Experiment
from nnstudio.engine.run.history import HISTORY_CSV_COLUMNS, write_history_csv

__all__ = ["main", "build_parser", "parse", "run_command", "COMMANDS", "SCREENSHOT_CYCLES"]

EXIT_OK, EXIT_USAGE, EXIT_DIVERGED = 0, 2, 3
COMMANDS = ("train", "predict", "compare", "landscape")
SCREENSHOT_CYCLES = 400
#: The window's options (flag: attribute); None when not given.
WINDOW_OPTIONS = {"--screenshot": "screenshot", "--record": "record", "--record-every": "record_every",
                  "--cycles": "cycles", "--quit-after": "quit_after"}


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


def _add_run_arguments(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """The data, network and learning flags of ``train``, which ``compare`` and ``landscape`` share.

    Returns the actions by option string, so a command can read a flag's type and default.
    """
    actions: dict[str, argparse.Action] = {}

    def add(group, *names, **kwargs) -> None:
        action = group.add_argument(*names, **kwargs)
        for name in names:
            actions[name] = action

    data = parser.add_argument_group("data")
    add(data, "--dataset", default="xor", metavar="NAME|PATH.csv",
        help=f"generated 2-D data: {', '.join(GENERATOR_NAMES)}; real data shipped with NN Studio: "
             f"{', '.join(REAL_DATASETS)}; or a CSV file (default xor)")
    add(data, "--features", type=_features, default=(), metavar="F1,F2",
        help=f"generated data: extra inputs computed from x1, x2, any of {', '.join(FEATURES)}")
    add(data, "--samples", type=_positive_int, default=200, help="rows to generate (generated data; default 200)")
    add(data, "--data-noise", type=_non_negative_float, default=0.1, help="noise of generated data (default 0.1)")
    add(data, "--target", help="CSV: the target column (default: the last column)")
    add(data, "--drop", type=_column_names, action="append", default=[], metavar="COL[,COL]",
        help="CSV: leave these columns out (IDs, names, notes); may be given again")
    add(data, "--task", choices=TASKS, help="CSV: classification or regression (default: detected)")
    add(data, "--test-fraction", type=float, default=0.2,
        help="share of rows held out for testing, in [0, 1) (default 0.2)")
    add(data, "--normalize", choices=["standard", "none"], default="standard",
        help="standardise inputs with the training rows' mean and std (default standard)")
    net = parser.add_argument_group("network")
    add(net, "--hidden", type=_hidden, default=(4,), help="hidden layer sizes, e.g. 4,4 (default 4; '' for none)")
    add(net, "--activation", choices=HIDDEN_ACTIVATIONS, default="sigmoid", help="hidden activation (default sigmoid)")
    add(net, "--output-activation", choices=tuple(ACTIVATIONS),
        help="default sigmoid (classification) or linear (regression)")
    add(net, "--loss", choices=tuple(LOSSES), default="mse", help="default mse, as in the seed")
    add(net, "--init", type=Path, metavar="WEIGHTS",
        help="start from a weights file (.npz/.json): its architecture, weights and normalisation")
    add(net, "--dtype", choices=["float64", "float32"], default="float64",
        help="float64 (default, exact numbers) or float32 (faster)")
    opt = parser.add_argument_group("learning")
    add(opt, "--lr", type=_non_negative_float, default=0.5, help="learning rate (default 0.5)")
    add(opt, "--momentum", type=_non_negative_float, default=0.0, help="momentum, PyTorch's convention (default 0)")
    add(opt, "--l1", type=_non_negative_float, default=0.0, help="L1 regularisation (default 0)")
    add(opt, "--l2", type=_non_negative_float, default=0.0, help="L2 regularisation, like weight_decay (default 0)")
    add(opt, "--noise", type=_non_negative_float, default=0.0,
        help="std of the Gaussian noise added to each update (default 0: off)")
    add(opt, "--noise-decay", type=_non_negative_float, default=0.55,
        help="noise std decays as 1/(1+t)^decay (default 0.55)")
    add(opt, "--batch-size", type=_batch_size, default=10, metavar="N|full", help="rows per cycle (default 10)")
    length = opt.add_mutually_exclusive_group()
    add(length, "--epochs", type=_positive_int, help="passes over the training rows (default 100)")
    add(length, "--steps", type=_positive_int, help="exactly this many cycles (mini-batches)")
    add(opt, "--seed", type=int, default=0, help="seeds the data, the split, the weights, the batch order and the noise")
    add(opt, "--delta-rule", choices=DELTA_RULES, default="set",
        help="how backprop fills a hidden layer's delta: set (standard backprop, the seed's loss = dl/dw; default) "
             "or accumulate (the seed author's question, loss += dl/dw: each cycle's backpropagated error is added "
             "to the error the layer kept from the cycles before)")
    return actions


def _add_model_outputs(parser: argparse.ArgumentParser):
    """``train``'s --export, --onnx-input and --history."""
    out = parser.add_argument_group("output")
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
    return out


def _vary(text: str) -> tuple[str, list[str]]:
    flag, sep, values = text.partition("=")
    flag = flag.strip().removeprefix("--")
    if not sep or flag not in VARY_FLAGS:
        raise argparse.ArgumentTypeError(f"{text!r}: give FLAG=V1,V2,... with FLAG one of {', '.join(VARY_FLAGS)}")
    parts = [part.strip() for part in values.split(",")]
    if not values.strip() or any(not part for part in parts):
        raise argparse.ArgumentTypeError(f"{text!r}: give the values separated by commas, e.g. {flag}=V1,V2")
    return flag, parts


def _positive_float(text: str) -> float:
    value = _non_negative_float(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be a finite number > 0, got 0")
    return value


def _add_window_arguments(parser: argparse.ArgumentParser) -> None:
    """The window's own options: they go without a command (``nnstudio --screenshot out.png``)."""
    group = parser.add_argument_group("window (no command)")
    group.add_argument("--screenshot", metavar="PNG",
                       help="render the window offscreen after some training, save it, and exit")
    group.add_argument("--record", metavar="OUT.gif|OUT.mp4",
                       help="train --cycles cycles in an offscreen window, record them as an animation "
                            "(File › Record animation), and exit; needs pip install 'nnstudio[record]' "
                            "(GIF) or 'nnstudio[record-mp4]' (MP4)")
    group.add_argument("--record-every", type=_positive_int, metavar="K",
                       help="with --record: a frame every K cycles (default 10)")
    group.add_argument("--cycles", type=int, metavar="N",
                       help=f"cycles to train before the screenshot, or to record (default {SCREENSHOT_CYCLES})")
    group.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    """The one parser of ``nnstudio``: the window's options and the headless commands."""
    parser = _Parser(prog="nnstudio", description="Watch a neural network learn. With no command, opens the window.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_window_arguments(parser)
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, title="commands",
                                     metavar="{" + ",".join(COMMANDS) + "}")
    data_epilog = (f"Input limits. {_csv_rules()} An unnamed first column (the row index pandas writes) and an empty "
                   "last column (a delimiter ending every line) are ignored, with a note on stderr. A target of whole "
                   "numbers with at most 20 distinct values is taken as classes unless --task says otherwise. "
                   + _input_limits())

    train = commands.add_parser("train", help="train a network headless and report its loss and accuracy",
                                epilog=data_epilog)
    _add_run_arguments(train)
    out = _add_model_outputs(train)
    out.add_argument("--json", action="store_true", help="make the last line of stdout one JSON object of the results")

    predict = commands.add_parser(
        "predict", help="run a trained network on a CSV file; CSV to stdout",
        epilog=f"Input limits. {_csv_rules()} The columns are found by the model's feature names, in any order; "
               "other columns (an index, the target, IDs) are ignored. " + _input_limits())
    predict.add_argument("--weights", type=Path, required=True, help="a weights file (.npz or .json)")
    predict.add_argument("--input", type=Path, required=True, help="CSV with a header naming the training features")

    compare = commands.add_parser(
        "compare", help="train one run per value of one setting and compare their losses and accuracies",
        description="Train the same set-up once per value of one flag, everything else as the other flags say "
                    "(the same data, split, initial weights, batch order and noise, unless the flag is --seed), "
                    "and print a table of each run's final losses, accuracies, train-test gap and whether it "
                    "diverged.",
        epilog=f"Values: numbers for lr, momentum, l1, l2, noise, noise-decay; whole numbers for seed; "
               f"{'|'.join(HIDDEN_ACTIVATIONS)} for activation; N or full for batch-size; set|accumulate for "
               f"delta-rule; layer sizes joined by '-' for hidden (hidden=4,8,8-8; 'none' for no hidden layer). "
               f"At most {MAX_RUNS} values; --png draws at most {MAX_PLOTTED_RUNS} runs (a train and a test curve "
               f"each: more cannot be told apart). A run that diverges is reported as such (with the numbers of the "
               f"last sane checkpoint); the command still exits 0. " + data_epilog)
    actions = _add_run_arguments(compare)
    group = compare.add_argument_group("comparison")
    group.add_argument("--vary", type=_vary, required=True, metavar="FLAG=V1,V2,...",
                       help=f"the flag to vary and its values, e.g. lr=0.1,0.5,2 or noise=0,0.1; FLAG is one of "
                            f"{', '.join(VARY_FLAGS)}")
    group.add_argument("--csv", type=Path, metavar="OUT.csv",
                       help="write the runs' loss curves as CSV: cycle, then each run's train loss (whole training "
                            "split), then each run's test loss, at the cycles where they were evaluated")
    group.add_argument("--png", type=Path, metavar="OUT.png",
                       help=f"draw the runs' loss curves over each other (log scale; train solid, test dashed; at "
                            f"most {MAX_PLOTTED_RUNS} runs)")
    group.add_argument("--json", action="store_true", help="make the last line of stdout one JSON object of the table")
    # An unset sentinel tells "--lr 0.5 given" from the default, even when argparse expands an abbreviation.
    vary_actions = {flag: actions[f"--{flag}"] for flag in VARY_FLAGS}
    compare.set_defaults(vary_actions={flag: (action.dest, action.default) for flag, action in vary_actions.items()},
                         vary_types={flag: (action.type, action.choices) for flag, action in vary_actions.items()})
    for action in vary_actions.values():
        action.default = _UNSET

    landscape = commands.add_parser(
        "landscape", help="train as train does, then map the loss around the final weights",
        description="Train as 'nnstudio train' does (same flags, same numbers), then compute the loss on the "
                    "training split over a grid of a 2-D slice of weight space through the final weights: "
                    "theta + alpha*d1 + beta*d2, with d1, d2 the two principal directions of the run's path "
                    "(PCA of about 100 snapshots of the weights) or two filter-normalised random directions "
                    "(Li et al. 2018, 'Visualizing the Loss Landscape of Neural Nets').",
        epilog="PCA needs a path that moves in two directions; when it does not (a run of one or two cycles, a "
               "learning rate of 0), random directions are used instead, with a note on stderr. " + data_epilog)
    _add_run_arguments(landscape)
    out = _add_model_outputs(landscape)
    group = landscape.add_argument_group("landscape")
    group.add_argument("--directions", choices=DIRECTION_KINDS, default="pca",
                       help="pca: the two principal directions of the run's path (default); random: two "
                            "filter-normalised Gaussian directions drawn from --seed")
    group.add_argument("--grid", type=_positive_int, default=41, metavar="N",
                       help=f"N×N points (default 41; 2 to {MAX_RESOLUTION})")
    group.add_argument("--span", type=_positive_float, metavar="S",
                       help="map alpha and beta over [-S, S] (default: the path with a quarter of its extent "
                            "around it for pca, 1 for random directions)")
    group.add_argument("--csv", type=Path, metavar="OUT.csv", help="write the map as CSV: alpha, beta, loss")
    group.add_argument("--png", type=Path, metavar="OUT.png",
                       help="draw the map as a heat map (log colour scale), with the run's path (pca) and the "
                            "final weights")
    group.add_argument("--cut", action="store_true",
                       help="also print the loss along the line of the last update (t = 0 before it, t = 1 after it)")
    group.add_argument("--json", action="store_true",
                       help="make the last line of stdout one JSON object of the training results and the map's "
                            "summary")
    return parser


_UNSET = object()
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


def _run_config(args) -> tuple[RunConfig, ModelFile | None]:
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


def _fit_data(args, model: ModelFile | None, dataset: Dataset) -> Dataset:
    """``dataset`` with its columns in the order the --init file's inputs take them (as it is without one)."""
    if model is None:
        return dataset
    # The file's weights belong to its input order; the data's columns may come in another.
    return fit_to_model(model, dataset, args.init, "" if args.dataset in DATASET_NAMES else " (--drop them)")


def _build_experiment(args, dataset: Dataset) -> Experiment:
    config, model = _run_config(args)
    dataset = _fit_data(args, model, dataset)
    return make_experiment(replace(config, init=model), dataset)


def _progress_bar(total: int, description: str | None = None):
    """A tqdm bar on stderr when it is a terminal, redrawn a few times a second; a no-op otherwise."""
    from tqdm import tqdm

    return tqdm(total=total, unit="cycle", disable=not sys.stderr.isatty(), mininterval=0.25, file=sys.stderr,
                leave=False, desc=description)


def _train(experiment: Experiment, total_cycles: int, snapshots: int = 0) -> tuple[RunOutcome, float]:
    """Train ``total_cycles`` as ``engine.compare.train_run`` does, with a progress bar; (outcome, seconds)."""
    start = time.perf_counter()
    with _progress_bar(total_cycles) as bar, np.errstate(all="ignore"):
        # Overflow on the way to divergence is reported once, by the caller, not as numpy warnings.
        outcome = train_run(experiment.trainer, total_cycles, snapshots=snapshots, progress=bar.update)
    return outcome, time.perf_counter() - start


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
    print(f"nnstudio {args.command}: training diverged at cycle {rollback.diverged_at} ({rollback.cause()}); "
          f"{where}{saved}; try a smaller learning rate than --lr {args.lr:g}", file=sys.stderr)


def _percent(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.2f}%"


def _check_folder(flag: str, path: Path | None) -> None:
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
        _check_folder(flag, path)


def _write_history(args, trainer) -> None:
    try:
        write_history_csv(trainer.history, args.history)
    except OSError as exc:
        raise CliError(f"--history {args.history.name}: cannot write the file ({exc.strerror or exc})") from None


def _prepare(args) -> tuple[Experiment, int]:
    """Check the outputs, load the data, build the run and print what it is; (experiment, cycles to train)."""
    _check_outputs(args)
    notes: list[str] = []
    dataset = _load_dataset(args, notes)
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


def _finish_training(args, experiment: Experiment, seconds: float) -> dict:
    """Evaluate the final weights, print the results, write --export and --history; the JSON numbers."""
    trainer = experiment.trainer
    loss_scale = "" if experiment.target_scaling.is_identity else " (standardised)"
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
    return {
        "train_loss": _number(result.train_loss), "test_loss": _number(result.test_loss),
        "train_accuracy": _number(result.train_accuracy), "test_accuracy": _number(result.test_accuracy),
        "cycles": trainer.cycle, "epochs": trainer.epoch, "seconds": round(seconds, 6),
    }


def _number(x):
    """JSON has no NaN: null instead."""
    return None if x is None or x != x else x


def run_train(args) -> int:
    experiment, total = _prepare(args)
    outcome, seconds = _train(experiment, total)
    if outcome.rollback is not None:
        with np.errstate(all="ignore"):
            _report_divergence(args, experiment, outcome.rollback)
        return EXIT_DIVERGED
    summary = _finish_training(args, experiment, seconds)
    if args.json:
        print(json.dumps(summary))
    return EXIT_OK


# -- compare ----------------------------------------------------------------------------
def _vary_values(args) -> tuple[str, list]:
    """The varied flag and its values, each read as the flag itself reads it."""
    flag, raw_values = args.vary
    kind, choices = args.vary_types[flag]
    values = []
    for raw in raw_values:
        text = raw
        if flag == "hidden":  # commas separate the values: a value's layers are joined by '-'
            text = "" if raw.lower() == "none" else raw.replace("-", ",")
        try:
            value = kind(text) if kind is not None else text
        except argparse.ArgumentTypeError as exc:
            raise CliError(f"--vary {flag}: {exc}") from None
        except ValueError:
            raise CliError(f"--vary {flag}: {raw!r} is not a valid value") from None
        if choices is not None and value not in choices:
            raise CliError(f"--vary {flag}: {raw!r} is not one of {', '.join(map(str, choices))}")
        values.append(value)
    if len(values) > MAX_RUNS:
        raise CliError(f"--vary {flag}: at most {MAX_RUNS} values, got {len(values)}")
    return flag, values


def _fill_defaults(args) -> None:
    """Give the flags left unset their defaults; CliError if the varied flag was also given."""
    flag = args.vary[0]
    for name, (dest, default) in args.vary_actions.items():
        if getattr(args, dest) is _UNSET:
            setattr(args, dest, default)
        elif name == flag:
            raise CliError(f"--{flag} is what --vary {flag}=... changes: leave --{flag} out")


def _table(flag: str, summaries: Sequence[RunSummary]) -> list[str]:
    """The comparison as aligned text lines, one run a row."""
    header = [flag, "train loss", "test loss", "gap", "train acc", "test acc", "diverged", "cycles"]
    rows = []
    for s in summaries:
        rows.append([
            format_value(flag, s.value), f"{s.train_loss:.4g}",
            "n/a" if s.test_loss != s.test_loss else f"{s.test_loss:.4g}",
            "n/a" if s.gap != s.gap else f"{s.gap:+.3g}", _percent(s.train_accuracy), _percent(s.test_accuracy),
            "no" if s.diverged_at is None else f"at {s.diverged_at}", str(s.cycles),
        ])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return lines


def run_compare(args) -> int:
    _fill_defaults(args)
    flag, values = _vary_values(args)
    if args.png is not None and len(values) > MAX_PLOTTED_RUNS:
        raise CliError(f"--png draws at most {MAX_PLOTTED_RUNS} runs (more curves cannot be told apart), got "
                       f"{len(values)} values of {flag}: use --csv for more")
    for option, path in (("--csv", args.csv), ("--png", args.png)):
        _check_folder(option, path)
    notes: list[str] = []
    base, model = _run_config(args)
    datasets: dict[int, Dataset] = {}

    def data(seed: int) -> Dataset:
        # Generated data is drawn from the run's seed, as train draws it; a file is read once.
        key = seed if args.dataset in DATASET_NAMES else 0
        if key not in datasets:
            run_args = argparse.Namespace(**{**vars(args), "seed": seed})
            datasets[key] = _fit_data(args, model, _load_dataset(run_args, notes if not datasets else []))
        return datasets[key]

    planned = plan_runs(replace(base, init=model), flag, values, data)  # checks every value before training
    for note in notes:
        print(f"nnstudio compare: note: {note}", file=sys.stderr)
    first = planned[0].experiment
    dataset = first.dataset
    print(f"dataset {dataset.name}: {len(first.train_idx)} train / {len(first.test_idx)} test rows, "
          f"{dataset.n_features} features, {dataset.task}"
          + (f" ({dataset.n_classes} classes)" if dataset.task == "classification" else "")
          + ("; each seed draws its own" if flag == "seed" and args.dataset in GENERATOR_NAMES else ""))
    print(f"{len(planned)} runs of {flag} ({VARY_FLAGS[flag]}); the same for all: {describe_base(base, flag)}")
    if not first.target_scaling.is_identity:
        print("losses are on standardised targets (1 = always predicting the mean)")
    summaries = []
    for index, run in enumerate(planned):
        with _progress_bar(run.total_cycles, run.label) as bar:
            summaries.append(run_planned(run, progress=bar.update))
        planned[index] = None  # its arrays can go
    for line in _table(flag, summaries):
        print(line)
    if args.csv is not None:
        _write_figure("--csv", args.csv, lambda: write_curves_csv(args.csv, summaries))
        print(f"loss curves written to {args.csv}")
    if args.png is not None:
        title = f"{dataset.name}: {flag}"
        _write_figure("--png", args.png, lambda: curves_png(args.png, summaries, title=title))
        print(f"loss curves drawn in {args.png}")
    if args.json:
        print(json.dumps({"flag": flag, "runs": [s.to_dict() for s in summaries]}))
    return EXIT_OK


def _write_figure(option: str, path: Path, write) -> None:
    try:
        write()
    except OSError as exc:
        raise CliError(f"{option} {path.name}: cannot write the file ({exc.strerror or exc})") from None


# -- landscape --------------------------------------------------------------------------
#: Parameter snapshots kept along a run for the PCA directions.
TRAJECTORY_SNAPSHOTS = 100
#: Where the cut along the last update is printed (t = 0 before it, t = 1 after it), and how finely it is searched.
CUT_PRINTED = (-1.0, -0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
CUT_SEARCHED = np.linspace(-1.0, 3.0, 401)


def _landscape_plane(args, experiment: Experiment, outcome: RunOutcome) -> LandscapePlane:
    """The PCA plane of the run's path, or random directions (with a note on stderr) where PCA is impossible."""
    network = experiment.network
    if args.directions == "pca":
        try:
            return pca_plane(outcome.trajectory)
        except ValueError as exc:
            reason = str(exc).replace(" (use random directions)", "")
            print(f"nnstudio landscape: note: no PCA directions: {reason}; using random directions from seed "
                  f"{args.seed} instead", file=sys.stderr)
    return random_plane(network.spec.sizes, network.flat, args.seed)


def _landscape_spec(args, plane: LandscapePlane) -> LandscapeSpec:
    try:
        if args.span is not None:
            return LandscapeSpec(args.grid, (-args.span, args.span), (-args.span, args.span), plane.kind, args.seed)
        if plane.kind == "pca":
            covering = LandscapeSpec.covering(plane.path, args.grid)
            return replace(covering, seed=args.seed)
        return LandscapeSpec(args.grid, directions="random", seed=args.seed)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _check_landscape_flags(args) -> None:
    if not 2 <= args.grid <= MAX_RESOLUTION:
        raise CliError(f"--grid must be from 2 to {MAX_RESOLUTION}, got {args.grid}")
    if args.seed < 0:
        raise CliError(f"--seed must be ≥ 0 to draw random directions, got {args.seed}")
    for option, path in (("--csv", args.csv), ("--png", args.png)):
        _check_folder(option, path)


def _write_landscape_csv(path: Path, landscape: Landscape) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["alpha", "beta", "loss"])
    for i, beta in enumerate(landscape.betas):
        for j, alpha in enumerate(landscape.alphas):
            writer.writerow([repr(float(alpha)), repr(float(beta)), repr(float(landscape.losses[i, j]))])
    atomic_write_text(path, buffer.getvalue())


def _landscape_png(path: Path, landscape: Landscape, dataset_name: str) -> None:
    plane = landscape.plane
    marks = [(0.0, 0.0, (255, 255, 255))]
    if plane.path is not None:
        marks.insert(0, (float(plane.path[0, 0]), float(plane.path[0, 1]), (0, 0, 0)))
    n = len(landscape.alphas)
    kind = "PCA of the path" if plane.kind == "pca" else "random directions"
    pixels = heat_map(landscape.losses, (landscape.alphas[0], landscape.alphas[-1]),
                      (landscape.betas[0], landscape.betas[-1]), cell=max(1, 410 // n),
                      title=f"{dataset_name}: training loss, {kind}", x_label="alpha",
                      y_label="beta", path=plane.path, marks=marks, log=True)
    write_png(path, pixels)


def _landscape_summary(landscape: Landscape, final_loss: float) -> tuple[list[str], dict]:
    losses, plane = landscape.losses, landscape.plane
    finite = np.isfinite(losses)
    n = len(landscape.alphas)
    lines = [f"loss landscape: {n}×{n} points, alpha in [{landscape.alphas[0]:.4g}, {landscape.alphas[-1]:.4g}], "
             f"beta in [{landscape.betas[0]:.4g}, {landscape.betas[-1]:.4g}], "
             + ("directions: PCA of the run's path" if plane.kind == "pca"
                else "directions: random, filter-normalised")]
    summary: dict = {"directions": plane.kind, "grid": n,
                     "alpha_range": [float(landscape.alphas[0]), float(landscape.alphas[-1])],
                     "beta_range": [float(landscape.betas[0]), float(landscape.betas[-1])]}
    if plane.explained is not None:
        shares = [float(v) for v in plane.explained]
        lines.append(f"the two directions explain {100 * shares[0]:.1f}% and {100 * shares[1]:.1f}% of the path's "
                     f"variance ({len(plane.path)} snapshots)")
        summary["explained_variance"] = shares
    if finite.any():
        i, j = np.unravel_index(np.argmin(np.where(finite, losses, np.inf)), losses.shape)
        low, high = float(losses[i, j]), float(np.max(losses[finite]))
        at = (float(landscape.alphas[j]), float(landscape.betas[i]))
        lower = float(np.mean(losses[finite] < final_loss))
        lines.append(f"loss on the map: min {low:.6g} at (alpha {at[0]:.3g}, beta {at[1]:.3g}), max {high:.6g}")
        lines.append(f"final weights at (0, 0): loss {final_loss:.6g}; {100 * lower:.1f}% of the map lies lower"
                     + ("" if lower else ": no point of the map is lower"))
        summary.update(min_loss=low, min_at=list(at), max_loss=high, final_loss=final_loss, share_lower=lower)
    else:
        lines.append("every point of the map overflowed")
        summary.update(min_loss=None, min_at=None, max_loss=None, final_loss=_number(final_loss), share_lower=None)
    if not finite.all():
        lines.append(f"{int((~finite).sum())} points overflowed (inf or NaN; magenta on the picture)")
    summary["overflowed_points"] = int((~finite).sum())
    return lines, summary


def _update_cut(experiment: Experiment) -> tuple[list[str], dict]:
    trainer = experiment.trainer
    X, Y = trainer.X_train, trainer.Y_train
    ts = np.union1d(CUT_SEARCHED, CUT_PRINTED)
    losses = update_cut(experiment.network, X, Y, trainer.previous_params, trainer.optimizer.updates, ts)
    size = float(np.linalg.norm(trainer.optimizer.updates))
    lines = [f"loss along the last update (its length {size:.3g}; t = 0 before it, t = 1 after it), on the "
             "training split:"]
    for t in CUT_PRINTED:
        loss = float(losses[np.searchsorted(ts, t)])
        lines.append(f"  t {t:5.2f}  loss {loss:.6g}")
    finite = np.isfinite(losses)
    best = int(np.argmin(np.where(finite, losses, np.inf))) if finite.any() else 0
    lines.append(f"lowest along the line at t {ts[best]:.2f} (loss {float(losses[best]):.6g})")
    cut = {"t": [float(t) for t in CUT_PRINTED], "loss": [_number(float(losses[np.searchsorted(ts, t)]))
                                                        for t in CUT_PRINTED],
           "lowest_t": float(ts[best]), "lowest_loss": _number(float(losses[best])), "update_norm": size}
    return lines, cut


def run_landscape(args) -> int:
    _check_landscape_flags(args)
    experiment, total = _prepare(args)
    trainer = experiment.trainer
    trainer.keep_previous_weights = args.cut  # the cut starts from the weights before the last update
    snapshots = TRAJECTORY_SNAPSHOTS if args.directions == "pca" else 0
    outcome, seconds = _train(experiment, total, snapshots)
    if outcome.rollback is not None:
        with np.errstate(all="ignore"):
            _report_divergence(args, experiment, outcome.rollback)
        return EXIT_DIVERGED
    summary = _finish_training(args, experiment, seconds)
    plane = _landscape_plane(args, experiment, outcome)
    spec = _landscape_spec(args, plane)
    network = experiment.network
    X, Y = trainer.X_train, trainer.Y_train
    losses = np.empty((spec.resolution, spec.resolution))
    for first, block in iter_landscape(spec, network, X, Y, plane):
        losses[first : first + len(block)] = block
    landscape = Landscape(spec.alphas, spec.betas, losses, plane)
    final_loss = float(losses_at(network, X, Y, plane.origin[None])[0])
    lines, summary["landscape"] = _landscape_summary(landscape, final_loss)
    for line in lines:
        print(line)
    if args.cut:
        lines, summary["cut"] = _update_cut(experiment)
        for line in lines:
            print(line)
    if args.csv is not None:
        _write_figure("--csv", args.csv, lambda: _write_landscape_csv(args.csv, landscape))
        print(f"landscape written to {args.csv}")
    if args.png is not None:
        _write_figure("--png", args.png, lambda: _landscape_png(args.png, landscape, experiment.dataset.name))
        print(f"landscape drawn in {args.png}")
    if args.json:
        print(json.dumps(summary))
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
        from nnstudio.engine.data.datasets import labels_from_outputs

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


def parse(argv: Sequence[str] | None = None, *, window: bool = False) -> argparse.Namespace | int:
    """``argv`` parsed by :func:`build_parser`, or the exit code when parsing ends the program.

    ``--help``, ``--version`` and usage errors (one line on stderr) return their code.
    Without a command, ``window`` says whether the window may open (``nnstudio``) or a
    command is required (:func:`main`). The window's options go with no command.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None and not window:
            parser.error(f"choose a command: {', '.join(COMMANDS[:-1])} or {COMMANDS[-1]}")
        window_options = [flag for flag, dest in WINDOW_OPTIONS.items() if getattr(args, dest) is not None]
        if args.command is not None and window_options:
            what = "options are" if len(window_options) > 1 else "option is"
            parser.error(f"{' and '.join(window_options)}: the window's {what} not for {args.command}")
    except SystemExit as exc:  # argparse's usage errors, --help and --version: return the code, as promised
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run a CLI command; returns the process exit code."""
    args = parse(argv)
    return args if isinstance(args, int) else run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run the command ``parse`` gave; returns the process exit code."""
    try:
        commands = {"train": run_train, "predict": run_predict, "compare": run_compare, "landscape": run_landscape}
        return commands[args.command](args)
    except (CliError, DatasetError, FormatError, SpecError, ValueError) as exc:
        print(f"nnstudio {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"nnstudio {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # stdout closed early (| head): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush finds no pipe
        return 1
