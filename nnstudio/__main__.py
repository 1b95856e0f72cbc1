"""``python -m nnstudio`` and the ``nnstudio`` command: the window, or the CLI with a subcommand."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    # The CLI and its parser never import Qt.
    from nnstudio.cli.dispatch import run_command
    from nnstudio.cli.parser import parse

    args = parse(sys.argv[1:] if argv is None else argv, window=True)
    if isinstance(args, int):  # --help, --version or a usage error
        return args
    if args.command is not None:
        return run_command(args)
    from nnstudio.app import run_app

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
