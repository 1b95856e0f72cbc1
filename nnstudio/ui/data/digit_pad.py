"""The pad a learner draws an 8x8 digit on, and the digits' pixel convention.

Pixel convention (shared with the digits CSV columns ``p0..p63``): pixel ``(r, c)``
is ``p{r * 8 + c}``, row 0 at the top, column 0 on the left, intensity 0 (paper)
to 16 (ink). The pad is drawn white paper, black ink.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnstudio.ui.plotting.colormaps import AXIS_COLOR, MUTED_TEXT_COLOR

__all__ = ["DrawPad", "DIGIT_SIDE", "MAX_INK", "EMIT_INTERVAL_MS", "image_8x8"]

#: Pixels per side of a digit image.
DIGIT_SIDE = 8
#: Full ink, as in the digits dataset (its pixels are counts of a 4x4 block of a 32x32 bitmap).
MAX_INK = 16.0
#: While dragging, the pad reports its pixels at most this often (and always on release).
EMIT_INTERVAL_MS = 50
#: Brush profiles (in pixels): full strength within the core radius, then a Gaussian fall-off.
#: The paint brush leaves a cell the stroke crosses at 16 and its neighbours at ~4-9, like
#: the dataset's strokes (and a cell it crosses off-centre still gets full ink); the
#: eraser is wider, as erasers are.
_PAINT_CORE, _PAINT_SIGMA = 0.2, 0.5
_ERASE_CORE, _ERASE_SIGMA = 0.35, 0.8
#: Ink (and brush strength) below this is dropped, so a stroke leaves no faint haze over the whole pad.
_INK_FLOOR = 0.5

_GRID_COLOR = QColor("#e3e5e8")


def image_8x8(image: object, what: str) -> np.ndarray:
    """``image`` as an (8, 8) float64 array clipped to 0..16; (64,) is taken row-major."""
    arr = np.asarray(image, dtype=np.float64)
    if arr.size != DIGIT_SIDE * DIGIT_SIDE or arr.ndim not in (1, 2) or (arr.ndim == 2 and arr.shape != (8, 8)):
        raise ValueError(f"{what} must have shape (8, 8) or (64,), got {arr.shape}")
    return np.clip(np.nan_to_num(arr.reshape(DIGIT_SIDE, DIGIT_SIDE), nan=0.0), 0.0, MAX_INK)


class DrawPad(QWidget):
    """An 8x8 grid the learner paints a digit on with the mouse.

    Left-drag adds ink with a soft round brush (capped at 16), right-drag erases.
    Within one stroke the brush takes the maximum, not the sum, of its dabs, so
    the ink does not depend on how many mouse events a drag produces; a second
    stroke over the same place darkens it further.

    Signals
    -------
    sig_pixels_changed(object)
        The pixels, a (64,) float64 array 0..16 in row-major order (``p0..p63``).
        Emitted while a stroke is drawn (at most every :data:`EMIT_INTERVAL_MS`)
        and when it ends; never by :meth:`clear` or :meth:`set_pixels`.
    """

    sig_pixels_changed = Signal(object)  # ndarray (64,) float64 0..16, row-major

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digitDrawPad")
        self.setToolTip("Draw a digit: drag with the left button to paint, with the right button to erase.")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(112, 112)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._pixels = np.zeros((DIGIT_SIDE, DIGIT_SIDE))
        self._base: np.ndarray | None = None  # pixels when the stroke began
        self._stroke: np.ndarray | None = None  # brush coverage of the stroke so far
        self._button = Qt.MouseButton.NoButton
        self._last = QPointF()
        self._dirty = False
        self._timer = QTimer(self, singleShot=True, interval=EMIT_INTERVAL_MS)
        self._timer.timeout.connect(self._flush)
        ys, xs = np.mgrid[0:DIGIT_SIDE, 0:DIGIT_SIDE]
        self._centres = np.column_stack((xs.ravel() + 0.5, ys.ravel() + 0.5))  # (64, 2) as (col, row)

    def sizeHint(self) -> QSize:
        return QSize(160, 160)

    # ------------------------------------------------------------------ API

    def pixels(self) -> np.ndarray:
        """A copy of the pixels, (64,) float64 0..16, row-major."""
        return self._pixels.ravel().copy()

    def set_pixels(self, pixels: object) -> None:
        """Show ``pixels`` ((64,) row-major or (8, 8), clipped to 0..16) without emitting."""
        self._pixels = image_8x8(pixels, "pixels")
        self.update()

    def clear(self) -> None:
        """Wipe the pad without emitting."""
        self._pixels = np.zeros((DIGIT_SIDE, DIGIT_SIDE))
        self.update()

    def is_empty(self) -> bool:
        return not np.any(self._pixels)

    # ------------------------------------------------------------------ geometry

    def grid_rect(self) -> QRectF:
        """The square the 8x8 cells fill, centred in the widget, in widget coordinates."""
        side = max(8.0, min(self.width(), self.height()) - 2.0)
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def cell_centre(self, row: int, col: int) -> QPointF:
        """Widget position of the centre of pixel (row, col)."""
        rect = self.grid_rect()
        cell = rect.width() / DIGIT_SIDE
        return QPointF(rect.left() + (col + 0.5) * cell, rect.top() + (row + 0.5) * cell)

    def _to_pad(self, pos: QPointF) -> np.ndarray:
        """Widget position -> (col, row) in pixel units, 0..8 across the grid."""
        rect = self.grid_rect()
        cell = rect.width() / DIGIT_SIDE
        return np.array([(pos.x() - rect.left()) / cell, (pos.y() - rect.top()) / cell])

    # ------------------------------------------------------------------ painting with the mouse

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton) or self._stroke is not None:
            event.ignore()
            return
        self._button = event.button()
        self._base = self._pixels.copy()
        self._stroke = np.zeros(DIGIT_SIDE * DIGIT_SIDE)
        self._last = event.position()
        self._dab(self._last, self._last)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._stroke is None:
            event.ignore()
            return
        self._dab(self._last, event.position())
        self._last = event.position()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._stroke is None or event.button() != self._button:
            event.ignore()
            return
        self._dab(self._last, event.position())
        self._stroke = self._base = None
        self._button = Qt.MouseButton.NoButton
        self._timer.stop()
        self._flush()  # the finished stroke is always reported at once
        event.accept()

    def _dab(self, start: QPointF, end: QPointF) -> None:
        """Brush the segment start-end (widget coordinates) into the current stroke."""
        a, b = self._to_pad(start), self._to_pad(end)
        ab = b - a
        length2 = float(ab @ ab)
        # distance from every pixel centre to the segment (to the point when it has no length)
        t = np.zeros(len(self._centres)) if length2 == 0 else np.clip((self._centres - a) @ ab / length2, 0.0, 1.0)
        nearest = a + t[:, None] * ab
        d2 = ((self._centres - nearest) ** 2).sum(axis=1)
        erase = self._button == Qt.MouseButton.RightButton
        core, sigma = (_ERASE_CORE, _ERASE_SIGMA) if erase else (_PAINT_CORE, _PAINT_SIGMA)
        beyond = np.maximum(np.sqrt(d2) - core, 0.0)
        profile = MAX_INK * np.exp(-(beyond**2) / (2 * sigma**2))
        profile[profile < _INK_FLOOR] = 0.0  # a brush with a finite reach: far cells stay untouched
        np.maximum(self._stroke, profile, out=self._stroke)
        change = self._stroke.reshape(DIGIT_SIDE, DIGIT_SIDE)
        pixels = np.clip(self._base - change if erase else self._base + change, 0.0, MAX_INK)
        pixels[pixels < _INK_FLOOR] = 0.0
        self._pixels = pixels
        self.update()
        self._dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        if self._dirty:
            self._dirty = False
            self.sig_pixels_changed.emit(self.pixels())

    # ------------------------------------------------------------------ drawing

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.grid_rect()
        cell = rect.width() / DIGIT_SIDE
        painter.fillRect(rect, QColor("white"))
        for (row, col), value in np.ndenumerate(self._pixels):
            if value > 0:
                grey = round(255 * (1.0 - value / MAX_INK))
                painter.fillRect(QRectF(rect.left() + col * cell, rect.top() + row * cell, cell, cell),
                                 QColor(grey, grey, grey))
        painter.setPen(QPen(_GRID_COLOR, 1))
        for i in range(1, DIGIT_SIDE):
            x, y = rect.left() + i * cell, rect.top() + i * cell
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        painter.setPen(QPen(QColor(AXIS_COLOR), 1))
        painter.drawRect(rect)
        if self.is_empty():
            painter.setPen(QColor(MUTED_TEXT_COLOR))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "draw a digit\nhere")
        painter.end()
