"""Resizing a window under test and waiting until its layouts have followed."""

from __future__ import annotations

TIMEOUT = 20_000


def resize_window(window, qtbot, width: int, height: int) -> None:
    """Resize ``window`` and return once it and every splitter and layout in it have the new size."""
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size().toTuple() == (width, height), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.centralWidget().geometry().right() < width, timeout=TIMEOUT)
