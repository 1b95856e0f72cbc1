"""Charts drawn on a ``raster.Canvas``: line charts with a legend, and heat maps with a colour bar."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnstudio.engine.io.bitmap_font import GLYPH_HEIGHT, text_width
from nnstudio.engine.io.raster import BLACK, GREY, LIGHT_GREY, WHITE, Canvas, Color

#: Distinct colours for up to eight series (Okabe–Ito, readable by colour-blind eyes).
SERIES_COLORS: tuple[Color, ...] = ((0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167),
                                    (86, 180, 233), (230, 159, 0), (0, 0, 0), (240, 228, 66))
_VIRIDIS = np.array([(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)], dtype=np.float64)


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
