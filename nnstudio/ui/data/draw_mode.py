"""Draw mode of the "Data" panel: the learner's own two-class points and the tools that edit them.

:class:`DrawMode` holds the drawn set (``X`` (n, 2) float64 and ``labels`` (n,) int64
class ids 0/1), makes the draw tools (the Draw button, the class picker, Clear, Save CSV
and the hint) and does the editing: a left click on the plot adds a point of the class
picked, a right click removes the nearest point. It shows the drawn set on the panel's
plot and emits :attr:`DrawMode.sig_changed` after every edit.

:class:`~nnstudio.ui.data.dataset_panel.DatasetPanel` owns one: it lays the tools out, keeps
the public drawing methods (``add_drawn_point``, ``save_drawn_csv`` ...), which delegate
here, and decides when draw mode starts and ends and what the panel emits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QPushButton, QToolButton, QWidget

from nnstudio.engine.data.datasets import Dataset, save_csv
from nnstudio.engine.data.generators import DRAWN_NAME, PLANE_FEATURES
from nnstudio.ui.data.boundary_math import Bounds
from nnstudio.ui.data.boundary_plot import BoundaryPlot
from nnstudio.ui.plotting.colormaps import CLASS_COLORS, MUTED_TEXT_COLOR

__all__ = ["DrawMode", "DRAW_HINT", "DEFAULT_DRAW_BOUNDS", "PICK_RADIUS_PX"]

DRAW_HINT = "Click to add a point of the chosen class, right-click to remove the nearest"
#: The plane shown when drawing starts from nothing (TensorFlow Playground's range).
DEFAULT_DRAW_BOUNDS: Bounds = (-6.0, 6.0, -6.0, 6.0)
#: A right click further than this from every point (in screen pixels) removes nothing.
PICK_RADIUS_PX = 12.0

_TIPS = {
    "draw": "Make your own data: click the plot to add points, right-click to remove them.",
    "draw_class": "The class of the points a click adds.",
    "clear": "Remove every drawn point.",
    "save": "Save the drawn points as a CSV file (columns x1, x2, label).",
}


def _dot_icon(color: str, size: int = 12) -> QIcon:
    """A filled circle in ``color``: the class swatch of the class picker."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("white"))
    painter.setBrush(QColor(color))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def _pencil_icon(size: int = 16) -> QIcon:
    """A small pencil for the Draw button (Qt's standard icons have none)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(size / 2, size / 2)
    painter.rotate(45)
    unit = size / 16
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(MUTED_TEXT_COLOR))
    painter.drawRect(QRectF(-2 * unit, -7 * unit, 4 * unit, 9 * unit))  # body
    painter.setBrush(QColor(CLASS_COLORS[0]))
    painter.drawPolygon(QPolygonF([QPointF(-2 * unit, 3 * unit), QPointF(2 * unit, 3 * unit),
                                   QPointF(0, 7 * unit)]))  # tip
    painter.end()
    return QIcon(pixmap)


def _editable_points(shown: Mapping | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The points on show (train then test) as a drawn set, or None when they are not 2-D two-class data.

    ``shown`` holds the arguments of the panel's last ``set_points`` call (keys
    ``X_train``, ``labels_train``, ``X_test``, ``labels_test``, ``values``), or is None
    when nothing was shown. Points coloured by value (regression) give None; so do
    inputs with fewer than two columns, no points, or classes other than 0 and 1. Only
    the first two columns are kept.
    """
    if shown is None or shown["values"] is not None:
        return None
    parts = [np.asarray(shown[key], dtype=np.float64) for key in ("X_train", "X_test")]
    if any(X.ndim != 2 or X.shape[1] < 2 for X in parts):
        return None
    X = np.concatenate([X[:, :2] for X in parts])
    labels = np.concatenate([np.asarray(shown[key]).ravel() for key in ("labels_train", "labels_test")])
    if X.shape[0] == 0 or not np.isin(labels, (0, 1)).all():
        return None
    return X, labels.astype(np.int64)


