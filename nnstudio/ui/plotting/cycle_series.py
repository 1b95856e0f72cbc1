"""Numbers behind the cycle plots: finite points, the recorded cycle nearest the pointer, pinned ranges."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["EMPTY", "MIN_CYCLE_SPAN", "finite_xy", "nearest_index", "value_at", "short_history_y_range"]

EMPTY = np.empty(0, dtype=np.float64)
#: A history shorter than this many cycles is shown from cycle 0 to this, not auto-ranged.
MIN_CYCLE_SPAN = 10


def finite_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return float64 copies/views of ``x`` and ``y`` with non-finite pairs dropped.

    NaN marks "not evaluated" (e.g. no test split); inf means a diverged run.
    Neither can be drawn, and leaving them in would make pyqtgraph's
    auto-range and clip-to-view work harder on every repaint.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y lengths differ: {x.size} vs {y.size}")
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.all():  # common case: no copy of a million-point history
        return x, y
    return x[keep], y[keep]


def nearest_index(xs: np.ndarray, x: float) -> int:
    """Index of the value in the sorted, non-empty ``xs`` closest to ``x``."""
    i = int(np.searchsorted(xs, x))
    if i <= 0:
        return 0
    if i >= xs.size:
        return xs.size - 1
    return i if xs[i] - x < x - xs[i - 1] else i - 1


def value_at(xs: np.ndarray, ys: np.ndarray, x: float) -> float | None:
    """``ys`` at exactly ``x`` in the sorted ``xs``, or None when ``x`` is absent."""
    i = int(np.searchsorted(xs, x))
    if i < xs.size and xs[i] == x:
        return float(ys[i])
    return None


def short_history_y_range(ys: Sequence[np.ndarray], log: bool) -> tuple[float, float]:
    """The y range of a view pinned to a short history (log: in log10 units).

    Linear: from 0 (or the lowest value, if negative) to a fifth above the largest.
    Log: from a decade below the smallest positive value to just above the largest.
    """
    values = np.concatenate([np.asarray(y, dtype=np.float64).ravel() for y in ys]) if ys else EMPTY
    values = values[np.isfinite(values)]
    if log:
        values = values[values > 0]
        if values.size == 0:
            return (-4.0, 0.0)
        return (math.floor(math.log10(values.min())) - 1.0, math.ceil(math.log10(values.max()) + 0.05))
    top = float(values.max()) if values.size else 0.0
    return (min(0.0, float(values.min())) if values.size else 0.0, 1.2 * top if top > 0 else 1.0)
