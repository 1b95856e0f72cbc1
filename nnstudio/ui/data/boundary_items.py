"""The pyqtgraph items the data plane draws with: the boundary contour, the heatmap's rectangle, point tips."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont

from nnstudio.engine.data.generators import PLANE_FEATURES
from nnstudio.ui.data.boundary_math import check_bounds, contour_segments
from nnstudio.ui.plotting.axis_style import axis_label_style, style_axes, tick_font

__all__ = ["ContourCurve", "boundary_rect", "point_tip", "StaticLegendSample", "style_plane_axes"]


class ContourCurve(pg.IsocurveItem):
    """pyqtgraph's isocurve item, its curve found by :func:`contour_segments` and drawn as segments."""

    def generatePath(self) -> None:
        if self.data is None:
            self.path = None
            return
        data = self.data.T if self.axisOrder == "row-major" else self.data
        x, y = contour_segments(data, self.level)
        self.path = pg.arrayToQPath(x, y, connect="pairs")


def boundary_rect(bounds: Sequence[float], shape: tuple[int, int]) -> QRectF:
    """The scene rectangle of an ``(H, W)`` boundary image whose pixel centres are the grid samples.

    A pixel is ``(xmax - xmin) / (W - 1)`` wide (the full span when ``W == 1``), and
    the rectangle reaches half a pixel beyond ``bounds`` on every side.
    """
    xmin, xmax, ymin, ymax = check_bounds(bounds)
    rows, cols = shape
    dx = (xmax - xmin) / (cols - 1) if cols > 1 else xmax - xmin
    dy = (ymax - ymin) / (rows - 1) if rows > 1 else ymax - ymin
    return QRectF(xmin - dx / 2, ymin - dy / 2, cols * dx, rows * dy)


def point_tip(split: str) -> Callable[[float, float, object], str]:
    """The hover text of a ``split`` ("train" or "test") point: its class or target, and where it is."""
    def tip(x: float, y: float, data: object) -> str:
        # spot data is a class id (numpy int) or, for regression, the target (a float)
        what = f"target {data:.3g}" if isinstance(data, float) else f"class {data}"
        return f"{what} \u00b7 {split}\nx1 = {x:.3g}, x2 = {y:.3g}"
    return tip


class StaticLegendSample(pg.ItemSample):
    """Legend sample that ignores clicks: the default would hide its (dummy) item."""

    def mouseClickEvent(self, event) -> None:
        event.ignore()


def style_plane_axes(item: pg.PlotItem, font: QFont) -> None:
    """Frame the plane with axes x1 and x2 at a fixed 1:1 aspect, and no pan, zoom or menu."""
    ticks = tick_font(font)
    label_style = axis_label_style(ticks)
    for side in ("top", "right"):
        item.showAxis(side)
    _, _, top, right = style_axes(item, ("left", "bottom", "top", "right"), ticks)
    for axis in (top, right):  # value-free axes just close the frame
        axis.setStyle(showValues=False, tickLength=0)
    item.getAxis("left").setWidth(40)
    item.setLabel("bottom", PLANE_FEATURES[0], **label_style)
    item.setLabel("left", PLANE_FEATURES[1], **label_style)
    item.setAspectLocked(True, ratio=1.0)
    item.setMouseEnabled(x=False, y=False)  # a learner's stray drag should not lose the data
    item.setMenuEnabled(False)
    item.hideButtons()
    item.getViewBox().disableAutoRange()
