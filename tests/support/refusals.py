"""What a window said about the commands the trainer refused: the texts of its open warning boxes."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


def refusals(window) -> list[str]:
    """The texts of the warning boxes open over ``window``, oldest first (read them after the acknowledgement)."""
    return [box.text() for box in window.findChildren(QMessageBox)
            if box.icon() == QMessageBox.Icon.Warning and box.isVisible()]
