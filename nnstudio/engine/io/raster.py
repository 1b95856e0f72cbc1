"""PNG figures without a plotting library: an RGB canvas, lines, a 5×7 bitmap font, PNG bytes.

The command line draws its figures (the loss curves of ``nnstudio compare``, the loss
landscape of ``nnstudio landscape``) with numpy alone, so it never needs Qt or matplotlib.
A ``Canvas`` is a (height, width, 3) uint8 array with y growing downwards; ``encode_png``
writes it as an 8-bit RGB PNG (one zlib stream, filter 0 on every row), ``write_png``
atomically. Text is upper case in a 5×7 font (lower case is drawn as upper case; a
character the font lacks is drawn as "?"), so nothing a file name or a label holds can do
more than print as a glyph.
"""

from __future__ import annotations

import math
import os
import struct
import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import numpy.typing as npt

from nnstudio.engine.io.fileio import atomic_write_bytes

__all__ = ["Canvas", "encode_png", "write_png", "FONT", "GLYPH_WIDTH", "GLYPH_HEIGHT", "Series", "line_chart",
           "heat_map", "SERIES_COLORS", "sequential_colors"]

Color = tuple[int, int, int]

GLYPH_WIDTH, GLYPH_HEIGHT = 5, 7

# Each glyph: 7 rows of 5 pixels, "1" inked.
_GLYPH_ROWS = {
    " ": "00000 00000 00000 00000 00000 00000 00000",
    "0": "01110 10001 10011 10101 11001 10001 01110",
    "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111",
    "3": "11111 00010 00100 00010 00001 10001 01110",
    "4": "00010 00110 01010 10010 11111 00010 00010",
    "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110",
    "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110",
    "9": "01110 10001 10001 01111 00001 00010 01100",
    "A": "01110 10001 10001 11111 10001 10001 10001",
    "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110",
    "D": "11100 10010 10001 10001 10001 10010 11100",
    "E": "11111 10000 10000 11110 10000 10000 11111",
    "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111",
    "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110",
    "J": "00111 00010 00010 00010 00010 10010 01100",
    "K": "10001 10010 10100 11000 10100 10010 10001",
    "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001",
    "N": "10001 10001 11001 10101 10011 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110",
    "P": "11110 10001 10001 11110 10000 10000 10000",
    "Q": "01110 10001 10001 10001 10101 10010 01101",
    "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110",
    "T": "11111 00100 00100 00100 00100 00100 00100",
    "U": "10001 10001 10001 10001 10001 10001 01110",
    "V": "10001 10001 10001 10001 10001 01010 00100",
    "W": "10001 10001 10001 10101 10101 10101 01010",
    "X": "10001 10001 01010 00100 01010 10001 10001",
    "Y": "10001 10001 10001 01010 00100 00100 00100",
    "Z": "11111 00001 00010 00100 01000 10000 11111",
    ".": "00000 00000 00000 00000 00000 01100 01100",
    ",": "00000 00000 00000 00000 01100 00100 01000",
    "-": "00000 00000 00000 11111 00000 00000 00000",
    "+": "00000 00100 00100 11111 00100 00100 00000",
    "=": "00000 00000 11111 00000 11111 00000 00000",
    "(": "00010 00100 01000 01000 01000 00100 00010",
    ")": "01000 00100 00010 00010 00010 00100 01000",
    "[": "01110 01000 01000 01000 01000 01000 01110",
    "]": "01110 00010 00010 00010 00010 00010 01110",
    "<": "00010 00100 01000 10000 01000 00100 00010",
    ">": "01000 00100 00010 00001 00010 00100 01000",
    ":": "00000 01100 01100 00000 01100 01100 00000",
    "%": "11000 11001 00010 00100 01000 10011 00011",
    "/": "00000 00001 00010 00100 01000 10000 00000",
    "_": "00000 00000 00000 00000 00000 00000 11111",
    "*": "00000 00100 10101 01110 10101 00100 00000",
    "'": "01100 00100 01000 00000 00000 00000 00000",
    "?": "01110 10001 00001 00010 00100 00000 00100",
}
#: Character → (7, 5) bool array of inked pixels.
FONT: dict[str, np.ndarray] = {
    char: np.array([[bit == "1" for bit in row] for row in rows.split()], dtype=bool)
    for char, rows in _GLYPH_ROWS.items()
}
_SAME_GLYPH = {"−": "-", "–": "-", "×": "*", "·": "."}

