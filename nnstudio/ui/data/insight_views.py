"""What the data panel shows when the inputs are not 2-D, so no decision boundary can be drawn.

* digits: :class:`~nnstudio.ui.data.digit_views.DigitView`, the current 8x8 sample with
  its class probabilities and a pad that classifies what the learner draws;
* other classification data: :class:`ConfusionMatrixView` of the test split;
* regression: :class:`PredictionScatter`, predicted against target.

:class:`InsightStack` holds all three and shows one. The views take plain numpy
arrays (computed by the owner from the engine's outputs) and reuse their plot
items on every update.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from nnstudio.ui.data.digit_views import DigitView, title_label
from nnstudio.ui.plotting.axis_style import style_axes
from nnstudio.ui.plotting.colormaps import (
    AXIS_COLOR,
    BACKGROUND,
    COUNT_DARK_COLOR,
    GRID_ALPHA,
    TEXT_COLOR,
    scale_position,
    signed_rgb,
    symmetric_levels,
)

__all__ = [
    "ConfusionMatrixView",
    "PredictionScatter",
    "InsightStack",
    "DigitView",
    "INSIGHT_KINDS",
    "confusion_lut",
    "r_squared",
]

#: The kinds :meth:`InsightStack.show_view` takes (None shows the empty page).
INSIGHT_KINDS = ("digits", "confusion", "regression", None)

#: Cells darker than this share of the colour scale get light text.
_LIGHT_TEXT_FROM = 0.55
_LIGHT_TEXT = "#ffffff"
#: Points are filled by their target on the window's scale (as in the data plot), ringed in grey.
_POINT_PEN = pg.mkPen(AXIS_COLOR, width=0.8)
_POINT_ALPHA = 220
_IDENTITY_PEN = pg.mkPen(AXIS_COLOR, width=1.2, style=Qt.PenStyle.DashLine)


def confusion_lut(size: int = 256) -> np.ndarray:
    """RGB lookup table (size, 3) uint8 from white (no samples) to dark grey (the most).

    Grey, because a count is an amount: in this window blue means class 1 or a positive value.
    """
    stops = np.array([0.0, 1.0])
    colors = np.array([(255, 255, 255), QColor(COUNT_DARK_COLOR).getRgb()[:3]], dtype=np.ubyte)
    return pg.ColorMap(stops, colors).getLookupTable(0.0, 1.0, nPts=size, alpha=False, mode=pg.ColorMap.BYTE)


def r_squared(target: np.ndarray, predicted: np.ndarray) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot``; nan when the targets do not vary or n = 0."""
    target = np.asarray(target, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    ss_tot = float(((target - target.mean()) ** 2).sum()) if target.size else 0.0
    if ss_tot == 0.0:
        return math.nan
    return 1.0 - float(((target - predicted) ** 2).sum()) / ss_tot


def _style_plot(item: pg.PlotItem) -> None:
    """A fixed plot with the app's axis colours: a learner's stray drag should not lose the view."""
    item.setMouseEnabled(x=False, y=False)
    item.setMenuEnabled(False)
    item.hideButtons()
    style_axes(item)


class ConfusionMatrixView(QWidget):
    """A k x k heat map of counts, true class down the side, predicted class along the bottom.

    Every cell shows its count (dark text on light cells, light on dark); the
    diagonal holds the correct predictions. The title reports the accuracy.

    Attributes
    ----------
    title : QLabel
        "Confusion matrix — test split (accuracy 96.7%)".
    plot_widget : pyqtgraph.PlotWidget
    image : pyqtgraph.ImageItem
        Row-major counts, row 0 (the first class) at the top, cell (i, j) spanning
        ``[j, j+1] x [i, i+1]``; levels (0, largest count).
    cell_texts : list of pyqtgraph.TextItem
        Row-major, ``k * k`` of them in use (the rest hidden).
    counts : numpy.ndarray
        The matrix shown, (k, k) int64.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionMatrix")
        self.title = title_label("Confusion matrix", self)
        self.plot_widget = pg.PlotWidget(self, background=BACKGROUND)
        item = self.plot_widget.getPlotItem()
        _style_plot(item)
        item.invertY(True)  # the first class in the top row, as in a table
        item.setAspectLocked(True)
        item.setLabel("left", "true", color=TEXT_COLOR)
        item.setLabel("bottom", "predicted", color=TEXT_COLOR)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(confusion_lut())
        item.addItem(self.image)
        self.cell_texts: list[pg.TextItem] = []
        self.counts = np.zeros((0, 0), dtype=np.int64)
        self._shown: tuple | None = None  # (class names, title) of the counts shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.plot_widget, 1)

    def set_matrix(self, counts: np.ndarray, class_names: Sequence[str], title_suffix: str = "test split") -> None:
        """Show ``counts[i, j]``: how many samples of true class i were predicted as class j.

        Parameters
        ----------
        counts : array, shape (k, k)
            Non-negative integer counts.
        class_names : sequence of str, length k
        title_suffix : str, optional
            Which split the counts come from, shown in the title.

        Raises
        ------
        ValueError
            A non-square or negative matrix, or the wrong number of class names.
        """
        counts = np.asarray(counts)
        if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] < 1:
            raise ValueError(f"counts must be a square (k, k) matrix, got shape {counts.shape}")
        if counts.size and (counts.dtype.kind not in "iub" and not np.array_equal(counts, np.rint(counts))):
            raise ValueError("counts must be integers")
        counts = counts.astype(np.int64)
        if (counts < 0).any():
            raise ValueError("counts must not be negative")
        k = counts.shape[0]
        names = [str(n) for n in class_names]
        if len(names) != k:
            raise ValueError(f"{len(names)} class names for a {k} x {k} matrix")
        shown = (names, title_suffix)
        if self._shown == shown and np.array_equal(self.counts, counts):
            return  # the same counts (most snapshots of a run change none): k² texts not laid out again
        self._shown = shown
        self.counts = counts

        top = max(int(counts.max()), 1)
        self.image.setImage(counts.astype(np.float32), levels=(0.0, float(top)), autoLevels=False)
        self._place_texts(counts, top)
        item = self.plot_widget.getPlotItem()
        ticks = [[(i + 0.5, name) for i, name in enumerate(names)]]
        item.getAxis("left").setTicks(ticks)
        item.getAxis("bottom").setTicks(ticks)
        item.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)

        total = int(counts.sum())
        verdict = f"accuracy {np.trace(counts) / total * 100:.1f}%" if total else "no samples"
        self.title.setText(f"Confusion matrix \u2014 {title_suffix} ({verdict})")

    def _place_texts(self, counts: np.ndarray, top: int) -> None:
        k = counts.shape[0]
        item = self.plot_widget.getPlotItem()
        while len(self.cell_texts) < k * k:  # grow the pool once; later matrices reuse it
            text = pg.TextItem(anchor=(0.5, 0.5))
            text.setZValue(5)
            item.addItem(text)
            self.cell_texts.append(text)
        font = QFont(self.font())
        # smaller digits for big matrices, so "100" still fits its cell
        font.setPointSizeF(max(7.0, font.pointSizeF() + (2.0 if k <= 4 else 0.0 if k <= 6 else -1.0)))
        for index, text in enumerate(self.cell_texts):
            if index >= k * k:
                text.setVisible(False)
                continue
            i, j = divmod(index, k)
            value = int(counts[i, j])
            text.setFont(font)
            text.setColor(_LIGHT_TEXT if value / top > _LIGHT_TEXT_FROM else TEXT_COLOR)
            text.setText(str(value))
            text.setPos(j + 0.5, i + 0.5)
            text.setVisible(True)


class PredictionScatter(QWidget):
    """Predicted against target values (regression), with the ideal y = x as a dashed line.

    Points on the line are predicted exactly; the title gives R² (1 is perfect,
    0 is no better than always predicting the mean). Each point is filled by its
    target on the window's scale, zero white (as the data plot colours regression
    targets), so the two views agree on what a colour means.

    Attributes
    ----------
    title : QLabel
        "Predicted vs target — test split (R² = 0.931)".
    plot_widget : pyqtgraph.PlotWidget
        Axes "target" (bottom) and "predicted" (left), equal scales.
    scatter : pyqtgraph.ScatterPlotItem
    identity_line : pyqtgraph.PlotDataItem
        Dashed y = x across the shown range.
    r2 : float
        The R² shown (nan when undefined).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("predictionScatter")
        self.title = title_label("Predicted vs target", self)
        self.plot_widget = pg.PlotWidget(self, background=BACKGROUND)
        item = self.plot_widget.getPlotItem()
        _style_plot(item)
        item.setAspectLocked(True)
        item.showGrid(x=True, y=True, alpha=GRID_ALPHA)
        item.setLabel("bottom", "target", color=TEXT_COLOR)
        item.setLabel("left", "predicted", color=TEXT_COLOR)
        self.identity_line = pg.PlotDataItem([], [], pen=_IDENTITY_PEN)
        self.scatter = pg.ScatterPlotItem(size=7, pen=_POINT_PEN)
        item.addItem(self.identity_line)
        item.addItem(self.scatter)
        self.r2 = math.nan
        self._shown: tuple | None = None  # (title, targets, predictions) shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.plot_widget, 1)

    def set_points(self, target: np.ndarray, predicted: np.ndarray, title_suffix: str = "test split") -> None:
        """Plot ``predicted[i]`` against ``target[i]`` and report R².

        Parameters
        ----------
        target, predicted : array, shape (n,)
            Real values; non-finite pairs are left out.
        title_suffix : str, optional
            Which split the points come from, shown in the title.

        Raises
        ------
        ValueError
            Arrays of different lengths or not 1-D.
        """
        target = np.asarray(target, dtype=np.float64).ravel()
        predicted = np.asarray(predicted, dtype=np.float64).ravel()
        if target.shape != predicted.shape:
            raise ValueError(f"target has {target.size} values but predicted has {predicted.size}")
        keep = np.isfinite(target) & np.isfinite(predicted)  # a diverged net must not break the view
        target, predicted = target[keep], predicted[keep]
        shown = (title_suffix, target, predicted)
        if (self._shown is not None and self._shown[0] == title_suffix and np.array_equal(self._shown[1], target)
                and np.array_equal(self._shown[2], predicted)):
            return  # the same points: n brushes not made again
        self._shown = shown
        fills = signed_rgb(scale_position(target, symmetric_levels(target)))
        self.scatter.setData(x=target, y=predicted,
                             brush=[pg.mkBrush(int(r), int(g), int(b), _POINT_ALPHA) for r, g, b in fills])
        if target.size:
            lo, hi = float(min(target.min(), predicted.min())), float(max(target.max(), predicted.max()))
        else:
            lo, hi = -1.0, 1.0
        if hi - lo < 1e-12:
            lo, hi = lo - 0.5, hi + 0.5
        pad = 0.05 * (hi - lo)
        lo, hi = lo - pad, hi + pad
        self.identity_line.setData([lo, hi], [lo, hi])
        self.plot_widget.getPlotItem().setRange(xRange=(lo, hi), yRange=(lo, hi), padding=0)
        self.r2 = r_squared(target, predicted)
        score = "R\u00b2 \u2014" if math.isnan(self.r2) else f"R\u00b2 = {self.r2:.3f}"
        self.title.setText(f"Predicted vs target \u2014 {title_suffix} ({score})")


