"""Tracebacks of unexpected errors: written to stderr and appended to a log file.

Used by the trainer's process and by the window alike. It never imports Qt: the window
works out where the log lives (its platform's state folder) and passes the path in. A
refused command or a bad file is not logged here; those are the learner's to fix and get
a one-line message instead. What lands here is a fault in NN Studio itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from datetime import datetime
from pathlib import Path

__all__ = ["LOG_NAME", "MAX_LOG_BYTES", "log_exception"]

LOG_NAME = "nnstudio.log"
#: A log past this size is moved to ``nnstudio.log.1`` (replacing the older one) before the next entry.
MAX_LOG_BYTES = 1 << 20


def log_exception(exc: BaseException, where: str, log_path: str | os.PathLike | None) -> None:
    """Write ``exc`` with its traceback, headed by the time, the process id and ``where``.

    The entry goes to stderr and, when ``log_path`` is given, is appended to that file in
    one write (so the window's and the trainer's entries never interleave). A log that
    cannot be written is reported on stderr; it never raises.
    """
    header = f"{datetime.now().isoformat(timespec='seconds')} NN Studio (pid {os.getpid()}): {where}\n"
    entry = header + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        sys.stderr.write(entry)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # no usable stderr (pythonw, closed stream)
        pass
    if log_path is None:
        return
    path = Path(log_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
        with open(path, "a", encoding="utf-8") as log:
            log.write(entry + "\n")
    except OSError as err:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.write(f"nnstudio: could not write the log {path}: {err}\n")