#: Distinct colours for up to eight series (Okabe–Ito, readable by colour-blind eyes).
SERIES_COLORS: tuple[Color, ...] = ((0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167),
                                    (86, 180, 233), (230, 159, 0), (0, 0, 0), (240, 228, 66))
_VIRIDIS = np.array([(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)], dtype=np.float64)
WHITE, BLACK, GREY, LIGHT_GREY = (255, 255, 255), (0, 0, 0), (110, 110, 110), (225, 225, 225)


def _glyph(char: str) -> np.ndarray:
    char = _SAME_GLYPH.get(char, char).upper()
    return FONT.get(char, FONT["?"])


class Canvas:
    """An RGB image to draw on: ``pixels`` (height, width, 3) uint8; x right, y down.

    Everything drawn is clipped to the canvas: coordinates outside it are simply not inked.
    """

    def __init__(self, width: int, height: int, background: Color = WHITE) -> None:
        if width < 1 or height < 1:
            raise ValueError(f"a canvas needs at least 1×1 pixels, got {width}×{height}")
        self.width, self.height = int(width), int(height)
        self.pixels = np.empty((self.height, self.width, 3), np.uint8)
        self.pixels[...] = background

    def plot(self, xs, ys, color: Color) -> None:
        """Ink the pixels (round(x), round(y)) that lie on the canvas."""
        xs = np.rint(np.asarray(xs, dtype=np.float64))
        ys = np.rint(np.asarray(ys, dtype=np.float64))
        inside = (xs >= 0) & (xs < self.width) & (ys >= 0) & (ys < self.height)
        self.pixels[ys[inside].astype(np.intp), xs[inside].astype(np.intp)] = color

    def fill_rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """Fill columns x0..x1−1 of rows y0..y1−1 (clipped)."""
        x0, x1 = max(0, int(x0)), min(self.width, int(x1))
        y0, y1 = max(0, int(y0)), min(self.height, int(y1))
        if x0 < x1 and y0 < y1:
            self.pixels[y0:y1, x0:x1] = color

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """The outline of the rectangle with corners (x0, y0) and (x1, y1), both inked."""
        self.polyline([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], color)

    def polyline(self, xs, ys, color: Color, width: int = 1, dash: tuple[int, int] | None = None) -> None:
        """Straight segments through the points (x, y); a non-finite point breaks the line.

        ``width`` 2 or more thickens the line by inking neighbouring pixels; ``dash``
        (on, off) in pixels along the line draws it dashed.
        """
        xs = np.asarray(xs, dtype=np.float64)
        ys = np.asarray(ys, dtype=np.float64)
        finite = np.isfinite(xs) & np.isfinite(ys)
        px, py, along = [], [], []
        travelled = 0.0
        for i in range(len(xs) - 1):
            if not (finite[i] and finite[i + 1]):
                continue
            dx, dy = xs[i + 1] - xs[i], ys[i + 1] - ys[i]
            length = math.hypot(dx, dy)
            visible = self._visible_part(xs[i], ys[i], dx, dy)
            if visible is not None:
                t0, t1 = visible
                steps = int(math.ceil(max(abs(dx), abs(dy)) * (t1 - t0))) + 1
                t = np.linspace(t0, t1, steps + 1)
                px.append(xs[i] + t * dx)
                py.append(ys[i] + t * dy)
                along.append(travelled + t * length)
            travelled += length
        if not px:
            if finite.any():  # a single point
                self.plot(xs[finite], ys[finite], color)
            return
        px, py, along = np.concatenate(px), np.concatenate(py), np.concatenate(along)
        if dash is not None:
            on, off = dash
            keep = np.mod(along, on + off) < on
            px, py = px[keep], py[keep]
        for offset_x in range(width):
            for offset_y in range(width):
                self.plot(px + offset_x - (width - 1) // 2, py + offset_y - (width - 1) // 2, color)

    def _visible_part(self, x0: float, y0: float, dx: float, dy: float) -> tuple[float, float] | None:
        """The range [t0, t1] of (x0 + t·dx, y0 + t·dy), 0 ≤ t ≤ 1, on the canvas (with a pixel to spare)."""
        t0, t1 = 0.0, 1.0
        for p, q in ((-dx, x0 + 1), (dx, self.width - x0), (-dy, y0 + 1), (dy, self.height - y0)):
            if p == 0:
                if q < 0:
                    return None
            elif p < 0:
                t0 = max(t0, q / p)
            else:
                t1 = min(t1, q / p)
        return (t0, t1) if t0 <= t1 else None

    def text(self, x: int, y: int, string: str, color: Color, scale: int = 1) -> None:
        """``string`` with its top-left corner at (x, y), ``scale`` pixels a font pixel."""
        for i, char in enumerate(string):
            glyph = np.kron(_glyph(char), np.ones((scale, scale), dtype=bool))
            rows, cols = np.nonzero(glyph)
            self.plot(cols + x + i * text_advance(scale), rows + y, color)

    def blit(self, x: int, y: int, image: np.ndarray) -> None:
        """Copy ``image`` (h, w, 3) uint8 with its top-left corner at (x, y), clipped."""
        h, w = image.shape[:2]
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        if x0 < x1 and y0 < y1:
            self.pixels[y0:y1, x0:x1] = image[y0 - y : y1 - y, x0 - x : x1 - x]


def text_advance(scale: int = 1) -> int:
    """Pixels from one character's left edge to the next one's."""
    return (GLYPH_WIDTH + 1) * scale


def text_width(string: str, scale: int = 1) -> int:
    return max(0, len(string) * text_advance(scale) - scale)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(pixels: npt.ArrayLike) -> bytes:
    """The PNG file of ``pixels`` (height, width, 3) uint8: 8-bit RGB, not interlaced."""
    pixels = np.asarray(pixels)
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8 or 0 in pixels.shape:
        raise ValueError(f"a PNG needs (height, width, 3) uint8 pixels, got {pixels.shape} {pixels.dtype}")
    height, width = pixels.shape[:2]
    rows = np.empty((height, 1 + 3 * width), np.uint8)
    rows[:, 0] = 0  # filter type 0: the row as it is
    rows[:, 1:] = pixels.reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
            + _chunk(b"IEND", b""))


