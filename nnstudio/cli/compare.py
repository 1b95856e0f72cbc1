"""``nnstudio compare``: one run per value of one flag, their results as a table, their curves as CSV or PNG."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace

from nnstudio.cli.arguments import UNSET
from nnstudio.cli.errors import EXIT_OK, CliError
from nnstudio.cli.training import check_folder, fit_data, load_dataset, percent, progress_bar, run_config, write_figure
from nnstudio.engine.data.datasets import DATASET_NAMES, GENERATOR_NAMES, Dataset
from nnstudio.engine.run.compare import (
    MAX_RUNS,
    VARY_FLAGS,
    RunSummary,
    describe_base,
    format_setting,
    plan_runs,
    run_planned,
)
from nnstudio.engine.run.compare_curves import MAX_PLOTTED_RUNS, curves_png, write_curves_csv


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
        if getattr(args, dest) is UNSET:
            setattr(args, dest, default)
        elif name == flag:
            raise CliError(f"--{flag} is what --vary {flag}=... changes: leave --{flag} out")


def _table(flag: str, summaries: Sequence[RunSummary]) -> list[str]:
    """The comparison as aligned text lines, one run a row."""
    header = [flag, "train loss", "test loss", "gap", "train acc", "test acc", "diverged", "cycles"]
    rows = []
    for s in summaries:
        rows.append([
            format_setting(flag, s.value), f"{s.train_loss:.4g}",
            "n/a" if s.test_loss != s.test_loss else f"{s.test_loss:.4g}",
            "n/a" if s.gap != s.gap else f"{s.gap:+.3g}", percent(s.train_accuracy), percent(s.test_accuracy),
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
        check_folder(option, path)
    notes: list[str] = []
    base, model = run_config(args)
    datasets: dict[int, Dataset] = {}

    def data(seed: int) -> Dataset:
        # Generated data is drawn from the run's seed, as train draws it; a file is read once.
        key = seed if args.dataset in DATASET_NAMES else 0
        if key not in datasets:
            run_args = argparse.Namespace(**{**vars(args), "seed": seed})
            datasets[key] = fit_data(args, model, load_dataset(run_args, notes if not datasets else []))
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
        with progress_bar(run.total_cycles, run.label) as bar:
            summaries.append(run_planned(run, progress=bar.update))
        planned[index] = None  # its arrays can go
    for line in _table(flag, summaries):
        print(line)
    if args.csv is not None:
        write_figure("--csv", args.csv, lambda: write_curves_csv(args.csv, summaries))
        print(f"loss curves written to {args.csv}")
    if args.png is not None:
        title = f"{dataset.name}: {flag}"
        write_figure("--png", args.png, lambda: curves_png(args.png, summaries, title=title))
        print(f"loss curves drawn in {args.png}")
    if args.json:
        print(json.dumps({"flag": flag, "runs": [s.to_dict() for s in summaries]}))
    return EXIT_OK
