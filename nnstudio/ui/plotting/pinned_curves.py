"""Pinned runs drawn under the current run on the loss and accuracy plots: their pens, labels and curves."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPen

from nnstudio.ui.plotting.colormaps import PINNED_COLORS
from nnstudio.ui.plotting.cycle_series import finite_xy

__all__ = ["PINNED_STYLES", "PINNED_LABEL_CHARS", "PinnedCurves", "PinnedOverlay", "legend_label", "pinned_pen"]

#: Pinned runs' pens: (grey, dash pattern) each, thin and patterned so the current run's bold
#: lines stay the headline.
PINNED_STYLES = tuple(zip(PINNED_COLORS, (
    (1, 2),  # dotted
    (6, 3),  # dashed
    (8, 3, 1, 3),  # dash-dot
    (2, 2, 2, 6),  # pairs of dots
)))
#: Longer pin labels are cut in the legend (the table above the plot has them whole).
PINNED_LABEL_CHARS = 30


class PinnedCurves(NamedTuple):
    """A pinned run as the plot draws it: its legend label and evaluated curves (k × 4)."""

    label: str
    cycles: np.ndarray
    evaluations: np.ndarray  # train loss, test loss, train accuracy, test accuracy


def pinned_pen(index: int, width: float) -> QPen:
    """The pen of pinned run ``index`` (styles repeat beyond ``len(PINNED_STYLES)``)."""
    color, pattern = PINNED_STYLES[index % len(PINNED_STYLES)]
    pen = pg.mkPen(color, width=width)
    pen.setDashPattern(list(pattern))
    return pen


def legend_label(label: str) -> str:
    """``label`` cut to :data:`PINNED_LABEL_CHARS` characters with an ellipsis."""
    return label if len(label) <= PINNED_LABEL_CHARS else label[:PINNED_LABEL_CHARS - 1] + "\u2026"


class PinnedOverlay:
    """The curves of the pinned runs on a loss plot and an accuracy plot, each with its legend."""

    def __init__(
        self, loss: tuple[pg.PlotWidget, pg.LegendItem], accuracy: tuple[pg.PlotWidget, pg.LegendItem]
    ) -> None:
        self._targets = ((*loss, (0, 1), 1.0), (*accuracy, (2, 3), 100.0))
        self._items: list[tuple[pg.PlotItem, pg.LegendItem, pg.PlotDataItem]] = []

    def show(self, runs: Sequence[PinnedCurves]) -> None:
        """Replace the drawn runs by ``runs``.

        Each run draws its train loss (and accuracy) in its pattern and its test curve in
        the same pattern, thinner; the legend names the run on its train curve.
        """
        for plot_item, legend, curve in self._items:
            legend.removeItem(curve)
            plot_item.removeItem(curve)
        self._items = []
        for index, run in enumerate(runs):
            ev = np.asarray(run.evaluations, np.float64).reshape(-1, 4)
            cycles = np.asarray(run.cycles, np.float64)
            for plot, legend, columns, scale in self._targets:
                plot_item = plot.getPlotItem()
                for column, width in zip(columns, (1.8, 1.0)):
                    x, y = finite_xy(cycles, ev[:, column])
                    if x.size == 0:
                        continue
                    curve = pg.PlotDataItem(x, y * scale, pen=pinned_pen(index, width), antialias=True)
                    curve.setZValue(-1)  # under the current run
                    plot_item.addItem(curve)
                    if width > 1.0:
                        legend.addItem(curve, html.escape(legend_label(run.label)))  # a data name may be a file's
                    self._items.append((plot_item, legend, curve))

    def curves(self) -> list[pg.PlotDataItem]:
        """The drawn curves (loss and accuracy plots)."""
        return [curve for _, _, curve in self._items]