def write_png(path: str | os.PathLike, pixels: npt.ArrayLike) -> None:
    """``encode_png(pixels)`` written to ``path`` atomically (OSError if it cannot be)."""
    atomic_write_bytes(path, encode_png(pixels))


# -- figures ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """One line of a chart: points (x, y), its colour, its legend label (None: not listed), dashed or not."""

    x: np.ndarray
    y: np.ndarray
    color: Color
    label: str | None = None
    dashed: bool = False


def _number(value: float) -> str:
    """A tick label: short, plain digits where they are short enough."""
    if value == 0:
        return "0"
    if 1 <= abs(value) < 1e6 and float(value).is_integer():
        return str(int(value))
    text = f"{value:.3g}"
    return text.replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


def _linear_ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    raw = (high - low) / max(1, count)
    step = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1, 2, 5, 10):
        if raw <= factor * step:
            step *= factor
            break
    first = math.ceil(low / step - 1e-9) * step
    return np.arange(first, high + step * 1e-9, step)


def _range(values: np.ndarray, log: bool) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if log:
        values = values[values > 0]
    if values.size == 0:
        return (0.0, 1.0)
    if log:
        low, high = math.log10(values.min()), math.log10(values.max())
    else:
        low, high = float(values.min()), float(values.max())
    if high - low < 1e-12 * max(1.0, abs(high)):
        low, high = low - 0.5, high + 0.5
    return low, high


