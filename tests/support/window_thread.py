"""Waiting for a worker's signal on the window's thread, where pytest-qt's wait cannot miss it.

pytest-qt runs its own slot on the thread that emits: a signal the worker emits between
the start of ``waitSignal``'s wait and its event loop is lost there, and the wait stops
its timeout timer from the wrong thread, so it never ends. A relay on the window's
thread gets the signal queued, as the window's own slots do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Signal


class _Relay(QObject):
    heard = Signal(object)

    def __init__(self, signal) -> None:
        super().__init__()
        signal.connect(self._relay)

    def _relay(self, value) -> None:
        self.heard.emit(value)


@contextmanager
def on_window_thread(qtbot, signal, timeout: int) -> Iterator:
    """``qtbot.waitSignal`` for a one-argument ``signal`` of the worker; ``blocker.args[0]`` is its argument."""
    relay = _Relay(signal)
    with qtbot.waitSignal(relay.heard, timeout=timeout) as blocker:
        yield blocker
