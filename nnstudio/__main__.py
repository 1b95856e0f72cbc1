"""``python -m nnstudio`` and the ``nnstudio`` command: the window, or the CLI with a subcommand."""

from __future__ import annotations

import sys

CLI_COMMANDS = ("train", "predict", "compare", "landscape")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and (argv[0] in CLI_COMMANDS or argv[0] in ("-h", "--help")):
        from .cli import main as cli_main  # the CLI never imports Qt

        return cli_main(argv)
    from .app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
