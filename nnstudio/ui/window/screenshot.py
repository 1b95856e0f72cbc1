"""Render the window after some training and save it as a PNG (README, docs, checks)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

__all__ = ["capture_after_training"]


def capture_after_training(window, path: str, cycles: int, timeout_s: float = 60.0) -> None:
    """Step ``cycles`` cycles, wait until the window shows them, save ``window.grab()`` and quit."""
    state = {"asked": False, "waited": 0}

    def poll() -> None:
        latest = window.latest
        if latest is not None and not state["asked"]:
            window.send("step", "cycle", cycles)
            state["asked"] = True
        elif latest is not None and latest.cycle >= cycles:
            timer.stop()
            QTimer.singleShot(300, save)  # let the plots settle one more frame
            return
        state["waited"] += 50
        if state["waited"] > timeout_s * 1000:
            timer.stop()
            window.close()

    def save() -> None:
        window.grab().save(path)
        window.close()
        QApplication.instance().quit()

    timer = QTimer(window, interval=50)
    timer.timeout.connect(poll)
    timer.start()