class InsightStack(QStackedWidget):
    """One of the insight views, or an empty page, in the space of the decision-boundary plot.

    Attributes
    ----------
    empty_page : QWidget
        objectName ``"insightEmpty"``, shown for None.
    digit_view : DigitView
    confusion_view : ConfusionMatrixView
    prediction_scatter : PredictionScatter
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("insightStack")
        self.empty_page = QWidget(self, objectName="insightEmpty")
        self.digit_view = DigitView(self)
        self.confusion_view = ConfusionMatrixView(self)
        self.prediction_scatter = PredictionScatter(self)
        self._pages: dict[str | None, QWidget] = {
            None: self.empty_page,
            "digits": self.digit_view,
            "confusion": self.confusion_view,
            "regression": self.prediction_scatter,
        }
        for page in self._pages.values():
            self.addWidget(page)
        self.setCurrentWidget(self.empty_page)

    def show_view(self, kind: str | None) -> None:
        """Show the view for ``kind``: "digits", "confusion", "regression", or None for nothing.

        Raises
        ------
        ValueError
            Any other kind.
        """
        if kind not in self._pages:
            raise ValueError(f"unknown insight view {kind!r}; choose one of {INSIGHT_KINDS}")
        self.setCurrentWidget(self._pages[kind])

    def current_kind(self) -> str | None:
        """The kind on show (None for the empty page)."""
        current = self.currentWidget()
        return next(kind for kind, page in self._pages.items() if page is current)
