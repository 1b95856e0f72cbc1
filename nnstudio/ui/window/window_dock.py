"""What the window's docks share: hidden until asked for, sized on their first opening, a row of actions on top."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QVBoxLayout, QWidget

__all__ = ["WindowDock", "under_action_row"]


def under_action_row(action_row: QWidget, content: QWidget, spacing: int) -> QWidget:
    """A dock's widget: ``action_row`` (Step, Run…, hidden unless shown) above ``content``, which takes the rest."""
    body = QWidget()
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    layout.addWidget(action_row)
    layout.addWidget(content, 1)
    return body


class WindowDock(QDockWidget):
    """A dock of the main window, in ``area`` and hidden, that takes its size when it first opens docked.

    A dock otherwise opens at its size hint or its minimum: too tall for a table, too
    narrow for a plot. Subclasses say the size in ``size_on_first_opening``.

    Attributes
    ----------
    sized
        True once it has its size, or once a saved layout gave it one.
    """

    def __init__(self, title: str, window: QMainWindow, object_name: str, area: Qt.DockWidgetArea,
                 content: QWidget) -> None:
        super().__init__(title, window, objectName=object_name)
        self.setWidget(content)
        window.addDockWidget(area, self)
        self.hide()
        self.sized = False
        self.visibilityChanged.connect(self._size_once)

    def _size_once(self, visible: bool) -> None:
        window = self.parentWidget()
        if visible and not self.sized and isinstance(window, QMainWindow) and not self.isFloating():
            self.sized = True
            self.size_on_first_opening(window)

    def size_on_first_opening(self, window: QMainWindow) -> None:
        """Resize the dock in ``window`` (``QMainWindow.resizeDocks``)."""
        raise NotImplementedError
