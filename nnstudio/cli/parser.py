"""The one argument parser of ``nnstudio``: the window's options and the headless commands' flags."""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path

from nnstudio import __version__
from nnstudio.cli.arguments import (
    UNSET,
    parse_batch_size,
    parse_column_names,
    parse_features,
    parse_hidden,
    parse_non_negative_float,
    parse_positive_float,
    parse_positive_int,
    parse_seed,
    parse_vary,
)
from nnstudio.cli.errors import EXIT_USAGE
from nnstudio.engine.data import csv_io
from nnstudio.engine.data.datasets import FEATURES, GENERATOR_NAMES, REAL_DATASETS, TASKS
from nnstudio.engine.explain.landscape import DIRECTION_KINDS, MAX_RESOLUTION
from nnstudio.engine.io.formats import MAX_WEIGHTS_BYTES
from nnstudio.engine.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from nnstudio.engine.nn.losses import LOSSES
from nnstudio.engine.nn.network import DELTA_RULES, MAX_NEURONS
from nnstudio.engine.run.compare import MAX_RUNS, VARY_FLAGS
from nnstudio.engine.run.compare_curves import MAX_PLOTTED_RUNS
from nnstudio.engine.run.history import HISTORY_CSV_COLUMNS
from nnstudio.engine.run.seeds import MAX_SEED

COMMANDS = ("train", "predict", "compare", "landscape")
SCREENSHOT_CYCLES = 400
#: The window's options (flag: attribute); None when not given.
WINDOW_OPTIONS = {"--screenshot": "screenshot", "--record": "record", "--record-every": "record_every",
                  "--cycles": "cycles", "--quit-after": "quit_after"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the usage block
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


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
    add(data, "--features", type=parse_features, default=(), metavar="F1,F2",
        help=f"generated data: extra inputs computed from x1, x2, any of {', '.join(FEATURES)}")
    add(data, "--samples", type=parse_positive_int, default=200, help="rows to generate (generated data; default 200)")
    add(data, "--data-noise", type=parse_non_negative_float, default=0.1, help="noise of generated data (default 0.1)")
    add(data, "--target", help="CSV: the target column (default: the last column)")
    add(data, "--drop", type=parse_column_names, action="append", default=[], metavar="COL[,COL]",
        help="CSV: leave these columns out (IDs, names, notes); may be given again")
    add(data, "--task", choices=TASKS, help="CSV: classification or regression (default: detected)")
    add(data, "--test-fraction", type=float, default=0.2,
        help="share of rows held out for testing, in [0, 1) (default 0.2)")
    add(data, "--normalize", choices=["standard", "none"], default="standard",
        help="standardise inputs with the training rows' mean and std (default standard)")
    net = parser.add_argument_group("network")
    add(net, "--hidden", type=parse_hidden, default=(4,), help="hidden layer sizes, e.g. 4,4 (default 4; '' for none)")
    add(net, "--activation", choices=HIDDEN_ACTIVATIONS, default="sigmoid", help="hidden activation (default sigmoid)")
    add(net, "--output-activation", choices=tuple(ACTIVATIONS),
        help="default sigmoid (classification) or linear (regression)")
    add(net, "--loss", choices=tuple(LOSSES), default="mse", help="default mse, as in the seed")
    add(net, "--init", type=Path, metavar="WEIGHTS",
        help="start from a weights file (.npz/.json): its architecture, weights and normalisation")
    add(net, "--dtype", choices=["float64", "float32"], default="float64",
        help="float64 (default, exact numbers) or float32 (faster)")
    opt = parser.add_argument_group("learning")
    add(opt, "--lr", type=parse_non_negative_float, default=0.5, help="learning rate (default 0.5)")
    add(
        opt, "--momentum", type=parse_non_negative_float, default=0.0, help="momentum, PyTorch's convention (default 0)"
    )
    add(opt, "--l1", type=parse_non_negative_float, default=0.0, help="L1 regularisation (default 0)")
    add(
        opt, "--l2", type=parse_non_negative_float, default=0.0, help="L2 regularisation, like weight_decay (default 0)"
    )
    add(opt, "--noise", type=parse_non_negative_float, default=0.0,
        help="std of the Gaussian noise added to each update (default 0: off)")
    add(opt, "--noise-decay", type=parse_non_negative_float, default=0.55,
        help="noise std decays as 1/(1+t)^decay (default 0.55)")
    add(opt, "--batch-size", type=parse_batch_size, default=10, metavar="N|full", help="rows per cycle (default 10)")
    length = opt.add_mutually_exclusive_group()
    add(length, "--epochs", type=parse_positive_int, help="passes over the training rows (default 100)")
    add(length, "--steps", type=parse_positive_int, help="exactly this many cycles (mini-batches)")
    add(opt, "--seed", type=parse_seed, default=0,
        help=f"seeds the data, the split, the weights, the batch order and the noise (0 to {MAX_SEED}; default 0)")
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


def _add_window_arguments(parser: argparse.ArgumentParser) -> None:
    """The window's own options: they go without a command (``nnstudio --screenshot out.png``)."""
    group = parser.add_argument_group("window (no command)")
    group.add_argument("--screenshot", metavar="PNG",
                       help="render the window offscreen after some training, save it, and exit")
    group.add_argument("--record", metavar="OUT.gif|OUT.mp4",
                       help="train --cycles cycles in an offscreen window, record them as an animation "
                            "(File › Record animation), and exit; needs pip install 'nnstudio[record]' "
                            "(GIF) or 'nnstudio[record-mp4]' (MP4)")
    group.add_argument("--record-every", type=parse_positive_int, metavar="K",
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
    group.add_argument("--vary", type=parse_vary, required=True, metavar="FLAG=V1,V2,...",
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
        action.default = UNSET

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
    group.add_argument("--grid", type=parse_positive_int, default=41, metavar="N",
                       help=f"N×N points (default 41; 2 to {MAX_RESOLUTION})")
    group.add_argument("--span", type=parse_positive_float, metavar="S",
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
