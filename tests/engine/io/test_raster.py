"""PNG figures drawn with numpy: the PNG bytes, lines, the 5×7 font, the chart and the heat map.

The PNGs are read back by a decoder written here from the PNG specification (chunks,
CRCs, zlib, filter type 0), independent of the encoder.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from nnstudio.engine.io.bitmap_font import FONT, GLYPH_HEIGHT, GLYPH_WIDTH
from nnstudio.engine.io.png_encoding import encode_png, write_png
from nnstudio.engine.io.raster import Canvas
from nnstudio.engine.io.raster_charts import SERIES_COLORS, Series, heat_map, line_chart, sequential_colors


def decode_png(data: bytes) -> np.ndarray:
    """(height, width, 3) uint8 of an 8-bit RGB, non-interlaced PNG; every chunk's CRC checked."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, color, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, color, compression, filtering, interlace) == (8, 2, 0, 0, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    rows = np.frombuffer(raw, np.uint8).reshape(height, 1 + 3 * width)
    assert (rows[:, 0] == 0).all()  # filter type 0 on every row
    return rows[:, 1:].reshape(height, width, 3)


def test_png_bytes_hold_exactly_the_pixels():
    pixels = np.random.default_rng(0).integers(0, 256, size=(7, 11, 3), dtype=np.uint8)
    assert np.array_equal(decode_png(encode_png(pixels)), pixels)


def test_write_png_is_atomic_and_readable(tmp_path):
    path = tmp_path / "figure.png"
    path.write_bytes(b"old")
    pixels = np.zeros((3, 4, 3), np.uint8)
    pixels[1, 2] = (255, 0, 10)
    write_png(path, pixels)
    assert np.array_equal(decode_png(path.read_bytes()), pixels)
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]  # no temporary file left


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.float64),
                                 np.zeros((0, 4, 3), np.uint8), np.zeros((4, 4, 4), np.uint8)])
def test_encode_png_refuses_what_is_not_rgb_bytes(bad):
    with pytest.raises(ValueError, match="uint8"):
        encode_png(bad)


def _inked(canvas: Canvas, color) -> set[tuple[int, int]]:
    ys, xs = np.nonzero((canvas.pixels == color).all(axis=2))
    return set(zip(xs.tolist(), ys.tolist()))


def test_lines_ink_the_pixels_between_their_ends():
    canvas = Canvas(12, 12)
    canvas.polyline([2, 8], [5, 5], (255, 0, 0))
    assert _inked(canvas, (255, 0, 0)) == {(x, 5) for x in range(2, 9)}
    canvas = Canvas(12, 12)
    canvas.polyline([1, 6], [1, 6], (0, 0, 255))
    assert _inked(canvas, (0, 0, 255)) == {(i, i) for i in range(1, 7)}


def test_a_non_finite_point_breaks_the_line_and_off_canvas_points_are_clipped():
    canvas = Canvas(20, 5)
    canvas.polyline([0, 4, np.nan, 10, 14], [2, 2, 2, 2, 2], (0, 128, 0))
    assert _inked(canvas, (0, 128, 0)) == {(x, 2) for x in (*range(0, 5), *range(10, 15))}
    canvas = Canvas(5, 5)
    canvas.polyline([-100, 100], [2, 2], (0, 128, 0))  # no error; only the visible part
    assert _inked(canvas, (0, 128, 0)) == {(x, 2) for x in range(5)}


def test_dashed_lines_leave_gaps():
    canvas = Canvas(40, 3)
    canvas.polyline([0, 39], [1, 1], (9, 9, 9), dash=(4, 4))
    inked = sorted(x for x, _ in _inked(canvas, (9, 9, 9)))
    assert inked[:4] == [0, 1, 2, 3] and 6 not in inked and 10 in inked and 15 <= len(inked) <= 25


def test_text_draws_the_glyphs_of_the_5x7_font():
    canvas = Canvas(20, 10)
    canvas.text(1, 2, "1a", (0, 0, 0))
    block = (canvas.pixels[2 : 2 + GLYPH_HEIGHT, 1 : 1 + GLYPH_WIDTH] == 0).all(axis=2)
    assert np.array_equal(block, FONT["1"])
    second = (canvas.pixels[2 : 2 + GLYPH_HEIGHT, 7 : 7 + GLYPH_WIDTH] == 0).all(axis=2)
    assert np.array_equal(second, FONT["A"])  # lower case is drawn as upper case
    canvas = Canvas(10, 10)
    canvas.text(0, 0, "\u202e", (0, 0, 0))  # what the font lacks is a question mark, nothing more
    assert np.array_equal((canvas.pixels[:7, :5] == 0).all(axis=2), FONT["?"])


def test_text_scale_doubles_each_font_pixel():
    canvas = Canvas(20, 20)
    canvas.text(0, 0, "7", (0, 0, 0), scale=2)
    block = (canvas.pixels[:14, :10] == 0).all(axis=2)
    assert np.array_equal(block, np.kron(FONT["7"], np.ones((2, 2), bool)))


def test_line_chart_draws_each_series_in_its_colour_inside_the_frame():
    x = np.arange(1, 101, dtype=float)
    series = [Series(x, 1 / x, SERIES_COLORS[0], "a"), Series(x, 2 / x, SERIES_COLORS[1], "b"),
              Series(x, 3 / x, SERIES_COLORS[1], None, dashed=True)]
    pixels = line_chart(series, width=500, height=300, title="t", x_label="cycle", log_y=True, note="n")
    assert pixels.shape == (300, 500, 3) and pixels.dtype == np.uint8
    for color in SERIES_COLORS[:2]:
        assert (pixels == color).all(axis=2).sum() > 100
    assert not (pixels == SERIES_COLORS[2]).all(axis=2).any()


def test_line_chart_on_a_log_axis_puts_lower_values_lower():
    """1/x falls: its last points sit lower on the picture than its first ones."""
    x = np.arange(1, 51, dtype=float)
    pixels = line_chart([Series(x, 1 / x, (255, 0, 0))], width=400, height=300, log_y=True)
    ys, xs = np.nonzero((pixels == (255, 0, 0)).all(axis=2))
    left, right = ys[xs < xs.min() + 10].mean(), ys[xs > xs.max() - 10].mean()
    assert right > left + 100


def test_heat_map_colours_low_dark_high_bright_and_overflow_apart():
    values = np.array([[1e-3, 1e-2], [1e-1, np.inf]])  # rows: y from low to high
    pixels = heat_map(values, (0.0, 1.0), (0.0, 1.0), cell=20, log=True)
    colors = sequential_colors([0.0, 0.5, 1.0])
    # Find each cell by its colour: the bottom-left cell (x 0, y 0) holds the lowest value.
    low = np.argwhere((pixels == colors[0]).all(axis=2))
    mid = np.argwhere((pixels == colors[1]).all(axis=2))
    high = np.argwhere((pixels == colors[2]).all(axis=2))
    invalid = np.argwhere((pixels == (255, 0, 255)).all(axis=2))
    assert len(low) >= 400 and len(mid) >= 400 and len(invalid) == 400
    assert low[:, 0].mean() > mid[:, 0].mean()  # y 0 is at the bottom
    assert low[:, 1].mean() < invalid[:, 1].mean()  # x grows to the right
    assert np.abs(high[:, 0].mean() - invalid[:, 0].mean()) < 300  # the colour bar's top is the high end
    brightness = colors.astype(int).sum(axis=1)
    assert brightness[0] < brightness[1] < brightness[2]
