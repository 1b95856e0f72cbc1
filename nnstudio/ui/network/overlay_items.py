"""Labels over the diagram: the phase and loss pills and the output neurons' cards."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from nnstudio.ui.network.item_look import CARD_BORDER, CARD_FILL, TEXT_COLOR, ui_font


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

    def boundingRect(self) -> QRectF:
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

    def boundingRect(self) -> QRectF:
        w, h = self.size_for(self._lines)
        return QRectF(0, 0, w, h)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        rect = self.boundingRect()
        border = QPen(CARD_BORDER, 1.0)
        border.setCosmetic(True)
        painter.setPen(border)
        painter.setBrush(CARD_FILL)
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        font = ui_font(self.PX)
        painter.setFont(font)
        painter.setPen(TEXT_COLOR)
        line_h = QFontMetricsF(font).height()
        for k, line in enumerate(self._lines):
            painter.drawText(QRectF(self.PAD, self.PAD - 1 + k * line_h, rect.width(), line_h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)


