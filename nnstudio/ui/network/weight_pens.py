"""How a value looks on the diagram: its place in the diverging colour table, and each weight's line pen."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from nnstudio.ui.network.item_look import BAND, MUTED_TEXT_COLOR, NAN_LINE, NEUTRAL_LINE
from nnstudio.ui.plotting.colormaps import signed_lut

#: Entries of the diagram's table, ``signed_lut(LUT_SIZE)``: index 0 is -1, 255 is 0, 510 is +1.
#: An odd table has an entry exactly at the centre: a zero weight or a sigmoid's 0.5 is white.
LUT_SIZE = 511
#: A line's width: |w| / max|w| of this, clamped to the range, in px.
MIN_LINE_W, MAX_LINE_W = 0.5, 6.0
#: The pen key of a connection with no weight yet.
NEUTRAL_KEY = ("neutral",)


def lut_index(t: np.ndarray) -> np.ndarray:
    """Map ``t`` in [-1, 1] (NaN allowed, drawn as the centre) to LUT indices."""
    t = np.nan_to_num(np.asarray(t, dtype=float), nan=0.0, posinf=1.0, neginf=-1.0)
    half = (LUT_SIZE - 1) / 2
    return np.rint((np.clip(t, -1.0, 1.0) + 1.0) * half).astype(np.intp)


def qcolor(rgb) -> QColor:
    """A QColor from an (r, g, b) row of the table."""
    return QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))


def line_keys(flat: np.ndarray, wmax: float) -> list[tuple]:
    """The pen key of each weight's line: sign, width in quarter px, and how strongly it shows."""
    ratio = np.clip(np.abs(np.nan_to_num(flat, nan=0.0, posinf=wmax, neginf=wmax)) / wmax, 0.0, 1.0)
    width_q = np.rint(np.clip(MAX_LINE_W * ratio, MIN_LINE_W, MAX_LINE_W) * 4).astype(int)
    # Weak lines fade out as well as thin out, so a dense layer shows its few strong
    # weights instead of a solid mesh.
    alpha = (np.rint((40 + 215 * ratio**1.5) / 5) * 5).astype(int)
    ok = np.isfinite(flat)
    return [("w", bool(flat[k] >= 0), int(width_q[k]), int(alpha[k])) if ok[k] else ("nan",) for k in range(len(flat))]


def drawing_order(key: tuple) -> tuple:
    """Sort key of pen keys: neutral and NaN lines first, then weights thinnest and faintest first."""
    return key[0] == "w", key[2:] if key[0] == "w" else ()


class WeightPens:
    """The pens of the connection lines, one per pen key, made once and shared."""

    def __init__(self) -> None:
        self._pens: dict[tuple, QPen] = {}
        self._hover_pens: dict[tuple, QPen] = {}

    def pen(self, key: tuple) -> QPen:
        """The line's pen for a key of :func:`line_keys` (or :data:`NEUTRAL_KEY`)."""
        # Equal weights share one QPen; reusing equal pens also lets
        # QGraphicsLineItem.setPen skip unchanged lines entirely.
        pen = self._pens.get(key)
        if pen is None:
            if key[0] == "neutral":
                pen = QPen(NEUTRAL_LINE, 1.0)
            elif key[0] == "nan":
                pen = QPen(NAN_LINE, 1.0, Qt.PenStyle.DashLine)
            else:
                _, positive, width_q, alpha = key
                # Fade by mixing towards the panel colour rather than by alpha:
                # Qt's raster engine draws translucent antialiased wide lines
                # about 15x slower than opaque ones (measured: 115 vs 7.5 ms
                # for 1024 lines), which decides whether 64x32 layers animate.
                rgb = signed_lut(LUT_SIZE)[-1 if positive else 0].astype(float)
                bg = np.array([BAND.red(), BAND.green(), BAND.blue()], dtype=float)
                mixed = bg + (rgb - bg) * (alpha / 255.0)
                pen = QPen(QColor(*(int(round(v)) for v in mixed)), width_q / 4.0)
            pen.setCosmetic(True)  # width in screen px whatever the transform
            # Flat caps keep Qt on its fast path for wide cosmetic lines (round
            # caps: 520 ms vs 20 ms for 2368 six-px lines); the ends are hidden
            # under the neurons anyway.
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            self._pens[key] = pen
        return pen

    def hover_pen(self, key: tuple) -> QPen:
        """The pen of a hovered line: the sign at full strength, however faint the line is."""
        pen = self._hover_pens.get(key)
        if pen is None:
            if key[0] == "w":
                color = qcolor(signed_lut(LUT_SIZE)[-1 if key[1] else 0]).darker(115)
            else:
                color = QColor(MUTED_TEXT_COLOR)
            pen = QPen(color, max(3.0, self.pen(key).widthF() + 2.0))
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)  # a single line: no speed concern
            self._hover_pens[key] = pen
        return pen

    def cell_hover_pen(self, value: float | None) -> QPen:
        """The hovered weight of a matrix, drawn as its connection: the sign's colour, 3 px."""
        if value is None or not np.isfinite(value):
            return self.hover_pen(NEUTRAL_KEY)
        return self.hover_pen(("w", bool(value >= 0), 4, 255))
