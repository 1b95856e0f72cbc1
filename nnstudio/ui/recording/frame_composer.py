"""Frames of the window: the panels to record, whether they can be, and each frame drawn side by side under a caption.

Frames are drawn on the window's thread (widgets can be painted only there): each panel
is rendered through a scaling painter into one frame, as vectors, so text and lines stay
sharp at any frame size.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFont, QImage, QPainter, QPalette, QRegion
from PySide6.QtWidgets import QApplication, QWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.plotting.numbers import format_number, format_percent

__all__ = ["FrameComposer", "caption_of", "panel_widgets", "rgb_array", "window_problem"]

#: Pixels between panels in a frame.
_GAP = 6


def panel_widgets(window, panels: str) -> list[tuple[str, QWidget]]:
    """The widgets to record for ``panels``, each with its name.

    The data panel is the decision-boundary plot, or for data that is not 2-D the view
    shown in its place (confusion matrix, predictions, digits).
    """
    data_plot = window.dataset_panel.plot
    data = data_plot if not data_plot.isHidden() else window.insight_stack.currentWidget()
    chosen = {"network": [("network", window.canvas)], "data": [("decision boundary", data)],
              "loss": [("loss plot", window.loss_plot.loss_plot)]}
    if panels == "all":
        return chosen["network"] + chosen["data"] + chosen["loss"]
    return chosen[panels]


def window_problem(window, panels: str) -> str | None:
    """Why ``window`` cannot be recorded now (one line), or None."""
    if not window.trainer_running:
        return "The trainer is not running: press Restart trainer first."
    if window.latest is None:
        return "There is nothing to record yet: the trainer has not answered."
    for name, widget in panel_widgets(window, panels):
        if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
            return (f"The {name} is not on screen (a closed panel or a collapsed splitter): "
                    "show it, or record another panel.")
    return None


class FrameComposer:
    """Draws the panels side by side, each scaled to ``height``, under a one-line caption.

    The layout is fixed when made (from the panels' sizes then), so every frame has the
    same size even if the window is resized while recording.
    """

    def __init__(self, widgets: list[QWidget], height: int) -> None:
        if not widgets:
            raise ValueError("nothing to record: no panel chosen")
        self.widgets = list(widgets)
        self.caption_height = max(18, round(height * 0.07))
        self.places: list[QRect] = []
        x = 0
        for widget in self.widgets:
            width = max(1, round(height * widget.width() / max(1, widget.height())))
            self.places.append(QRect(x, self.caption_height, width, height))
            x += width + _GAP
        self.size = (x - _GAP, self.caption_height + height)
        self.font = QFont(QApplication.font())
        self.font.setPixelSize(max(10, round(self.caption_height * 0.62)))

    def begin(self, caption: str) -> QImage:
        """A new frame: the background and the caption, the panels still to paint."""
        width, height = self.size
        image = QImage(width, height, QImage.Format.Format_RGB32)
        palette = QApplication.palette()
        image.fill(palette.color(QPalette.ColorRole.Window))
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.setFont(self.font)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            # Plain text: nothing in a caption is read as markup.
            painter.drawText(QRect(8, 0, width - 16, self.caption_height),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, caption)
        finally:
            painter.end()
        return image

    def paint(self, image: QImage, index: int) -> None:
        """Paint panel ``index`` as it is on screen now into its place in ``image``."""
        widget, place = self.widgets[index], self.places[index]
        if widget.width() <= 0 or widget.height() <= 0:
            return
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.translate(place.topLeft())
            # Scaled as vectors, so text and lines stay sharp at any frame size.
            painter.scale(place.width() / widget.width(), place.height() / widget.height())
            # QGraphicsView overrides render() with a scene-rendering signature.
            QWidget.render(widget, painter, QPoint(0, 0), QRegion(),
                           QWidget.RenderFlag.DrawWindowBackground | QWidget.RenderFlag.DrawChildren)
        finally:
            painter.end()

    def compose(self, caption: str) -> QImage:
        """One whole frame at once."""
        image = self.begin(caption)
        for index in range(len(self.widgets)):
            self.paint(image, index)
        return image


def rgb_array(image: QImage) -> np.ndarray:
    """``image`` as a ``(height, width, 3)`` uint8 RGB array (a copy)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    rows = np.frombuffer(rgb.constBits(), np.uint8, count=stride * height)
    return rows.reshape(height, stride)[:, :width * 3].reshape(height, width, 3).copy()


def caption_of(snapshot: Snapshot) -> str:
    """``cycle 120 · train loss 0.0123 · test loss 0.0140 · train acc 97.5% …`` (numbers only)."""
    text = f"NN Studio · cycle {snapshot.cycle}"
    e = snapshot.evaluation
    if e is not None:
        text += f" · train loss {format_number(e.train_loss)} · test loss {format_number(e.test_loss)}"
        if e.train_accuracy == e.train_accuracy:
            text += f" · train acc {format_percent(e.train_accuracy)} · test acc {format_percent(e.test_accuracy)}"
    return text
