"""A neuron on the diagram: its circle, value, selection ring and map thumbnail.

Sizes are in scene units, which the canvas maps 1:1 onto viewport pixels.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QStyleOptionGraphicsItem, QWidget

from nnstudio.ui.network.item_look import ACCENT_COLOR, MAP_FRAME, OUTLINE_COLOR, TEXT_COLOR, HoverItem, ui_font
from nnstudio.ui.network.layout import map_rect, map_visible, neuron_pick_radius


class NeuronItem(HoverItem):
    """A neuron: a circle filled by its value, with an optional map beside it.

    A neuron whose value the current phase has not computed yet is drawn
    "pending": hatched grey with a dashed outline, no text, so it cannot be
    mistaken for a value at the centre of the colour scale.

    Parameters
    ----------
    layer : int
        Column (0 = input layer).
    index : int
        Neuron index within the layer.

    Attributes
    ----------
    layer, index : int
        As given.
    map_item : QGraphicsPixmapItem
        Child item that shows the neuron's output over the input plane; empty
        until :meth:`set_map` gives it a pixmap.
    """

    def __init__(self, layer: int, index: int) -> None:
        super().__init__()
        self.layer = layer
        self.index = index
        self._radius = 10.0
        self._fill = QColor("#ffffff")
        self._text: str | None = None
        self._text_color = TEXT_COLOR
        self._pending = False
        self._selected = False
        self.map_item = QGraphicsPixmapItem(self)
        self.map_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.map_item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self.map_item.setVisible(False)
        self._map_side = 0.0
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(5)  # neurons sit over the lines that end at their centres

    @property
    def radius(self) -> float:
        """Circle radius in px."""
        return self._radius

    def set_geometry(self, centre: QPointF, radius: float, map_side: float) -> None:
        """Place the neuron; ``map_side`` is the side of its map thumbnail (0 hides it)."""
        self.prepareGeometryChange()
        self._radius = float(radius)
        self.setPos(centre)
        self._map_side = float(map_side)
        self._place_map()

    def set_look(self, fill: QColor, text: str | None, text_color: QColor) -> None:
        """Set the fill colour and the value text (None for no text); clears "pending"."""
        if not self._pending and fill == self._fill and text == self._text and text_color == self._text_color:
            return  # nothing changed: skip the repaint
        self._pending = False
        self._fill = QColor(fill)
        self._text = text
        self._text_color = QColor(text_color)
        self.update()

    def set_pending(self, fill: QColor, hatch: QColor) -> None:
        """Draw the neuron as "not computed yet": ``fill`` hatched with ``hatch``, no text."""
        if self._pending and fill == self._fill and hatch == self._text_color:
            return
        self._pending = True
        self._fill = QColor(fill)
        self._text = None
        self._text_color = QColor(hatch)  # the hatch colour; no text is drawn
        self.update()

    def is_pending(self) -> bool:
        """Return whether the neuron is drawn as "not computed yet"."""
        return self._pending

    def fill_color(self) -> QColor:
        """Return the current fill colour."""
        return QColor(self._fill)

    def value_text(self) -> str | None:
        """Return the value text drawn inside the circle, or None."""
        return self._text

    def set_selected_ring(self, selected: bool) -> None:
        """Show or hide the selection ring."""
        if selected != self._selected:
            self._selected = selected
            self.update()

    def is_selected_ring(self) -> bool:
        """Return whether the selection ring is shown."""
        return self._selected

    def set_map(self, pixmap: QPixmap | None) -> None:
        """Show ``pixmap`` as the neuron's map thumbnail (None removes it)."""
        if pixmap is None or pixmap.isNull():
            self.map_item.setPixmap(QPixmap())
        else:
            self.map_item.setPixmap(pixmap)
        self._place_map()

    def _place_map(self) -> None:
        self.prepareGeometryChange()  # the frame drawn around the map is part of our bounds
        pixmap = self.map_item.pixmap()
        visible = map_visible(self._map_side) and not pixmap.isNull()
        self.map_item.setVisible(visible)
        if not visible:
            return
        side = self._map_side
        self.map_item.setScale(side / max(pixmap.width(), pixmap.height()))
        # Left of the circle, where the incoming lines converge: the map reads
        # as "what this neuron computes from its inputs".
        place = map_rect(self._radius, side)
        self.map_item.setPos(place.left, place.top)

    def _map_rect(self) -> QRectF | None:
        if not self.map_item.isVisible():
            return None
        place = map_rect(self._radius, self._map_side)
        return QRectF(place.left, place.top, place.width, place.height)

    def boundingRect(self) -> QRectF:
        r = self._radius + 5
        rect = QRectF(-r, -r, 2 * r, 2 * r)
        frame = self._map_rect()
        return rect if frame is None else rect.united(frame.adjusted(-2, -2, 2, 2))

    def shape(self) -> QPainterPath:
        # Tiny neurons (64-input layers) get a slightly larger click target.
        path = QPainterPath()
        r = neuron_pick_radius(self._radius)
        path.addEllipse(QPointF(0, 0), r, r)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        r = self._radius
        frame = self._map_rect()
        if frame is not None:
            # The map (a child item) paints over this, leaving a 1 px frame.
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(MAP_FRAME)
            painter.drawRect(frame.adjusted(-1, -1, 1, 1))
        if self._selected:
            painter.setPen(QPen(ACCENT_COLOR, 3.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), r + 2.5, r + 2.5)
        outline = QPen(ACCENT_COLOR if self._hovered else OUTLINE_COLOR, 1.6 if self._hovered else 1.0)
        outline.setCosmetic(True)
        if self._pending:
            outline.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(outline)
        painter.setBrush(QBrush(self._fill))
        painter.drawEllipse(QPointF(0, 0), r, r)
        if self._pending:
            painter.setBrush(QBrush(self._text_color, Qt.BrushStyle.BDiagPattern))
            painter.drawEllipse(QPointF(0, 0), r, r)
        elif self._text:
            font = ui_font(min(11.0, max(8.0, r * 0.62)))
            width = QFontMetricsF(font).horizontalAdvance(self._text)
            if width > 2 * r - 3:  # "-0.030" in a small circle: a smaller font, not an overflow
                font = ui_font(max(7.0, font.pixelSize() * (2 * r - 3) / width))
            painter.setFont(font)
            painter.setPen(self._text_color)
            painter.drawText(QRectF(-r, -r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, self._text)