def _same_points(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    """The same labelled points, in any order."""
    def ordered(points):
        X, labels = points
        rows = np.column_stack([X, labels])
        return rows[np.lexsort(rows.T[::-1])]
    return np.array_equal(ordered(a), ordered(b))


class DrawMode(QObject):
    """The drawn set shown on a :class:`BoundaryPlot`, and the tools that edit it.

    Parameters
    ----------
    plot : BoundaryPlot
        Where the drawn set is shown (all as training points) and clicked.
    parent : QObject, optional
        The owner, usually the :class:`~nnstudio.ui.data.dataset_panel.DatasetPanel`.

    Signals
    -------
    sig_changed()
        After a point is added or removed or the set is cleared, once the plot shows
        the new set. Not emitted by :meth:`start` or :meth:`stop`.

    Attributes
    ----------
    button : QToolButton
        objectName ``"drawModeButton"``, checkable: draw mode on/off. The owner
        connects it; :meth:`stop` unchecks it without a signal.
    class_combo : QComboBox
        objectName ``"drawClassCombo"``: "class 0" / "class 1" (item data 0 / 1),
        the class a left click adds.
    clear_button, save_button : QPushButton
        objectNames ``"clearDrawnButton"``, ``"saveDrawnButton"``; the owner
        connects them.
    hint : QLabel
        objectName ``"drawHint"``, :data:`DRAW_HINT`.

    The widgets are made without a parent; the owner puts them in its layout.
    """

    sig_changed = Signal()

    def __init__(self, plot: BoundaryPlot, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plot = plot
        self.button = QToolButton(objectName="drawModeButton", text="Dra&w", toolTip=_TIPS["draw"])
        self.button.setCheckable(True)
        self.button.setIcon(_pencil_icon())
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.class_combo = QComboBox(objectName="drawClassCombo", toolTip=_TIPS["draw_class"])
        for class_id in (0, 1):
            self.class_combo.addItem(_dot_icon(CLASS_COLORS[class_id]), f"class {class_id}", class_id)
        self.clear_button = QPushButton("Clear", objectName="clearDrawnButton", toolTip=_TIPS["clear"])
        self.save_button = QPushButton("Save CSV\u2026", objectName="saveDrawnButton", toolTip=_TIPS["save"])
        self.hint = QLabel(DRAW_HINT, objectName="drawHint", wordWrap=True)
        self.hint.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")

        self._active = False
        self._X = np.empty((0, 2), dtype=np.float64)
        self._labels = np.empty(0, dtype=np.int64)

    # ------------------------------------------------------------------ mode

    @property
    def active(self) -> bool:
        """True while the learner draws the data."""
        return self._active

    def start(self, shown: Mapping | None) -> None:
        """Enter draw mode, starting from the points on show when they are 2-D two-class data.

        ``shown`` holds the arguments of the owner's last ``set_points`` call (None when
        nothing was shown, or when its points are not generated data). Training and test
        points together become the drawn set, and the view is kept: the learner edits the
        picture they were looking at. Otherwise the set starts empty on
        :data:`DEFAULT_DRAW_BOUNDS` and the boundary is hidden (it belonged to other
        data). Does nothing when already in draw mode. Leaves the button as it is.
        """
        if self._active:
            return
        self._active = True
        points = _editable_points(shown)
        if points is None:
            self._X = np.empty((0, 2), dtype=np.float64)
            self._labels = np.empty(0, dtype=np.int64)
            self.plot.set_boundary(None)  # it belonged to other data
            self.plot.set_bounds(DEFAULT_DRAW_BOUNDS)
        else:
            self._X, self._labels = points
        self._show()

    def stop(self) -> bool:
        """Leave draw mode and uncheck the button (without a signal); False if not in draw mode.

        The drawn set is kept (see :meth:`points`); the plot still shows it until the
        owner shows its own data.
        """
        if not self._active:
            return False
        self._active = False
        with QSignalBlocker(self.button):
            self.button.setChecked(False)
        return True

    def update_tools(self) -> None:
        """Show the picker, Clear, Save and the hint in draw mode only; Clear and Save need a point."""
        for widget in (self.class_combo, self.clear_button, self.save_button, self.hint):
            widget.setVisible(self._active)
        has_points = self._labels.size > 0
        self.clear_button.setEnabled(has_points)
        self.save_button.setEnabled(has_points)

    # ------------------------------------------------------------------ the drawn set

    def is_drawing_of(self, shown: Mapping) -> bool:
        """True when ``shown`` (a ``set_points`` call's arguments) holds exactly the drawn points, split any way."""
        points = _editable_points(shown)
        if points is None or points[1].size != self._labels.size:
            return False
        return _same_points(points, (self._X, self._labels))

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of ``X`` (n, 2) float64 and ``labels`` (n,) int64."""
        return self._X.copy(), self._labels.copy()

    def add_point(self, x: float, y: float, class_id: int) -> None:
        """Add a point of class ``class_id`` (0 or 1) at view coordinates (x, y).

        Raises
        ------
        RuntimeError
            Not in draw mode.
        ValueError
            A class other than 0/1, or a coordinate that is not finite.
        """
        self._require_active()
        if class_id not in (0, 1) or isinstance(class_id, bool):
            raise ValueError(f"class_id must be 0 or 1, got {class_id!r}")
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"a drawn point needs finite coordinates, got ({x!r}, {y!r})")
        self._X = np.vstack([self._X, [[float(x), float(y)]]])
        self._labels = np.append(self._labels, np.int64(class_id))
        self._changed()

    def remove_nearest(self, x: float, y: float, max_pixels: float | None = PICK_RADIUS_PX) -> bool:
        """Remove the point nearest to view coordinates (x, y); True if one went.

        Only a point within ``max_pixels`` screen pixels counts (None: no limit).

        Raises
        ------
        RuntimeError
            Not in draw mode.
        """
        self._require_active()
        if self._labels.size == 0:
            return False
        # data units per screen pixel, per axis: a pixel-based radius works for any bounds
        px_w, px_h = self.plot.plot_item.getViewBox().viewPixelSize()
        if not (px_w > 0 and px_h > 0 and math.isfinite(px_w) and math.isfinite(px_h)):
            px_w = px_h = 1.0  # not laid out yet: fall back to data units
        distance = np.hypot((self._X[:, 0] - x) / px_w, (self._X[:, 1] - y) / px_h)
        nearest = int(np.argmin(distance))
        if max_pixels is not None and distance[nearest] > max_pixels:
            return False
        self._X = np.delete(self._X, nearest, axis=0)
        self._labels = np.delete(self._labels, nearest)
        self._changed()
        return True

    def clear(self) -> None:
        """Remove every point.

        Raises
        ------
        RuntimeError
            Not in draw mode.
        """
        self._require_active()
        self._X = np.empty((0, 2), dtype=np.float64)
        self._labels = np.empty(0, dtype=np.int64)
        self._changed()

    def on_plot_clicked(self, event) -> None:
        """The plot scene's click handler: in draw mode, left adds a point of the picked class, right removes one."""
        if not self._active:
            return
        view = self.plot.plot_item.getViewBox()
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return  # on an axis or the legend
        point = view.mapSceneToView(event.scenePos())
        if event.button() == Qt.MouseButton.LeftButton:
            self.add_point(point.x(), point.y(), int(self.class_combo.currentData()))
            event.accept()
        elif event.button() == Qt.MouseButton.RightButton:
            self.remove_nearest(point.x(), point.y())
            event.accept()

    def _require_active(self) -> None:
        if not self._active:
            raise RuntimeError("drawn points can only be edited in draw mode")

    def _show(self) -> None:
        # drawn points are all shown as training points; the view stays put (no bounds)
        self.plot.set_points(self._X, self._labels, np.empty((0, 2)), np.empty(0, dtype=np.int64))

    def _changed(self) -> None:
        self._show()
        self.sig_changed.emit()

    # ------------------------------------------------------------------ saving

    def dataset(self) -> Dataset:
        """The drawn set as a two-class :class:`~nnstudio.engine.data.datasets.Dataset` named "drawn" (x1, x2, label).
        """
        return Dataset(name=DRAWN_NAME, X=self._X, y=self._labels, task="classification",
                       feature_names=PLANE_FEATURES, target_name="label", class_names=("0", "1"))

    def save_csv(self, path: str) -> None:
        """Write the drawn points to ``path`` as CSV with columns x1, x2, label.

        Raises
        ------
        ValueError
            There are no drawn points.
        OSError
            The file cannot be written.
        """
        if self._labels.size == 0:
            raise ValueError("there are no drawn points to save")
        save_csv(self.dataset(), path)

    @staticmethod
    def ask_save_path(parent: QWidget | None) -> str | None:
        """Ask where to save the drawn points, in a file dialog over ``parent``; None if the learner cancels."""
        path, _ = QFileDialog.getSaveFileName(parent, "Save drawn points", "drawn.csv", "CSV files (*.csv)")
        return path or None
