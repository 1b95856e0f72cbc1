"""The QGraphicsItem pieces that :class:`~nnstudio.ui.network.network_canvas.NetworkCanvas` draws.

The items are deliberately dumb: they hold their geometry and look, and know
which layer/neuron/connection they stand for. Clicks are interpreted by the
canvas (it asks the scene what is under the cursor), so no item needs a
reference back to the view and the items stay cheap to create in bulk.

Sizes are in scene units, and the canvas maps the scene 1:1 onto viewport
pixels, so "px" in this module means screen pixels.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

__all__ = [
    "TEXT_COLOR",
    "MUTED_TEXT_COLOR",
    "ACCENT_COLOR",
    "ConnectionItem",
    "ConnectionLinesItem",
    "NeuronItem",
    "HeaderItem",
    "ButtonItem",
    "ColumnBandItem",
    "PhaseLabelItem",
    "NoteItem",
    "CaptionItem",
    "ui_font",
]

#: Main text (headers, neuron values on light fills).
TEXT_COLOR = QColor("#202124")
#: Secondary text and outlines.
MUTED_TEXT_COLOR = QColor("#5f6368")
#: Selection ring and interactive highlights: near-black, because orange and
#: blue already mean values and green/violet mark the forward/backward phase.
ACCENT_COLOR = QColor("#202124")
_OUTLINE_COLOR = QColor("#7a828c")
_CHIP_FILL = QColor("#ffffff")
_CHIP_BORDER = QColor("#c4c9d0")
_CHIP_HOVER = QColor("#e8eaed")
_BUTTON_FILL = QColor("#ffffff")
_BUTTON_HOVER = QColor("#e8eaed")
_MAP_FRAME = QColor("#9aa0a6")
_BUTTON_DISABLED = QColor("#b9bec5")
_NOTE_BORDER = QColor("#c4c9d0")

# Hover hit-area of a connection: thin lines (0.5 px) must still be easy to
# point at, so picking uses a band this wide.
_PICK_WIDTH = 7.0


def ui_font(pixel_size: float, bold: bool = False) -> QFont:
    """Return the canvas font at a pixel size.

    Pixel sizes (not points) keep the layout identical on every screen DPI,
    which matters because positions are computed from viewport pixels.
    """
    font = QFont()
    font.setPixelSize(max(1, round(pixel_size)))
    if bold:
        font.setWeight(QFont.Weight.DemiBold)
    return font


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
        stroker.setWidth(_PICK_WIDTH)
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

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._hover_line is None:  # created on first hover: most lines never are
            self._hover_line = QGraphicsLineItem(self._line, self)
            self._hover_line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self._hover_line.setAcceptHoverEvents(False)
        self._hover_line.setPen(self._hover_pen)
        self._hover_line.setVisible(True)
        self.setZValue(2)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
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

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        for pen, lines in self._groups:
            painter.setPen(pen)
            painter.drawLines(lines)


class NeuronItem(QGraphicsItem):
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
        self._hovered = False
        self.map_item = QGraphicsPixmapItem(self)
        self.map_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.map_item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self.map_item.setVisible(False)
        self._map_side = 0.0
        self.setAcceptHoverEvents(True)
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
        visible = self._map_side >= 12 and not pixmap.isNull()  # smaller maps are just noise
        self.map_item.setVisible(visible)
        if not visible:
            return
        side = self._map_side
        self.map_item.setScale(side / max(pixmap.width(), pixmap.height()))
        # Left of the circle, where the incoming lines converge: the map reads
        # as "what this neuron computes from its inputs".
        self.map_item.setPos(-self._radius - 5 - side, -side / 2)

    def _map_rect(self) -> QRectF | None:
        if not self.map_item.isVisible():
            return None
        side = self._map_side
        return QRectF(-self._radius - 5 - side, -side / 2, side, side)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        r = self._radius + 5
        rect = QRectF(-r, -r, 2 * r, 2 * r)
        frame = self._map_rect()
        return rect if frame is None else rect.united(frame.adjusted(-2, -2, 2, 2))

    def shape(self) -> QPainterPath:
        # Tiny neurons (64-input layers) get a slightly larger click target.
        path = QPainterPath()
        r = max(self._radius + 2, 5.0)
        path.addEllipse(QPointF(0, 0), r, r)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        r = self._radius
        frame = self._map_rect()
        if frame is not None:
            # The map (a child item) paints over this, leaving a 1 px frame.
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_MAP_FRAME)
            painter.drawRect(frame.adjusted(-1, -1, 1, 1))
        if self._selected:
            painter.setPen(QPen(ACCENT_COLOR, 3.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), r + 2.5, r + 2.5)
        outline = QPen(ACCENT_COLOR if self._hovered else _OUTLINE_COLOR, 1.6 if self._hovered else 1.0)
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

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)


class HeaderItem(QGraphicsItem):
    """A column header: bold title, then the activation as a clickable chip.

    Drawn on one line ("Hidden 1 (4) · sigmoid ▾") when the column is wide
    enough, otherwise the chip wraps under the title.

    Parameters
    ----------
    layer : int
        Column (0 = input layer).

    Attributes
    ----------
    layer : int
        As given.
    """

    TITLE_PX = 13.0
    CHIP_PX = 11.5
    LINE_H = 22.0

    def __init__(self, layer: int) -> None:
        super().__init__()
        self.layer = layer
        self._title = ""
        self._activation: str | None = None
        self._width = 100.0
        self._hovered = False
        self.setAcceptHoverEvents(True)
        self.setZValue(6)

    def set_content(self, title: str, activation: str | None) -> None:
        """Set the title ("Hidden 1 (4)") and activation (None for the input layer)."""
        self.prepareGeometryChange()
        self._title = title
        self._activation = activation
        editable = activation is not None
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton if editable else Qt.MouseButton.NoButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor if editable else Qt.CursorShape.ArrowCursor)
        self.setToolTip("Click to choose this layer's activation function" if editable else "")
        self.update()

    def set_width(self, width: float) -> None:
        """Set the width available to the header (the column width)."""
        self.prepareGeometryChange()
        self._width = float(width)

    def text(self) -> str:
        """Return the header as plain text, e.g. ``"Hidden 1 (4) · sigmoid"``."""
        return self._title if self._activation is None else f"{self._title} · {self._activation}"

    def _chip_text(self) -> str:
        return f"{self._activation} ▾"

    def _metrics(self) -> tuple[float, float]:
        title_w = QFontMetricsF(ui_font(self.TITLE_PX, bold=True)).horizontalAdvance(self._title)
        chip_w = QFontMetricsF(ui_font(self.CHIP_PX)).horizontalAdvance(self._chip_text()) + 14
        return title_w, chip_w

    def needs_two_lines(self) -> bool:
        """Return whether title and chip do not fit side by side."""
        if self._activation is None:
            return False
        title_w, chip_w = self._metrics()
        return title_w + 8 + chip_w > self._width - 6

    def height(self) -> float:
        """Return the height the header needs at its current width."""
        return 2 * self.LINE_H if self.needs_two_lines() else self.LINE_H

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return QRectF(-self._width / 2, 0, self._width, 2 * self.LINE_H)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        title_w, chip_w = self._metrics()
        h = self.LINE_H
        title_font = ui_font(self.TITLE_PX, bold=True)
        painter.setPen(TEXT_COLOR)
        if self._activation is None:
            painter.setFont(title_font)
            elided = painter.fontMetrics().elidedText(self._title, Qt.TextElideMode.ElideRight, int(self._width))
            painter.drawText(QRectF(-self._width / 2, 0, self._width, h), Qt.AlignmentFlag.AlignCenter, elided)
            return
        if self.needs_two_lines():
            title_rect = QRectF(-self._width / 2, 0, self._width, h)
            chip_rect = QRectF(-chip_w / 2, h + 1, chip_w, h - 4)
        else:
            left = -(title_w + 8 + chip_w) / 2
            title_rect = QRectF(left, 0, title_w + 1, h)
            chip_rect = QRectF(left + title_w + 8, 2, chip_w, h - 4)
        painter.setFont(title_font)
        elided = painter.fontMetrics().elidedText(self._title, Qt.TextElideMode.ElideRight, int(self._width))
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignCenter, elided)
        border = QPen(ACCENT_COLOR if self._hovered else _CHIP_BORDER, 1.0)
        border.setCosmetic(True)
        painter.setPen(border)
        painter.setBrush(_CHIP_HOVER if self._hovered else _CHIP_FILL)
        painter.drawRoundedRect(chip_rect, chip_rect.height() / 2, chip_rect.height() / 2)
        painter.setFont(ui_font(self.CHIP_PX))
        painter.setPen(ACCENT_COLOR if self._hovered else MUTED_TEXT_COLOR)
        painter.drawText(chip_rect, Qt.AlignmentFlag.AlignCenter, self._chip_text())

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._hovered = self._activation is not None
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)


class ButtonItem(QGraphicsItem):
    """A small square "+" or "−" button under a hidden-layer column.

    Parameters
    ----------
    layer : int
        Column the button edits.
    delta : int
        +1 adds a neuron, -1 removes one.

    Attributes
    ----------
    layer, delta : int
        As given.
    """

    SIZE = 22.0

    def __init__(self, layer: int, delta: int) -> None:
        super().__init__()
        self.layer = layer
        self.delta = delta
        self._enabled = True
        self._hovered = False
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(6)

    def set_button_enabled(self, enabled: bool, tooltip: str) -> None:
        """Enable or grey out the button and set its tooltip."""
        self._enabled = enabled
        self.setToolTip(tooltip)
        self.setCursor(Qt.CursorShape.PointingHandCursor if enabled else Qt.CursorShape.ArrowCursor)
        self.update()

    def is_button_enabled(self) -> bool:
        """Return whether clicking the button does anything."""
        return self._enabled

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        s = self.SIZE
        return QRectF(-s / 2 - 1, -s / 2 - 1, s + 2, s + 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        s = self.SIZE
        rect = QRectF(-s / 2, -s / 2, s, s)
        active = self._enabled and self._hovered
        border = QPen(ACCENT_COLOR if active else (_CHIP_BORDER if self._enabled else QColor("#dadce0")), 1.0)
        border.setCosmetic(True)
        painter.setPen(border)
        painter.setBrush(_BUTTON_HOVER if active else _BUTTON_FILL)
        painter.drawRoundedRect(rect, 5, 5)
        color = ACCENT_COLOR if active else (TEXT_COLOR if self._enabled else _BUTTON_DISABLED)
        # Drawn as strokes rather than glyphs so "+" and "−" line up exactly.
        stroke = QPen(color, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        painter.setPen(stroke)
        arm = s * 0.24
        painter.drawLine(QPointF(-arm, 0), QPointF(arm, 0))
        if self.delta > 0:
            painter.drawLine(QPointF(0, -arm), QPointF(0, arm))

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)


class ColumnBandItem(QGraphicsItem):
    """A rounded background panel behind one column; can be tinted for phase highlighting."""

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self._fill = QColor("#eef0f3")
        self._border: QColor | None = None
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(-10)

    def set_rect(self, rect: QRectF) -> None:
        """Set the panel rectangle in scene coordinates."""
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def rect(self) -> QRectF:
        """Return the panel rectangle."""
        return QRectF(self._rect)

    def set_colors(self, fill: QColor, border: QColor | None = None) -> None:
        """Set the fill and optional border colour."""
        self._fill = QColor(fill)
        self._border = None if border is None else QColor(border)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self._border is None:
            painter.setPen(Qt.PenStyle.NoPen)
        else:
            pen = QPen(self._border, 1.5)
            pen.setCosmetic(True)
            painter.setPen(pen)
        painter.setBrush(self._fill)
        painter.drawRoundedRect(self._rect, 10, 10)


class PhaseLabelItem(QGraphicsItem):
    """A pill-shaped label such as "→ forward", centred on its position."""

    PX = 12.0

    def __init__(self) -> None:
        super().__init__()
        self._text = ""
        self._fill = QColor("#ffffff")
        self._color = TEXT_COLOR
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(20)

    def set_content(self, text: str, fill: QColor, color: QColor) -> None:
        """Set the text, background and text colour."""
        self.prepareGeometryChange()
        self._text = text
        self._fill = QColor(fill)
        self._color = QColor(color)

    def text(self) -> str:
        """Return the label text."""
        return self._text

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        w = QFontMetricsF(ui_font(self.PX, bold=True)).horizontalAdvance(self._text) + 20
        return QRectF(-w / 2, -11, w, 22)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        rect = self.boundingRect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._fill)
        painter.drawRoundedRect(rect, 11, 11)
        painter.setFont(ui_font(self.PX, bold=True))
        painter.setPen(self._color)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._text)


class NoteItem(QGraphicsItem):
    """A small card of text lines beside a neuron ("target 1", "error +0.69").

    Its position is the card's top-left corner.
    """

    PX = 11.0
    PAD = 4.0

    def __init__(self) -> None:
        super().__init__()
        self._lines: tuple[str, ...] = ()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(15)

    def set_lines(self, lines: tuple[str, ...] | list[str]) -> None:
        """Set the text lines (an empty list leaves an empty card)."""
        lines = tuple(lines)
        if lines != self._lines:
            self.prepareGeometryChange()
            self._lines = lines
            self.update()

    def lines(self) -> tuple[str, ...]:
        """Return the text lines."""
        return self._lines

    def size_for(self, lines: tuple[str, ...] | list[str]) -> tuple[float, float]:
        """Width and height the card would take with ``lines``."""
        metrics = QFontMetricsF(ui_font(self.PX))
        width = max((metrics.horizontalAdvance(line) for line in lines), default=0.0)
        return width + 2 * self.PAD, len(lines) * metrics.height() + 2 * self.PAD - 2

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        w, h = self.size_for(self._lines)
        return QRectF(0, 0, w, h)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        rect = self.boundingRect()
        border = QPen(_NOTE_BORDER, 1.0)
        border.setCosmetic(True)
        painter.setPen(border)
        painter.setBrush(QColor("#ffffff"))
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        font = ui_font(self.PX)
        painter.setFont(font)
        painter.setPen(TEXT_COLOR)
        line_h = QFontMetricsF(font).height()
        for k, line in enumerate(self._lines):
            painter.drawText(QRectF(self.PAD, self.PAD - 1 + k * line_h, rect.width(), line_h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)


class CaptionItem(QGraphicsItem):
    """One line of muted text centred on its position, e.g. "δ = ∂L/∂z" under a column.

    Takes the first of its texts that fits its width (long form first, short last).
    """

    PX = 11.0

    def __init__(self) -> None:
        super().__init__()
        self._texts: tuple[str, ...] = ("",)
        self._width = 100.0
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(4)

    def set_texts(self, *texts: str) -> None:
        """Set the caption's forms, longest first."""
        if texts != self._texts:
            self._texts = texts or ("",)
            self.update()

    def set_width(self, width: float) -> None:
        """Set the width available (the column band's)."""
        self.prepareGeometryChange()
        self._width = float(width)

    def text(self) -> str:
        """Return the form drawn at the current width."""
        metrics = QFontMetricsF(ui_font(self.PX))
        for text in self._texts:
            if metrics.horizontalAdvance(text) <= self._width - 6:
                return text
        return self._texts[-1]

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return QRectF(-self._width / 2, -9, self._width, 18)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setFont(ui_font(self.PX))
        painter.setPen(MUTED_TEXT_COLOR)
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, self.text())
