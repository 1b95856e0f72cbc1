"""Exit codes of the headless commands and the error that reports bad input in one line."""

from __future__ import annotations

EXIT_OK, EXIT_USAGE, EXIT_DIVERGED = 0, 2, 3


class CliError(Exception):
    """A problem with the user's input: printed as one line, exit code 2."""
