"""The bold heading that names what a heatmap-area panel shows, wrapped rather than clipped on a narrow window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from nnstudio.ui.plotting.colormaps import TEXT_COLOR

__all__ = ["panel_heading"]


def panel_heading(text: str, parent: QWidget, object_name: str = "") -> QLabel:
    """A heading as the layer heatmaps' own: bold, a point larger, in the text colour; never widens its panel."""
    label = QLabel(text, parent, objectName=object_name)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() + 1.0)
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setStyleSheet(f"color: {TEXT_COLOR};")
    return label
