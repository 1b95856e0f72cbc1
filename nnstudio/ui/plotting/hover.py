"""Hovering a pyqtgraph view: rate-limited pointer moves, a reset when the pointer leaves, the cursor marks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt

from nnstudio.ui.plotting.colormaps import HOVER_COLOR

__all__ = ["HOVER_RATE_LIMIT", "HoverCursor", "PlotHover", "scene_point", "view_x"]

#: Hover read-outs update at most this often (Hz); mouse moves arrive far faster.
HOVER_RATE_LIMIT = 30


def scene_point(event: object) -> QPointF:
    """The scene position of a move: SignalProxy delivers a tuple, direct calls may pass the point."""
    return event[0] if isinstance(event, (tuple, list)) else event  # type: ignore[index]


def view_x(plot: pg.PlotWidget, event: object) -> float | None:
    """Pointer x in data coordinates, or None when the pointer is outside the data area."""
    pos = scene_point(event)
    view = plot.getPlotItem().getViewBox()
    if not view.sceneBoundingRect().contains(pos):
        return None
    return float(view.mapSceneToView(pos).x())


class PlotHover(QObject):
    """Delivers a plot's pointer moves to ``on_move`` at most :data:`HOVER_RATE_LIMIT` times a second,
    and calls ``on_leave`` when the pointer leaves the plot (moves stop arriving then)."""

    def __init__(self, plot: pg.GraphicsView, on_move: Callable[[object], None], on_leave: Callable[[], None]) -> None:
        super().__init__(plot)
        self._on_leave = on_leave
        # SignalProxy must stay referenced or it is collected.
        self._proxy = pg.SignalProxy(plot.scene().sigMouseMoved, rateLimit=HOVER_RATE_LIMIT, slot=on_move)
        plot.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Reset on Leave, after delivering a still-queued move that would otherwise re-show the read-out."""
        if event.type() == QEvent.Type.Leave:
            self._proxy.flush()
            self._on_leave()
        return False


class HoverCursor:
    """A dashed vertical line plus one marker per series, created once per plot.

    Parameters
    ----------
    plot : pyqtgraph.PlotWidget
        Plot to decorate.
    colors : sequence of color-like
        Marker colour for each series, in the order passed to :meth:`show`.
    """

    def __init__(self, plot: pg.PlotWidget, colors: Sequence) -> None:
        item = plot.getPlotItem()
        self.line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(HOVER_COLOR, width=1, style=Qt.PenStyle.DashLine)
        )
        # One single-point PlotDataItem per series (not a bare ScatterPlotItem) so
        # markers follow log mode like the curves; single points are also immune
        # to the clip-to-view slicing the PlotItem applies to every data item.
        self.markers = [
            pg.PlotDataItem(
                symbol="o",
                symbolSize=8,
                pen=None,
                symbolBrush=pg.mkBrush(color),
                symbolPen=pg.mkPen("w", width=1.5),
                antialias=True,
            )
            for color in colors
        ]
        # ignoreBounds: hover decorations must never change the auto-range.
        item.addItem(self.line, ignoreBounds=True)
        for marker in self.markers:
            item.addItem(marker, ignoreBounds=True)
        self.hide()

    def show(self, x: float, values: Sequence[float | None]) -> None:
        """Place the line at ``x`` and a marker on each series that has a value there."""
        self.line.setPos(x)
        self.line.show()
        for marker, value in zip(self.markers, values):
            if value is None:
                marker.hide()
            else:
                marker.setData([x], [value])
                marker.show()

    def hide(self) -> None:
        """Hide line and markers."""
        self.line.hide()
        for marker in self.markers:
            marker.hide()

    def remove_from(self, plot: pg.PlotWidget) -> None:
        """Take the line and markers off ``plot`` (before a cursor with other series replaces this one)."""
        item = plot.getPlotItem()
        for mark in [self.line, *self.markers]:
            item.removeItem(mark)
