"""The trainer's process ends itself when the window's process disappears, whatever its main thread is doing."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import wait

__all__ = ["PARENT_CHECK_SECONDS", "end_with_parent", "request_parent_death_signal"]

PARENT_CHECK_SECONDS = 0.2


def _parent_gone(parent_pid: int) -> bool:
    # An orphan is adopted by another process (init, a subreaper): its parent id changes.
    return os.name == "posix" and os.getppid() != parent_pid


def _watch_parent(parent_pid: int, sentinel) -> None:
    while True:
        gone = False
        if sentinel is not None:
            try:
                gone = bool(wait([sentinel], PARENT_CHECK_SECONDS))
            except (OSError, ValueError):
                sentinel = None
        else:
            time.sleep(PARENT_CHECK_SECONDS)
        if gone or _parent_gone(parent_pid):
            os._exit(0)  # the main thread may be stuck anywhere (a write into a full pipe): no cleanup


def request_parent_death_signal() -> None:
    """On Linux, ask the kernel to kill this process when its parent dies (it works even while the GIL is held)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # the watchdog thread covers a failure
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG


def end_with_parent(parent_pid: int) -> None:
    """End this process within ``PARENT_CHECK_SECONDS`` of the window's process disappearing.

    A watchdog thread waits on the parent's sentinel (``multiprocessing``'s handle that
    becomes ready when the parent dies, on every platform) and checks the parent's id, so
    the process ends wherever its main thread is: training, stuck writing into a full
    pipe, or idle. On Linux the kernel is asked to kill us too.
    """
    if _parent_gone(parent_pid):
        os._exit(0)
    request_parent_death_signal()
    parent = mp.parent_process()
    sentinel = parent.sentinel if parent is not None and parent.pid == parent_pid else None
    threading.Thread(target=_watch_parent, args=(parent_pid, sentinel), name="nnstudio-parent-watch",
                     daemon=True).start()
