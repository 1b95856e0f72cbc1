"""Running a parsed command: the command table, and what each kind of failure turns into."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from nnstudio.cli.compare import run_compare
from nnstudio.cli.errors import EXIT_USAGE, CliError
from nnstudio.cli.landscape import run_landscape
from nnstudio.cli.parser import parse
from nnstudio.cli.predict import run_predict
from nnstudio.cli.train import run_train
from nnstudio.engine.data.datasets import DatasetError
from nnstudio.engine.io.formats import FormatError
from nnstudio.engine.nn.network import SpecError


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
