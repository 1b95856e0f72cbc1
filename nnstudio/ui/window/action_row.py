"""A row of buttons for window actions, for a dock that takes the side panel's room."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

__all__ = ["ActionRow"]


class ActionRow(QWidget):
    """Buttons that trigger the given actions (Step, Run…); hidden until shown.

    A dock that folds the side panel away on a narrow window shows one, so that Step
    and Run never go out of reach. Each button's objectName is ``prefix`` + the action's.
    """

    def __init__(self, object_name: str, prefix: str) -> None:
        super().__init__(objectName=object_name)
        self._prefix = prefix
        QHBoxLayout(self).setContentsMargins(6, 4, 6, 4)
        self.hide()

    def add_actions(self, actions) -> None:
        row = self.layout()
        for action in actions:
            button = QToolButton(self, objectName=f"{self._prefix}{action.objectName()}")
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            row.addWidget(button)
        row.addStretch(1)
