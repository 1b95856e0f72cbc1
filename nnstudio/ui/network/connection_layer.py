"""A layer pair with many weights drawn as one picture: its weight matrix, between the two columns.

A 64-input layer has 2,048 weights into 32 neurons. As lines that is a mesh nobody can
read, ~20 ms of rasterising per frame, and, as one item per line, ~8 ms of Python per
update. Above :data:`WEIGHT_IMAGE_ABOVE` connections the canvas draws the pair as its
weight matrix instead, one item for the pair: row i lies level with neuron i of the
left column and holds the weights out of it, column j holds the weights into neuron j
of the right column, each cell on the window's orange-white-blue scale (white = 0, full
colour = the largest |w| of the network, as the lines' width). Hovering a cell outlines
it, draws that connection as a line from neuron i to neuron j and names it in the
tooltip with its weight; clicking it edits the weight, as clicking a line does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from nnstudio.ui.network.item_look import ACCENT_COLOR, MAP_FRAME, NAN_LINE, NEUTRAL_LINE
from nnstudio.ui.network.layout import Rect, matrix_cell

__all__ = ["WEIGHT_IMAGE_ABOVE", "WeightImageItem", "WeightCell"]

#: A layer pair with more connections than this is drawn as its weight matrix, not as lines.
WEIGHT_IMAGE_ABOVE = 400


class WeightImageItem(QGraphicsItem):
    """The weights of one layer pair as an image, with hover and click on single weights.

    Parameters
    ----------
    layer : int
        The weight matrix shown (0 = input to first hidden layer).
    shape : (int, int)
        ``(fan_in, fan_out)``.
    lut : numpy.ndarray
        ``(m, 3)`` uint8 diverging colour table, index 0 = -1, the middle = 0, the last = +1.
    describe : callable
        ``describe(i, j, w)``: the tooltip of weight ``[i, j]`` whose value is ``w`` (None: no value yet).
    hover_pen : callable
        ``hover_pen(w)``: the pen that draws the hovered connection (``w`` None: no value yet).

    Attributes
    ----------
    layer : int
        As given.
    hovered : tuple of int or None
        ``(i, j)`` under the mouse.
    """

    def __init__(self, layer: int, shape: tuple[int, int], lut: np.ndarray,
                 describe: Callable[[int, int, float | None], str], hover_pen: Callable[[float | None], QPen]) -> None:
        super().__init__()
        self.layer = layer
        self.matrix_shape = (int(shape[0]), int(shape[1]))
        self._lut = lut
        self._describe, self._hover_pen_of = describe, hover_pen
        self._weights: np.ndarray | None = None
        self._image = QImage()
        self._rect = QRectF()
        self._sources: list[QPointF] = []
        self._targets: list[QPointF] = []
        self.hovered: tuple[int, int] | None = None
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(1)
        self.set_weights(None, 1.0)

    # ------------------------------------------------------------------ state
    def set_geometry(self, sources: Sequence[QPointF], targets: Sequence[QPointF], rect: QRectF) -> None:
        """The neurons' centres (scene) and the rectangle the matrix fills (its rows level with ``sources``)."""
        self.prepareGeometryChange()
        self._sources, self._targets = list(sources), list(targets)
        self._rect = QRectF(rect)
        self.update()

    def set_weights(self, weights: np.ndarray | None, scale: float) -> None:
        """Colour the cells by ``weights / scale`` (``scale``: the network's largest |w|); None: neutral grey."""
        rows, cols = self.matrix_shape
        if weights is None:
            self._weights = None
            rgb = np.empty((rows, cols, 3), np.uint8)
            rgb[:] = NEUTRAL_LINE.getRgb()[:3]  # no weights yet: the cells are the lines they stand for
        else:
            w = np.asarray(weights, dtype=float)
            if w.shape != self.matrix_shape:
                raise ValueError(f"weights of layer {self.layer}: expected shape {self.matrix_shape}, got {w.shape}")
            self._weights = w
            finite = np.isfinite(w)
            t = np.clip(np.where(finite, w, 0.0) / (scale if scale > 0 else 1.0), -1.0, 1.0)
            top = len(self._lut) - 1
            rgb = self._lut[np.rint((t + 1.0) * (top / 2)).astype(np.intp)]
            if not finite.all():
                rgb[~finite] = NAN_LINE.getRgb()[:3]
        rgb = np.ascontiguousarray(rgb)
        self._image = QImage(rgb.data, cols, rows, 3 * cols, QImage.Format.Format_RGB888).copy()
        if self.hovered is not None:
            self.setToolTip(self.tooltip(*self.hovered))
        self.update()

    def weight(self, i: int, j: int) -> float | None:
        """The weight ``[i, j]`` shown (None before any)."""
        return None if self._weights is None else float(self._weights[i, j])

    def tooltip(self, i: int, j: int) -> str:
        return self._describe(i, j, self.weight(i, j))

    # --------------------------------------------------------------- geometry
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """``(i, j)`` of the cell under a scene position, or None outside the matrix."""
        p = self.mapFromScene(scene_pos)
        rect = Rect(self._rect.left(), self._rect.top(), self._rect.width(), self._rect.height())
        return matrix_cell(p.x(), p.y(), rect, *self.matrix_shape)

    def cell_rect(self, i: int, j: int) -> QRectF:
        rows, cols = self.matrix_shape
        rect = self._rect
        w, h = rect.width() / cols, rect.height() / rows
        return QRectF(rect.left() + j * w, rect.top() + i * h, w, h)

    def line(self, i: int, j: int) -> QLineF:
        """The connection from neuron ``i`` to neuron ``j`` (scene), drawn while its cell is hovered."""
        if not self._sources or not self._targets:
            return QLineF()
        return QLineF(self._sources[i], self._targets[j])

    def boundingRect(self) -> QRectF:
        if not self._sources or not self._targets:
            return self._rect.adjusted(-2, -2, 2, 2)
        # The hovered connection may run outside the matrix, to its two neurons.
        xs = [p.x() for p in (self._sources[0], self._targets[0])]
        ys = [p.y() for p in (*self._sources[:1], *self._sources[-1:], *self._targets[:1], *self._targets[-1:])]
        reach = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        return self._rect.united(reach).adjusted(-4, -4, 4, 4)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self._rect)
        return path

    # ----------------------------------------------------------------- drawing
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self._rect.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)  # crisp cells
        painter.drawImage(self._rect, self._image)
        frame = QPen(MAP_FRAME, 1.0)
        frame.setCosmetic(True)
        painter.setPen(frame)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self._rect)
        if self.hovered is not None:
            i, j = self.hovered
            painter.setPen(self._hover_pen_of(self.weight(i, j)))
            painter.drawLine(self.line(i, j))
            outline = QPen(ACCENT_COLOR, 2.0)
            outline.setCosmetic(True)
            painter.setPen(outline)
            painter.drawRect(self.cell_rect(i, j))

    # -------------------------------------------------------------- hovering
    def hoverMoveEvent(self, event) -> None:
        self._hover(self.cell_at(event.scenePos()))
        super().hoverMoveEvent(event)

    def hoverEnterEvent(self, event) -> None:
        self._hover(self.cell_at(event.scenePos()))
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hover(None)
        super().hoverLeaveEvent(event)

    def _hover(self, cell: tuple[int, int] | None) -> None:
        if cell == self.hovered:
            return
        self.hovered = cell
        self.setToolTip("" if cell is None else self.tooltip(*cell))
        self.update()


class WeightCell:
    """One weight of a pair drawn as a matrix, answering what a connection's line item answers.

    ``NetworkCanvas.connection_item`` returns one for such a pair: its tooltip, line, the
    pen its line would have, and whether it is hovered; ``hover_point`` is where to point
    the mouse at it (the cell's centre).
    """

    def __init__(self, image: WeightImageItem, i: int, j: int, pen: QPen) -> None:
        self._image, self.layer, self.i, self.j = image, image.layer, i, j
        self._pen = pen

    def toolTip(self) -> str:
        return self._image.tooltip(self.i, self.j)

    def line(self) -> QLineF:
        return self._image.line(self.i, self.j)

    def base_pen(self) -> QPen:
        return QPen(self._pen)

    def is_hovered(self) -> bool:
        return self._image.hovered == (self.i, self.j)

    def hover_point(self) -> QPointF:
        return self._image.mapToScene(self._image.cell_rect(self.i, self.j).center())