def line_chart(series: Sequence[Series], width: int = 720, height: int = 440, title: str = "",
               x_label: str = "", y_label: str = "", log_y: bool = False, note: str = "") -> np.ndarray:
    """(height, width, 3) uint8: the series over shared axes, with ticks and a legend under them.

    With ``log_y`` the y axis is log10 (ticks at whole decades where there are two or
    more) and points ≤ 0 are left out. ``note`` is a line of text after the legend.
    """
    canvas = Canvas(width, height)
    scale = 2
    line_height = GLYPH_HEIGHT * scale + 6
    left, right = 16 + text_width("0.0001", scale) + 10, 40
    # The legend flows left to right under the axis label, wrapping at the plot's width.
    legend: list[tuple[int, int, Series]] = []
    x, row = left, 0
    for s in (s for s in series if s.label is not None):
        entry = 40 + text_width(s.label, scale)
        if x > left and x + entry > width - right:
            x, row = left, row + 1
        legend.append((x, row, s))
        x += entry + 24
    legend_rows = (row + 1 if legend else 0) + int(bool(note))
    bottom = 2 * line_height + 16 + legend_rows * line_height
    top = 12 + line_height * (int(bool(title)) + int(bool(y_label))) + 6
    plot_w, plot_h = width - left - right, height - top - bottom
    if plot_w < 20 or plot_h < 20:
        raise ValueError(f"a {width}×{height} chart leaves no room to plot")
    xs = np.concatenate([np.asarray(s.x, np.float64) for s in series]) if series else np.zeros(0)
    ys = np.concatenate([np.asarray(s.y, np.float64) for s in series]) if series else np.zeros(0)
    x_low, x_high = _range(xs, log=False)
    y_low, y_high = _range(ys, log=log_y)
    pad = 0.04 * (y_high - y_low)
    y_low, y_high = y_low - pad, y_high + pad

    def to_px(x, y):
        x = np.asarray(x, np.float64)
        y = np.asarray(y, np.float64)
        if log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
        return (left + (x - x_low) / (x_high - x_low) * (plot_w - 1),
                top + plot_h - 1 - (y - y_low) / (y_high - y_low) * (plot_h - 1))

    # Grid and tick labels.
    if log_y and math.floor(y_high) - math.ceil(y_low) >= 1:
        y_ticks = np.arange(math.ceil(y_low), math.floor(y_high) + 1)
        y_text = [_number(10.0**t) for t in y_ticks]
        y_pos = top + plot_h - 1 - (y_ticks - y_low) / (y_high - y_low) * (plot_h - 1)
    else:
        values = _linear_ticks(10**y_low, 10**y_high) if log_y else _linear_ticks(y_low, y_high)
        y_text = [_number(v) for v in values]
        y_pos = to_px(np.zeros_like(values), values)[1]
    for position, label in zip(y_pos, y_text):
        canvas.polyline([left, left + plot_w - 1], [position, position], LIGHT_GREY)
        canvas.text(left - 8 - text_width(label, scale), int(round(position)) - GLYPH_HEIGHT * scale // 2, label,
                    GREY, scale)
    for value in _linear_ticks(x_low, x_high, 6):
        position = to_px(value, 0.0)[0]
        canvas.polyline([position, position], [top, top + plot_h - 1], LIGHT_GREY)
        label = _number(value)
        canvas.text(int(round(position)) - text_width(label, scale) // 2, top + plot_h + 6, label, GREY, scale)
    canvas.rect(left, top, left + plot_w - 1, top + plot_h - 1, GREY)
    for s in series:
        px, py = to_px(s.x, s.y)
        inside = np.clip(py, top, top + plot_h - 1)  # runaway values stay on the frame
        canvas.polyline(px, np.where(np.isfinite(py), inside, np.nan), s.color, width=2,
                        dash=(8, 5) if s.dashed else None)
    canvas.text(16, 12, title, BLACK, scale)
    canvas.text(left + (plot_w - text_width(x_label, scale)) // 2, top + plot_h + line_height + 6, x_label,
                BLACK, scale)
    canvas.text(16, top - line_height - 2, y_label, BLACK, scale)
    legend_top = top + plot_h + 2 * line_height + 10
    for x, row, s in legend:
        y = legend_top + row * line_height
        mid = y + GLYPH_HEIGHT * scale // 2
        canvas.polyline([x, x + 30], [mid, mid], s.color, width=3, dash=(8, 5) if s.dashed else None)
        canvas.text(x + 36, y, s.label, BLACK, scale)
    if note:
        canvas.text(left, legend_top + (legend_rows - 1) * line_height, note, GREY, scale)
    return canvas.pixels


def sequential_colors(fraction) -> np.ndarray:
    """(…, 3) uint8 colours of a viridis-like ramp for ``fraction`` in [0, 1] (dark = low)."""
    fraction = np.clip(np.asarray(fraction, dtype=np.float64), 0.0, 1.0)
    position = fraction * (len(_VIRIDIS) - 1)
    low = np.minimum(position.astype(np.intp), len(_VIRIDIS) - 2)
    t = (position - low)[..., None]
    return np.rint(_VIRIDIS[low] * (1 - t) + _VIRIDIS[low + 1] * t).astype(np.uint8)


def heat_map(values, x_range: tuple[float, float], y_range: tuple[float, float], *, cell: int = 10,
             title: str = "", x_label: str = "", y_label: str = "", path=None, marks=(), log: bool = True,
             invalid_color: Color = (255, 0, 255)) -> np.ndarray:
    """(height, width, 3) uint8: ``values`` (rows = y from low to high, columns = x) as colours.

    Each grid point is a ``cell``×``cell`` block centred on its (x, y); the map's y grows
    upwards. ``log`` colours by log10 of the values (all must then be > 0 to count).
    Non-finite values are drawn in ``invalid_color``. ``path`` (k, 2) of (x, y) is drawn as
    a white line over the map; ``marks`` are (x, y, color) drawn as small squares. A colour
    bar with its low and high values stands on the right.
    """
    values = np.asarray(values, dtype=np.float64)
    n_rows, n_cols = values.shape
    scale = 2
    line_height = GLYPH_HEIGHT * scale + 6
    map_w, map_h = n_cols * cell, n_rows * cell
    left = 16 + text_width("-0.000", scale) + 10
    top = 12 + line_height * (int(bool(title)) + int(bool(y_label))) + 6
    bar_x = left + map_w + 24
    width = bar_x + 24 + 12 + text_width("0.0000e-00", scale) + 16
    width = max(width, 32 + text_width(title, scale), 32 + text_width(y_label, scale))
    height = top + map_h + 2 * line_height + 16
    canvas = Canvas(width, height)
    valid = np.isfinite(values) & ((values > 0) if log else True)
    shown = np.where(valid, np.log10(np.where(valid, values, 1.0)) if log else values, np.nan)
    if valid.any():
        low, high = float(np.nanmin(shown)), float(np.nanmax(shown))
    else:
        low, high = 0.0, 1.0
    span = high - low if high > low else 1.0
    colors = sequential_colors((np.nan_to_num(shown, nan=low) - low) / span)
    colors[~valid] = invalid_color
    block = np.repeat(np.repeat(colors[::-1], cell, axis=0), cell, axis=1)  # row 0 at the bottom
    canvas.blit(left, top, block)
    (x_low, x_high), (y_low, y_high) = x_range, y_range

    def to_px(x, y):
        x = np.asarray(x, np.float64)
        y = np.asarray(y, np.float64)
        return (left + cell / 2 + (x - x_low) / (x_high - x_low) * (map_w - cell),
                top + map_h - cell / 2 - (y - y_low) / (y_high - y_low) * (map_h - cell))

    if path is not None and len(path):
        path = np.asarray(path, dtype=np.float64)
        px, py = to_px(path[:, 0], path[:, 1])
        canvas.polyline(px, py, WHITE, width=2)
    for x, y, color in marks:
        px, py = to_px(x, y)
        canvas.fill_rect(int(round(float(px))) - 3, int(round(float(py))) - 3, int(round(float(px))) + 4,
                         int(round(float(py))) + 4, color)
        canvas.rect(int(round(float(px))) - 4, int(round(float(py))) - 4, int(round(float(px))) + 4,
                    int(round(float(py))) + 4, BLACK)
    canvas.rect(left - 1, top - 1, left + map_w, top + map_h, GREY)
    for value in _linear_ticks(x_low, x_high, 4):
        px = float(to_px(value, y_low)[0])
        label = _number(value)
        canvas.polyline([px, px], [top + map_h, top + map_h + 4], GREY)
        canvas.text(int(round(px)) - text_width(label, scale) // 2, top + map_h + 8, label, GREY, scale)
    for value in _linear_ticks(y_low, y_high, 4):
        py = float(to_px(x_low, value)[1])
        label = _number(value)
        canvas.polyline([left - 5, left - 1], [py, py], GREY)
        canvas.text(left - 8 - text_width(label, scale), int(round(py)) - GLYPH_HEIGHT * scale // 2, label, GREY,
                    scale)
    ramp = sequential_colors(np.linspace(1.0, 0.0, map_h))
    canvas.blit(bar_x, top, np.repeat(ramp[:, None, :], 24, axis=1))
    canvas.rect(bar_x - 1, top - 1, bar_x + 24, top + map_h, GREY)
    for position, value in ((top, high), (top + map_h - GLYPH_HEIGHT * scale, low)):
        canvas.text(bar_x + 30, position, _number(10**value if log else value), BLACK, scale)
    canvas.text(16, 12, title, BLACK, scale)
    canvas.text(left + (map_w - text_width(x_label, scale)) // 2, top + map_h + line_height + 8, x_label, BLACK,
                scale)
    canvas.text(16, top - line_height - 2, y_label, BLACK, scale)
    return canvas.pixels
