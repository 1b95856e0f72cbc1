"""Numbers behind a heatmap, no widgets: the matrix as drawn, its colour levels, the bar's and axes' ticks."""

from __future__ import annotations

import itertools
import math

import numpy as np

from nnstudio.ui.plotting.numbers import format_short

__all__ = [
    "EPSILON",
    "VALUE_LIMIT",
    "MODES",
    "auto_levels",
    "bar_label",
    "bar_ticks",
    "drawable_matrix",
    "index_tick_cells",
    "layer_title",
    "safe_levels",
]

#: Half-width of the level range when the data has no spread; levels are never (v, v).
EPSILON = 1e-12
#: Largest magnitude drawn; beyond it a cell shows the extreme colour.
VALUE_LIMIT = 1e37
#: Heatmap modes: auto levels over the data range, or symmetric around zero.
MODES = ("sequential", "diverging")


def auto_levels(matrix: np.ndarray, mode: str) -> tuple[float, float]:
    """Colour levels for ``matrix`` when the caller gives none.

    Parameters
    ----------
    matrix : numpy.ndarray
        Data; non-finite values are ignored.
    mode : {'sequential', 'diverging'}
        'sequential' spans the data range (the colour scale's centre is its middle);
        'diverging' is symmetric, ``(-max|m|, +max|m|)``, so zero is always the white centre.

    Returns
    -------
    tuple of float
        ``(low, high)`` with ``low < high`` (padded by :data:`EPSILON` when the
        data is constant, empty or all non-finite).
    """
    values = matrix[np.isfinite(matrix)] if matrix.size else matrix
    if mode == "diverging":
        bound = float(np.max(np.abs(values))) if values.size else 0.0
        bound = max(bound, EPSILON)
        return -bound, bound
    if values.size == 0:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    if high - low <= EPSILON:
        # Relative pad so a constant 1e6 still gets a representable range.
        pad = max(EPSILON, abs(low) * 1e-6)
        return low - pad, high + pad
    return low, high


def drawable_matrix(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` as the float32 2-D image a heatmap draws (1-D is one row); ValueError beyond 2-D.

    Non-finite cells become NaN (drawn transparent: inf would saturate the scale), and
    values are clipped to :data:`VALUE_LIMIT`.
    """
    with np.errstate(over="ignore"):  # values beyond float32 become inf, masked below
        data = np.asarray(matrix, dtype=np.float32)
    if data.ndim == 1:
        data = data.reshape(1, -1)
    if data.ndim != 2:
        raise ValueError(f"heatmap needs a 2-D matrix, got shape {data.shape}")
    finite = np.isfinite(data)
    if not finite.all():
        data = np.where(finite, data, np.float32(np.nan))
    # pyqtgraph subtracts the low level in float32: keep values and levels far enough
    # from float32's limit that the difference cannot overflow.
    return np.clip(data, -VALUE_LIMIT, VALUE_LIMIT)


def safe_levels(levels: tuple[float, float] | None, data: np.ndarray, mode: str) -> tuple[float, float]:
    """``levels`` (or :func:`auto_levels`) within :data:`VALUE_LIMIT`, and never an empty range."""
    if levels is None:
        levels = auto_levels(data, mode)
    low, high = (min(max(float(v), -VALUE_LIMIT), VALUE_LIMIT) for v in levels)
    if not high > low:
        centre = (low + high) / 2.0 if math.isfinite(low + high) else 0.0
        low, high = centre - EPSILON, centre + EPSILON
    return low, high


def bar_label(value: float, signed: bool = False) -> str:
    """A colour-bar label: :func:`format_short` without trailing zeros ("1", "0.5", "-0.02")."""
    text = format_short(value, signed=signed)
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "+0") else text


def bar_ticks(low: float, high: float, wide: bool, has_values: bool = True) -> list[tuple[float, str]]:
    """The colour bar's labelled ticks: both ends, and the centre when the bar is ``wide``.

    A zero-centred bar too narrow for three labels says "±0.023" at its centre. A
    degenerate (epsilon-wide) bar, as an all-zero update gives, shows its centre
    only: "-1e-12 ... 1e-12" would be noise next to a plain white image. Without
    values (not computed yet) there is nothing to label.
    """
    centre = (low + high) / 2.0
    if not has_values:
        return []
    if high - low <= 4.0 * max(EPSILON, abs(centre) * 1e-6):
        return [(centre, bar_label(centre))]
    if wide:
        signed = low < 0 < high
        return [(low, bar_label(low)), (centre, bar_label(centre)), (high, bar_label(high, signed=signed))]
    if math.isclose(low, -high):
        return [(centre, f"\u00b1{bar_label(high)}")]
    return [(low, bar_label(low)), (high, bar_label(high))]


def index_tick_cells(
    count: int, low: float, high: float, size: float, min_pixels: float
) -> tuple[int, list[int]] | None:
    """The step and the 0-based cells to number on an axis of ``count`` cells showing ``low..high`` (None: no ticks).

    The step (1, 2, 5, 10, 20, ...) is the smallest that leaves ``min_pixels`` between
    labels over ``size`` pixels; the multiples of the step are numbered (counting
    from 1) and, from a step of 5, the first cell too, so the axis visibly starts at 1.
    """
    low, high = sorted((float(low), float(high)))
    if count <= 0 or size <= 0 or not high > low:
        return None
    px_per_cell = size / (high - low)
    step = 1
    for factor in itertools.cycle((2, 2.5, 2)):  # 1, 2, 5, 10, 20, 50, ...
        if step * px_per_cell >= min_pixels or step >= count:
            break
        step = int(step * factor)
    first = max(0, math.ceil(low - 0.5))
    last = min(count - 1, math.floor(high - 0.5))
    cells = [i for i in range(first, last + 1) if (i + 1) % step == 0]
    if step >= 5 and first == 0 and (not cells or cells[0] != 0):
        cells.insert(0, 0)  # number 1 starts the axis...
        if len(cells) > 1 and (cells[1] - cells[0]) * px_per_cell < min_pixels:
            del cells[1]  # ...unless the first multiple would crowd it
    return step, cells


def layer_title(layer: int, n_layers: int) -> str:
    """The canvas's name of the column weight layer ``layer`` feeds: "Hidden 1", ..., "Output".

    A no-break space keeps "Hidden 1" on one line when a narrow title wraps.
    """
    return "Output" if layer == n_layers - 1 else f"Hidden\u00a0{layer + 1}"
