"""PNG figures without a plotting library: the RGB canvas they are drawn on.

The command line draws its figures (the loss curves of ``nnstudio compare``, the loss
landscape of ``nnstudio landscape``; ``raster_charts``) with numpy alone, so it never needs
Qt or matplotlib. A ``Canvas`` is a (height, width, 3) uint8 array with y growing downwards;
``png_encoding`` writes it as a PNG. Text is upper case in a 5×7 font (``bitmap_font``: lower
case is drawn as upper case; a character the font lacks is drawn as "?"), so nothing a file
name or a label holds can do more than print as a glyph.
"""

from __future__ import annotations

import math

import numpy as np

from nnstudio.engine.io.bitmap_font import glyph_pixels, text_advance

Color = tuple[int, int, int]

WHITE, BLACK, GREY, LIGHT_GREY = (255, 255, 255), (0, 0, 0), (110, 110, 110), (225, 225, 225)


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
            glyph = np.kron(glyph_pixels(char), np.ones((scale, scale), dtype=bool))
            rows, cols = np.nonzero(glyph)
            self.plot(cols + x + i * text_advance(scale), rows + y, color)

    def blit(self, x: int, y: int, image: np.ndarray) -> None:
        """Copy ``image`` (h, w, 3) uint8 with its top-left corner at (x, y), clipped."""
        h, w = image.shape[:2]
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        if x0 < x1 and y0 < y1:
            self.pixels[y0:y1, x0:x1] = image[y0 - y : y1 - y, x0 - x : x1 - x]
