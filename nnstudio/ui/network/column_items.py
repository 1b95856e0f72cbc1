"""What frames a column: its header, − / + buttons, background band and caption.

The items hold their geometry and look only; the canvas interprets clicks (it asks the
scene what is under the cursor). Sizes are in scene units = viewport pixels.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from nnstudio.ui.network.item_look import (
    ACCENT_COLOR,
    BUTTON_DISABLED,
    BUTTON_DISABLED_BORDER,
    CARD_BORDER,
    CARD_FILL,
    HOVER_FILL,
    MUTED_TEXT_COLOR,
    TEXT_COLOR,
    HoverItem,
    ui_font,
)
from nnstudio.ui.network.layout import BUTTON_SIZE


class HeaderItem(HoverItem):
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

    def boundingRect(self) -> QRectF:
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
        border = QPen(ACCENT_COLOR if self._hovered else CARD_BORDER, 1.0)
        border.setCosmetic(True)
        painter.setPen(border)
        painter.setBrush(HOVER_FILL if self._hovered else CARD_FILL)
        painter.drawRoundedRect(chip_rect, chip_rect.height() / 2, chip_rect.height() / 2)
        painter.setFont(ui_font(self.CHIP_PX))
        painter.setPen(ACCENT_COLOR if self._hovered else MUTED_TEXT_COLOR)
        painter.drawText(chip_rect, Qt.AlignmentFlag.AlignCenter, self._chip_text())

    def _shows_hover(self) -> bool:
        return self._activation is not None  # the input header is not clickable


class ButtonItem(HoverItem):
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

    SIZE = BUTTON_SIZE

    def __init__(self, layer: int, delta: int) -> None:
        super().__init__()
        self.layer = layer
        self.delta = delta
        self._enabled = True
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

    def boundingRect(self) -> QRectF:
        s = self.SIZE
        return QRectF(-s / 2 - 1, -s / 2 - 1, s + 2, s + 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        s = self.SIZE
        rect = QRectF(-s / 2, -s / 2, s, s)
        active = self._enabled and self._hovered
        border = QPen(ACCENT_COLOR if active else (CARD_BORDER if self._enabled else BUTTON_DISABLED_BORDER), 1.0)
        border.setCosmetic(True)
        painter.setPen(border)
        painter.setBrush(HOVER_FILL if active else CARD_FILL)
        painter.drawRoundedRect(rect, 5, 5)
        color = ACCENT_COLOR if active else (TEXT_COLOR if self._enabled else BUTTON_DISABLED)
        # Drawn as strokes rather than glyphs so "+" and "−" line up exactly.
        stroke = QPen(color, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        painter.setPen(stroke)
        arm = s * 0.24
        painter.drawLine(QPointF(-arm, 0), QPointF(arm, 0))
        if self.delta > 0:
            painter.drawLine(QPointF(0, -arm), QPointF(0, arm))



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

    def boundingRect(self) -> QRectF:
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

    def boundingRect(self) -> QRectF:
        return QRectF(-self._width / 2, -9, self._width, 18)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setFont(ui_font(self.PX))
        painter.setPen(MUTED_TEXT_COLOR)
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, self.text())
