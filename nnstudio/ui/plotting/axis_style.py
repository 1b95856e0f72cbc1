"""The window's axis look: axis lines and tick labels in the theme's colours, in a font a little smaller."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QFont

from nnstudio.ui.plotting.colormaps import AXIS_COLOR, TEXT_COLOR

__all__ = ["axis_label_style", "style_axes", "tick_font"]


def tick_font(font: QFont, smaller_by: float = 1.0, at_least: float = 8.0) -> QFont:
    """A copy of ``font``, ``smaller_by`` points smaller but never below ``at_least`` points."""
    small = QFont(font)
    small.setPointSizeF(max(at_least, small.pointSizeF() - smaller_by))
    return small


def axis_label_style(ticks: QFont, larger_by: float = 1.0) -> dict[str, str]:
    """``setLabel`` keywords for an axis title: the text colour, ``larger_by`` points above the ticks."""
    return {"color": TEXT_COLOR, "font-size": f"{ticks.pointSizeF() + larger_by:.0f}pt"}


def style_axes(item: pg.PlotItem, sides: Sequence[str] = ("left", "bottom"),
               font: QFont | None = None) -> list[pg.AxisItem]:
    """Give ``item``'s axes on ``sides`` the axis colour and text colour (and ``font`` for the ticks).

    Returns the axes, in the order of ``sides``, for what a plot styles on its own.
    """
    axes = [item.getAxis(side) for side in sides]
    for axis in axes:
        axis.setPen(pg.mkPen(AXIS_COLOR))
        axis.setTextPen(pg.mkPen(TEXT_COLOR))
        if font is not None:
            axis.setTickFont(font)
    return axes
