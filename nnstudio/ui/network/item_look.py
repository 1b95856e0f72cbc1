"""What the diagram's pieces share: its colours, its font and the hover look of clickable items."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsItem

from nnstudio.ui.plotting import colormaps

#: Main text (headers, neuron values on light fills).
TEXT_COLOR = QColor(colormaps.TEXT_COLOR)
#: Secondary text and outlines.
MUTED_TEXT_COLOR = QColor(colormaps.MUTED_TEXT_COLOR)
#: Selection ring and interactive highlights: near-black, because orange and
#: blue already mean values and green/violet mark the forward/backward phase.
ACCENT_COLOR = QColor(colormaps.TEXT_COLOR)
OUTLINE_COLOR = QColor("#7a828c")
#: What sits on the diagram (activation chips, ± buttons, notes): a white card in a light frame,
#: filled grey under the pointer.
CARD_FILL = QColor("#ffffff")
CARD_BORDER = QColor(colormaps.FRAME_COLOR)
HOVER_FILL = QColor("#e8eaed")
BUTTON_DISABLED = QColor("#b9bec5")
BUTTON_DISABLED_BORDER = QColor(colormaps.FAINT_LINE_COLOR)
MAP_FRAME = QColor("#9aa0a6")

#: The view's background and the columns' bands behind the neurons.
BACKGROUND = QColor("#f6f7f9")
BAND = QColor("#eceef2")
#: Lines with no weight yet, and weights that are not a number.
NEUTRAL_LINE = QColor("#b4b9c1")
NAN_LINE = QColor("#80868b")
NAN_FILL = QColor("#9aa0a6")
PHASES = {
    # direction: (band fill, band border, label fill, label text)
    "forward": (QColor("#e3f2e8"), QColor("#8cc9a0"), QColor("#1e8e3e"), "→ forward"),
    "backward": (QColor("#f1e6fb"), QColor("#c39be8"), QColor("#8430ce"), "← backward"),
}
#: The loss phase: no direction, a neutral tint and a dark label carrying the loss.
LOSS_BAND = (QColor("#e8eaed"), QColor("#9aa0a6"))
LOSS_LABEL_FILL = QColor("#3c4043")


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


class HoverItem(QGraphicsItem):
    """An item that repaints in its hover look while the mouse is over it (``_hovered``)."""

    def __init__(self) -> None:
        super().__init__()
        self._hovered = False
        self.setAcceptHoverEvents(True)

    def _shows_hover(self) -> bool:
        """Whether this item has a hover look at all."""
        return True

    def hoverEnterEvent(self, event) -> None:
        self._hovered = self._shows_hover()
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)
