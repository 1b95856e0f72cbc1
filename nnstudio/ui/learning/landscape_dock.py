"""The loss landscape as a dock of the main window: the view, and Step and Run above it on a narrow window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMainWindow

from nnstudio.ui.learning.landscape_view import LandscapeView
from nnstudio.ui.window.action_row import ActionRow
from nnstudio.ui.window.window_dock import WindowDock, under_action_row

__all__ = ["DOCK_TITLE", "LandscapeDock"]

DOCK_TITLE = "Loss landscape"
#: The dock's width bounds when it opens (pixels).
DOCK_WIDTH = 460
DOCK_MIN_WIDTH = 330


class LandscapeDock(WindowDock):
    """The landscape as a dock of the main window, on its right and hidden until View › Loss landscape.

    A dock rather than a seventh heatmap tab: six tabs fill their bar from 1366 pixels up.
    Like the guide, on a narrow screen it may take the side panel's room; then it offers
    the training actions above the view (``show_training_actions``).

    Attributes
    ----------
    view
        The ``LandscapeView`` (objectName ``landscapeView``).
    training_row
        Buttons for the actions given to ``add_training_actions``, hidden unless shown.
    """

    def __init__(self, window: QMainWindow, send: Callable[..., None]) -> None:
        view = LandscapeView(send)
        training_row = ActionRow("landscapeTrainingRow", "landscape_")
        super().__init__(DOCK_TITLE, window, "landscapeDock", Qt.DockWidgetArea.RightDockWidgetArea,
                         under_action_row(training_row, view, spacing=2))
        self.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.view, self.training_row = view, training_row

    def size_on_first_opening(self, window: QMainWindow) -> None:
        """About a third of the window (a dock otherwise opens at its minimum)."""
        width = max(DOCK_MIN_WIDTH, min(DOCK_WIDTH, int(window.width() * 0.3)))
        # After the window's own answer to the opening (a narrow one folds its side panel away).
        QTimer.singleShot(0, lambda: window.resizeDocks([self], [width], Qt.Orientation.Horizontal))

    def add_training_actions(self, actions) -> None:
        """Buttons for these actions (Step, Run…) above the view, shown on demand."""
        self.training_row.add_actions(actions)

    def show_training_actions(self, visible: bool) -> None:
        self.training_row.setVisible(visible)
