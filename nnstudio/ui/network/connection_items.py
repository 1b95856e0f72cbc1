"""The connections drawn as lines: one hit area per weight, and one item painting all the lines.

Sizes are in scene units, which the canvas maps 1:1 onto viewport pixels.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from nnstudio.ui.network.layout import CONNECTION_PICK_WIDTH


class ConnectionItem(QGraphicsPathItem):
    """One weight from neuron ``i`` of a layer to neuron ``j`` of the next.

    The item is the connection's *hit area* (a 7 px wide band along the line)
    and carries its pen, tooltip and hover highlight; the line itself is
    painted in bulk by :class:`ConnectionLinesItem`. Painting thousands of
    lines one item at a time costs Qt about 30 µs of bookkeeping per item,
    which made a 64-32-10 network take ~85 ms per frame instead of ~10 ms.

    Parameters
    ----------
    layer : int
        Index of the weight matrix (0 = input to first hidden layer).
    i, j : int
        Source and target neuron.

    Attributes
    ----------
    layer, i, j : int
        As given.
    """

    def __init__(self, layer: int, i: int, j: int) -> None:
        super().__init__()
        self.layer = layer
        self.i = i
        self.j = j
        self._line = QLineF()
        self._base_pen = QPen()
        self._hover_pen = QPen()
        self._hover_line: QGraphicsLineItem | None = None
        # No pen and no brush: shape() is the pick band itself, computed in
        # C++, so hover tests never call back into Python.
        self.setPen(Qt.PenStyle.NoPen)
        self.setBrush(Qt.BrushStyle.NoBrush)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(1)

    def set_endpoints(self, p1: QPointF, p2: QPointF) -> None:
        """Move the connection to run from ``p1`` to ``p2``."""
        self._line = QLineF(p1, p2)
        path = QPainterPath(p1)
        path.lineTo(p2)
        stroker = QPainterPathStroker()
        stroker.setWidth(CONNECTION_PICK_WIDTH)
        self.setPath(stroker.createStroke(path))
        if self._hover_line is not None:
            self._hover_line.setLine(self._line)

    def line(self) -> QLineF:
        """Return the drawn line (scene coordinates)."""
        return QLineF(self._line)

    def set_base_pen(self, pen: QPen, hover_pen: QPen) -> None:
        """Set the pen that encodes the weight and the bolder one used on hover.

        The owner repaints the lines; this item only draws the hover line.
        """
        self._base_pen = pen
        self._hover_pen = hover_pen
        if self._hover_line is not None:
            self._hover_line.setPen(hover_pen)

    def base_pen(self) -> QPen:
        """Return the weight-encoding pen (without any hover emphasis)."""
        return QPen(self._base_pen)

    def is_hovered(self) -> bool:
        """Return whether the mouse is over the connection."""
        return self._hover_line is not None and self._hover_line.isVisible()

    def hoverEnterEvent(self, event) -> None:
        if self._hover_line is None:  # created on first hover: most lines never are
            self._hover_line = QGraphicsLineItem(self._line, self)
            self._hover_line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self._hover_line.setAcceptHoverEvents(False)
        self._hover_line.setPen(self._hover_pen)
        self._hover_line.setVisible(True)
        self.setZValue(2)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        if self._hover_line is not None:
            self._hover_line.setVisible(False)
        self.setZValue(1)
        super().hoverLeaveEvent(event)


class ConnectionLinesItem(QGraphicsItem):
    """Paints every connection line in a few batched ``drawLines`` calls.

    The canvas hands over ``(pen, lines)`` groups, thin pens first so strong
    weights are drawn on top. The item caches its rendering, so hovering or
    selecting does not re-rasterise thousands of lines; only new weights do.
    """

    def __init__(self) -> None:
        super().__init__()
        self._groups: list[tuple[QPen, list[QLineF]]] = []
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(0)

    def set_rect(self, rect: QRectF) -> None:
        """Set the area the lines may cover (the scene rectangle)."""
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def set_groups(self, groups: list[tuple[QPen, list[QLineF]]]) -> None:
        """Replace the lines to draw: a list of ``(pen, lines)``, drawn in order."""
        self._groups = groups
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        for pen, lines in self._groups:
            painter.setPen(pen)
            painter.drawLines(lines)


