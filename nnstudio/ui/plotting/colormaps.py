"""The window's visual language: its colours, defined once (number formats are in ``numbers``).

One diverging scale carries every value that has a sign or sits either side of a
threshold: orange below the centre, white at it, blue above it (as in TensorFlow
Playground; orange and blue stay apart for the common colour-vision deficiencies).

* weights, weight updates ΔW and deltas δ: centred on 0;
* activations and each neuron's map: centred on the activation's midpoint
  (0.5 for sigmoid and softmax, 0 for tanh, ReLU, leaky ReLU and linear), so a
  sigmoid output of 0.33 reads as "towards class 0" in orange;
* classes: class 0 is the orange end, class 1 the blue end, in the data plot,
  the decision boundary, the output neuron and its map alike.

Everything else stays out of those two hues: the loss curves are grey and black,
counts are grey, the gradient-norm curves violet (they come from the backward
pass), and a value not computed yet is a hatched grey, never a colour that reads
as a number.

The scale is interpolated in CIELAB, so equal steps of a value look like equal
steps of colour and both ends are about equally dark.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

import numpy as np
import pyqtgraph as pg

from nnstudio.engine.nn.activations import ACTIVATIONS

__all__ = [
    "BACKGROUND",
    "AXIS_COLOR",
    "TEXT_COLOR",
    "MUTED_TEXT_COLOR",
    "GRID_ALPHA",
    "BATCH_COLOR",
    "TRAIN_COLOR",
    "TEST_COLOR",
    "HOVER_COLOR",
    "PINNED_COLORS",
    "NEGATIVE_COLOR",
    "NEUTRAL_COLOR",
    "POSITIVE_COLOR",
    "CLASS_COLORS",
    "PENDING_FILL",
    "PENDING_HATCH",
    "COUNT_DARK_COLOR",
    "ERROR_COLOR",
    "FRAME_COLOR",
    "FAINT_LINE_COLOR",
    "signed_rgb",
    "signed_lut",
    "lookup_table",
    "diverging_colormap",
    "colormap_for_mode",
    "activation_levels",
    "activation_midpoint",
    "symmetric_levels",
    "scale_position",
    "text_color_on",
    "layer_colors",
]

#: Plot background: the tools are meant to look like a light desktop app.
BACKGROUND = "w"
#: Axis lines and ticks: dark grey rather than black so data stays dominant.
AXIS_COLOR = "#5f6368"
#: Tick labels, axis labels, titles.
TEXT_COLOR = "#202124"
#: Secondary text such as hover read-outs and empty-state messages.
MUTED_TEXT_COLOR = "#5f6368"
#: Grid lines must be visible but never compete with the curves.
GRID_ALPHA = 0.12

#: Below the centre of the scale: negative values, class 0.
NEGATIVE_COLOR = "#cf6a05"
#: The centre of the scale: zero, or an activation's midpoint.
NEUTRAL_COLOR = "#ffffff"
#: Above the centre of the scale: positive values, class 1.
POSITIVE_COLOR = "#3182bd"
# Tints halfway to each end: keeping the hue there keeps light orange orange (not salmon).
_NEGATIVE_TINT = "#f9a95a"
_POSITIVE_TINT = "#92bfe0"

#: Class colours by class id: the two ends of the scale first, then hues that are
#: neither orange nor blue for the rare 2-D data with more classes. Ids beyond wrap.
CLASS_COLORS: tuple[str, ...] = (NEGATIVE_COLOR, POSITIVE_COLOR, "#009e73", "#cc79a7", "#66a61e")

#: Loss curves are grey and black so they never read as a class or a sign
#: (TensorFlow Playground draws training grey and test black too).
#: Per-cycle mini-batch loss: a faint, noisy background trace.
BATCH_COLOR = (154, 160, 166, 90)
#: Whole-split training metric.
TRAIN_COLOR = "#80868b"
#: Whole-split test metric (dashed as well, for print and colour-blind readers).
TEST_COLOR = "#202124"
#: Hover cursor line and cell outline.
HOVER_COLOR = (60, 64, 67, 150)
#: Pinned runs' curves, one grey each in turn: never orange or blue (those mean sign and class).
PINNED_COLORS = ("#3c4043", "#5f6368", "#3c4043", "#80868b")

#: A value the current phase has not computed yet: light grey ...
PENDING_FILL = "#eceef1"
#: ... with diagonal hatching in this grey, so it cannot pass for a value near the centre.
PENDING_HATCH = "#b1b4b8"
#: Counts (confusion matrix) run from white to this grey: amounts, not signs or classes.
COUNT_DARK_COLOR = "#3c4043"
#: Text that reports a problem (a file that cannot be read, a value out of range).
ERROR_COLOR = "#c5221f"
#: A light frame that only says where something ends: a heatmap's cells, a chip or a note on the diagram.
FRAME_COLOR = "#c4c9d0"
#: The faintest line: a divider, a legend's border, a disabled button's outline.
FAINT_LINE_COLOR = "#dadce0"

#: Entries of the heatmap colour map's stops; pyqtgraph interpolates between them.
_COLORMAP_STOPS = 33


# ------------------------------------------------------------------ CIELAB conversions
_SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_XYZ_TO_SRGB = np.linalg.inv(_SRGB_TO_XYZ)
_WHITE = np.array([0.95047, 1.0, 1.08883])


def _hex_rgb(color: str) -> np.ndarray:
    color = color.lstrip("#")
    return np.array([int(color[k : k + 2], 16) for k in (0, 2, 4)], dtype=np.float64)


def _rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _SRGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def _lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f**3 > 216 / 24389, f**3, (116 * f - 16) / (24389 / 27)) * _WHITE
    linear = np.clip(xyz @ _XYZ_TO_SRGB.T, 0.0, 1.0)
    c = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    return np.clip(np.rint(c * 255.0), 0, 255).astype(np.uint8)


@lru_cache(maxsize=1)
def _anchor_labs() -> np.ndarray:
    """Lab of the scale at |t| = 0, 0.5, 1: rows (centre, tint, end) for each side."""
    sides = [(NEUTRAL_COLOR, _NEGATIVE_TINT, NEGATIVE_COLOR), (NEUTRAL_COLOR, _POSITIVE_TINT, POSITIVE_COLOR)]
    return np.array([[_rgb_to_lab(_hex_rgb(c)) for c in side] for side in sides])


def signed_rgb(t: np.ndarray | float) -> np.ndarray:
    """Colours of positions ``t`` on the scale: -1 orange, 0 white, +1 blue.

    Each half runs straight through CIELAB from white to a tint to the end colour,
    so lightness falls evenly with ``|t|``.

    Parameters
    ----------
    t : array-like
        Positions; clipped to [-1, 1]. NaN gives the centre colour.

    Returns
    -------
    numpy.ndarray
        ``t.shape + (3,)`` uint8 RGB.
    """
    t = np.clip(np.nan_to_num(np.asarray(t, dtype=np.float64), nan=0.0), -1.0, 1.0)
    anchors = _anchor_labs()[(t > 0).astype(np.intp)]  # (..., 3 anchors, 3)
    u = np.abs(t)[..., None]
    outer = u > 0.5
    start = np.where(outer, anchors[..., 1, :], anchors[..., 0, :])
    stop = np.where(outer, anchors[..., 2, :], anchors[..., 1, :])
    fraction = np.where(outer, 2.0 * u - 1.0, 2.0 * u)
    return _lab_to_rgb(start + (stop - start) * fraction)


@cache
def signed_lut(size: int = 255) -> np.ndarray:
    """``(size, 3)`` uint8 table of the scale, entry 0 at -1 and the last at +1 (read-only).

    An odd size puts one entry exactly at the centre.
    """
    if size < 2:
        raise ValueError(f"a lookup table needs at least 2 entries, got {size}")
    table = signed_rgb(np.linspace(-1.0, 1.0, size))
    table.setflags(write=False)
    return table


@cache
def diverging_colormap() -> pg.ColorMap:
    """The scale as a pyqtgraph ColorMap over [0, 1] (0.5 is the centre); cached, do not mutate."""
    return pg.ColorMap(
        np.linspace(0.0, 1.0, _COLORMAP_STOPS), signed_lut(_COLORMAP_STOPS), name="nnstudio-signed"
    )


def colormap_for_mode(mode: str) -> pg.ColorMap:
    """Return the colour map of a heatmap mode: the one scale for both.

    'sequential' (levels from the data's range, centred on its middle) and
    'diverging' (levels symmetric around 0) differ in their levels, not in colours.

    Raises
    ------
    ValueError
        If ``mode`` is unknown.
    """
    if mode in ("sequential", "diverging"):
        return diverging_colormap()
    raise ValueError(f"unknown heatmap mode {mode!r}; expected 'sequential' or 'diverging'")


def lookup_table(colormap: pg.ColorMap, size: int = 256) -> np.ndarray:
    """A (size, 3) uint8 RGB table of ``colormap``, for colouring values by index."""
    return colormap.getLookupTable(0.0, 1.0, nPts=size, alpha=False, mode=pg.ColorMap.BYTE)


# ------------------------------------------------------------------ levels
def _max_abs(values) -> float:
    if values is None:
        return 0.0
    values = np.asarray(values, dtype=np.float64)
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size else 0.0


def activation_levels(activation: str, values=None) -> tuple[float, float]:
    """The values drawn full orange and full blue for a layer with ``activation``.

    Bounded activations use their whole range (sigmoid and softmax (0, 1), tanh
    (-1, 1)), so a colour means the same value in every frame. The input layer
    (``"input"``), ReLU, leaky ReLU and linear are unbounded: ``(-m, m)`` with
    ``m = max(1, max |values|)``, centred on 0.
    """
    bounds = ACTIVATIONS[activation].bounds if activation in ACTIVATIONS else None
    if bounds is not None:
        return bounds
    m = max(1.0, _max_abs(values))
    return (-m, m)


def activation_midpoint(activation: str) -> float:
    """The centre of an activation's colour scale: 0.5 for sigmoid and softmax, else 0."""
    low, high = activation_levels(activation)
    return (low + high) / 2.0


def symmetric_levels(*arrays, floor: float = 0.0) -> tuple[float, float]:
    """``(-m, m)``, ``m`` the largest finite ``|value|`` (at least ``floor``; 1 when there is none)."""
    m = max([floor] + [_max_abs(a) for a in arrays])
    return (-m, m) if m > 0 else (-1.0, 1.0)


def scale_position(values, levels: Sequence[float]) -> np.ndarray:
    """Where ``values`` sit on the scale of ``levels``: -1 at the low level, 0 midway, +1 at the high.

    Clipped to [-1, 1]; NaN stays NaN (callers draw it as missing).
    """
    low, high = (float(v) for v in levels)
    half = (high - low) / 2.0 or 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        return np.clip((np.asarray(values, dtype=np.float64) - (low + high) / 2.0) / half, -1.0, 1.0)


def text_color_on(rgb: Sequence[int]) -> str:
    """White or near-black text, whichever reads better on a fill of ``rgb``."""
    r, g, b = (float(v) for v in rgb[:3])
    # relative luminance in sRGB's gamma space is close enough for a binary choice
    return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 150 else TEXT_COLOR


def layer_colors(count: int) -> list[str]:
    """One colour per weight layer, light violet (input side) to deep violet (output side).

    Violet, because gradients come from the backward pass (the canvas marks it in
    violet too); a single hue ordered by lightness follows the network's depth.
    """
    if count <= 0:
        return []
    light, dark = _rgb_to_lab(_hex_rgb("#a27fc2")), _rgb_to_lab(_hex_rgb("#3b0f63"))
    steps = np.linspace(0.0, 1.0, count) if count > 1 else np.array([0.5])
    rgb = _lab_to_rgb(light + (dark - light) * steps[:, None])
    return ["#{:02x}{:02x}{:02x}".format(*map(int, c)) for c in rgb]
