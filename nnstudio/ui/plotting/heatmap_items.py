"""What a heatmap is drawn with: cell-numbered axes, the colour bar's look, the "not computed yet" cover."""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QGraphicsRectItem

from nnstudio.ui.plotting.axis_style import style_axes
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR, PENDING_HATCH
from nnstudio.ui.plotting.heatmap_levels import index_tick_cells

__all__ = ["IndexAxis", "PendingCover", "NOT_COMPUTED", "style_color_bar"]

#: The note under a layer the current phase has not reached.
NOT_COMPUTED = "not computed yet"


class IndexAxis(pg.AxisItem):
    """Axis labelled with 1-based cell numbers at cell centres (people count from 1).

    The step is chosen at paint time from the axis length (see
    :func:`~nnstudio.ui.plotting.heatmap_levels.index_tick_cells`), so a 4-neuron layer
    shows every number and a 256-neuron layer stays legible.

    Attributes
    ----------
    count : int
        Number of cells along the axis; 0 shows no ticks.
    """

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.count = 0
        # Horizontal labels sit side by side and need more room than stacked ones.
        self._min_pixels = 26.0 if orientation in ("top", "bottom") else 16.0

    def tickValues(self, minVal, maxVal, size):
        """One tick level at ``i + 0.5`` for the cells numbered 1 and every ``step``-th number."""
        ticks = index_tick_cells(self.count, minVal, maxVal, size, self._min_pixels)
        if ticks is None:
            return []
        step, cells = ticks
        return [(float(step), [i + 0.5 for i in cells])]

    def tickStrings(self, values, scale, spacing):
        """The 1-based number of the cell under each tick."""
        return [str(int(round(v - 0.5)) + 1) for v in values]


def style_color_bar(bar: pg.ColorBarItem, tick_font: QFont) -> None:
    """A thin horizontal bar in the window's axis colours, its labels in ``tick_font``."""
    style_axes(bar, ("left", "right", "top", "bottom"))  # only ``bar.axis`` shows values
    bar.axis.setTickFont(tick_font)
    # the end labels reach past the bar by half their width, which the default would hide
    bar.axis.setStyle(tickLength=-3, tickTextOffset=2, hideOverlappingLabels=40)
    bar.axis.setHeight(18)
    bar.getAxis("top").setHeight(1)


class PendingCover:
    """A hatched panel over the cells, with a note, while a layer is not computed yet."""

    def __init__(self, plot_item: pg.PlotItem) -> None:
        self.box = QGraphicsRectItem(0.0, 0.0, 1.0, 1.0)
        self.box.setPen(pg.mkPen(None))
        self.box.setBrush(QBrush(QColor(PENDING_HATCH), Qt.BrushStyle.BDiagPattern))
        self.box.setZValue(5)
        self.box.hide()
        plot_item.addItem(self.box, ignoreBounds=True)
        self.text = pg.TextItem(anchor=(0.5, 0.5), color=MUTED_TEXT_COLOR, fill=pg.mkBrush(255, 255, 255, 225))
        self.text.setZValue(6)
        self.text.hide()
        plot_item.addItem(self.text, ignoreBounds=True)

    def cover(self, rows: int, cols: int, visible: bool) -> None:
        """Size the cover to a ``rows`` × ``cols`` matrix and show it or not."""
        self.box.setRect(0.0, 0.0, float(cols), float(rows))
        self.box.setVisible(visible)
        self.text.setPos(cols / 2.0, rows / 2.0)

    def fit_note(self, note: str | None, width: float, shown: bool) -> bool:
        """Wrap ``note`` to ``width`` pixels of cells; False when too narrow for it (the read-out says it then).

        A narrow heatmap says only "not yet" for :data:`NOT_COMPUTED`.
        """
        text = note or ""
        if width < 100 and text == NOT_COMPUTED:
            text = "not yet"
        self.text.setHtml(f"<div style='text-align:center'>{html.escape(text)}</div>")
        self.text.setTextWidth(max(30.0, min(width - 6.0, 220.0)))
        fits = not (note is not None and width < 48)
        self.text.setVisible(note is not None and shown and fits)
        return fits
