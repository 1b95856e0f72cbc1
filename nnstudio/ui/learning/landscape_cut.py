"""The landscape's cut: the loss along the last update, from the weights before it (t = 0) to after it (t = 1)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from nnstudio.engine.run.landscape_session import LandscapeCut
from nnstudio.ui.learning.landscape_map import PATH_COLOR
from nnstudio.ui.plotting.colormaps import AXIS_COLOR, MUTED_TEXT_COLOR, TEST_COLOR, TEXT_COLOR
from nnstudio.ui.plotting.cycle_plot import style_plot
from nnstudio.ui.plotting.numbers import format_number

__all__ = ["CUT_TITLE", "LossCutPlot"]

CUT_TITLE = "The loss the step sees"


class LossCutPlot(QWidget):
    """The loss against t along the last update, under a title that reads its ends.

    Attributes
    ----------
    title
        "The loss the step sees: before → after" (objectName ``landscapeCutTitle``).
    plot
        The plot (objectName ``landscapeCut``).
    curve, marks
        The loss along the update against t; the points t = 0 and t = 1.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(objectName="landscapeCutTitle", textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        self.title.setStyleSheet(f"color: {TEXT_COLOR};")
        self.title.setContentsMargins(4, 2, 4, 0)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("landscapeCut")
        style_plot(self.plot, "t (steps along the last update)", "loss")
        item = self.plot.getPlotItem()
        item.getAxis("left").setWidth(48)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getViewBox().setMouseEnabled(x=False, y=False)
        self.plot.setMinimumHeight(80)
        self.curve = self.plot.plot(pen=pg.mkPen(TEST_COLOR, width=1.5))
        # "before" left of t = 0 and "after" right of t = 1: they never overlap.
        for t, name, anchor in ((0.0, "before", (1, 0)), (1.0, "after", (0, 0))):
            line = pg.InfiniteLine(pos=t, angle=90, pen=pg.mkPen(AXIS_COLOR, width=1, style=Qt.PenStyle.DashLine),
                                   label=name, labelOpts={"position": 0.98, "color": MUTED_TEXT_COLOR,
                                                          "anchors": [anchor, anchor]})
            self.plot.addItem(line)
        self.marks = pg.ScatterPlotItem(size=9)
        self.plot.addItem(self.marks)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        self.title.setText(CUT_TITLE)

    def draw_cut(self, cut: LandscapeCut) -> None:
        """The loss along ``cut``'s update, its ends marked and read in the title."""
        self.curve.setData(cut.ts, cut.losses)
        at = [int(np.flatnonzero(cut.ts == t)[0]) for t in (0.0, 1.0)]
        self.marks.setData(
            [{"pos": (0.0, cut.losses[at[0]]), "brush": pg.mkBrush("#ffffff"), "pen": pg.mkPen(TEXT_COLOR, width=1.5)},
             {"pos": (1.0, cut.losses[at[1]]), "brush": pg.mkBrush(PATH_COLOR), "pen": pg.mkPen("#ffffff", width=1)}])
        if cut.update_norm == 0:
            self.title.setText(f"No update yet at cycle {cut.cycle}: step once for a line to follow")
        else:
            self.title.setText(
                f"{CUT_TITLE}: {format_number(cut.losses[at[0]], 4)} → {format_number(cut.losses[at[1]], 4)}")
        self.title.setToolTip(
            f"The loss along the update of cycle {cut.cycle} (‖Δθ‖ = {format_number(cut.update_norm, 4)}): "
            "t = 0 is the weights before it, t = 1 the weights after it, t = 2 a step twice as long.")
        finite = cut.losses[np.isfinite(cut.losses)]
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            span = high - low or abs(high) or 1.0
            # Room above the curve for the labels of t = 0 and t = 1.
            self.plot.setYRange(low - 0.12 * span, high + 0.5 * span, padding=0)

    def clear_cut(self) -> None:
        self.curve.setData([], [])
        self.marks.setData([])
        self.title.setText(CUT_TITLE)
