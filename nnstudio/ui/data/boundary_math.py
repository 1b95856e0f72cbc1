"""The data plane's numbers: the grid the network is evaluated on, its contour, colour tables, checked inputs.

Pure numpy (no scene, no QApplication); :mod:`nnstudio.ui.data.boundary_plot` draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nnstudio.ui.plotting.colormaps import signed_rgb

__all__ = [
    "Bounds",
    "LUT_SIZE",
    "BOUNDARY_ALPHA",
    "boundary_grid",
    "contour_segments",
    "boundary_lut",
    "check_bounds",
    "plane_xy",
    "class_ids",
    "point_values",
    "value_index",
]

Bounds = tuple[float, float, float, float]

#: Entries in the boundary lookup table; 256 keeps ImageItem on its fast uint8 path.
LUT_SIZE = 256
#: Opacity of the heatmap at its extremes; low enough that same-coloured points stay visible.
BOUNDARY_ALPHA = 0.45
_EMPTY = np.empty(0, dtype=np.float64)


# Marching squares as pyqtgraph's ``isocurve`` does it: for each of the 16 cases of a cell
# (bit k set when corner k is below the level), the pairs of cell sides the curve crosses,
# and each side's two corners as (row, column) offsets.
_CROSSED_SIDES = ((), (0, 1), (1, 2), (0, 2), (0, 3), (1, 3), (0, 1, 2, 3), (2, 3), (2, 3), (0, 1, 2, 3), (1, 3),
                  (0, 3), (0, 2), (1, 2), (0, 1), ())
_SIDE_CORNERS = (((0, 1), (0, 0)), ((0, 0), (1, 0)), ((1, 0), (1, 1)), ((1, 1), (0, 1)))


def contour_segments(data: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``level`` curve of ``data`` as line segments: x and y of their ends, two points each.

    The same segments as ``pyqtgraph.functions.isocurve(data, level, extendToEdge=True)``
    (coordinates in index units of ``data``'s two axes, reaching its edges), computed with
    numpy rather than a Python loop over every cell: ~1.5 ms a repaint less for a 64×64
    boundary.
    """
    data = np.asarray(data, dtype=np.float64)
    d = np.empty((data.shape[0] + 2, data.shape[1] + 2))
    d[1:-1, 1:-1] = data
    d[0, 1:-1], d[-1, 1:-1], d[1:-1, 0], d[1:-1, -1] = data[0], data[-1], data[:, 0], data[:, -1]
    d[0, 0], d[0, -1], d[-1, 0], d[-1, -1] = d[0, 1], d[1, -1], d[-1, 1], d[-1, -2]
    below = d < level
    case = below[:-1, :-1] + 2 * below[1:, :-1] + 4 * below[:-1, 1:] + 8 * below[1:, 1:].astype(np.intp)
    high = (d.shape[0] - 2, d.shape[1] - 2)
    ends: list[np.ndarray] = []
    for index, sides in enumerate(_CROSSED_SIDES):
        if not sides:
            continue
        rows, cols = np.nonzero(case == index)
        if not rows.size:
            continue
        for first in range(0, len(sides), 2):
            pair = []
            for side in sides[first:first + 2]:
                (r1, c1), (r2, c2) = _SIDE_CORNERS[side]
                v1, v2 = d[rows + r1, cols + c1], d[rows + r2, cols + c2]
                f = (level - v1) / (v2 - v1)
                x = np.clip(r1 * (1 - f) + r2 * f + rows + 0.5 - 1, 0, high[0])
                y = np.clip(c1 * (1 - f) + c2 * f + cols + 0.5 - 1, 0, high[1])
                pair.append((x, y))
            ends.append(np.stack([np.column_stack(pair[0]), np.column_stack(pair[1])], axis=1))  # (n, 2, 2)
    if not ends:
        return _EMPTY, _EMPTY
    segments = np.concatenate(ends).reshape(-1, 2)
    return segments[:, 0].copy(), segments[:, 1].copy()


def boundary_grid(bounds: Sequence[float], resolution: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample points covering ``bounds``, on which to evaluate the network.

    Parameters
    ----------
    bounds : sequence of 4 float
        ``(xmin, xmax, ymin, ymax)`` with ``xmin < xmax`` and ``ymin < ymax``.
    resolution : int, optional
        Samples per axis (at least 2); the grid is ``resolution`` x ``resolution``.

    Returns
    -------
    xs : numpy.ndarray, shape (W,)
        x1 values, ``xmin`` to ``xmax`` inclusive.
    ys : numpy.ndarray, shape (H,)
        x2 values, ``ymin`` to ``ymax`` inclusive.
    points : numpy.ndarray, shape (H * W, 2)
        Row-major: ``points[i * W + j] == (xs[j], ys[i])``, so the network's
        outputs for ``points`` reshaped to ``(H, W)`` are the ``grid`` that
        :meth:`BoundaryPlot.set_boundary` takes (row 0 = ``ymin``, at the bottom).

    Raises
    ------
    ValueError
        Malformed bounds or a resolution below 2.
    """
    xmin, xmax, ymin, ymax = check_bounds(bounds)
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution must be an integer of at least 2, got {resolution!r}")
    xs = np.linspace(xmin, xmax, int(resolution))
    ys = np.linspace(ymin, ymax, int(resolution))
    grid_x, grid_y = np.meshgrid(xs, ys)  # 'xy' indexing: shape (H, W), grid_x[i, j] = xs[j]
    return xs, ys, np.column_stack((grid_x.ravel(), grid_y.ravel()))


def boundary_lut(size: int = LUT_SIZE) -> np.ndarray:
    """RGBA lookup table, shape ``(size, 4)`` uint8: class-0 colour, white at 0.5, class-1 colour.

    The window's one diverging scale (:func:`~nnstudio.ui.plotting.colormaps.signed_rgb`), so the
    map agrees with the output neuron's colour on the canvas. Alpha rises from 0 at
    the centre to :data:`BOUNDARY_ALPHA` at the ends, so uncertain regions stay clear
    and confident ones carry a tint over which the points remain readable.
    """
    t = np.linspace(-1.0, 1.0, size)
    rgb = signed_rgb(t).astype(np.float64)
    # sqrt: the tint appears quickly away from 0.5, so a boundary stands out even when the net is unsure
    alpha = 255.0 * BOUNDARY_ALPHA * np.sqrt(np.abs(t))
    return np.column_stack((rgb, alpha)).round().astype(np.uint8)


def check_bounds(bounds: Sequence[float]) -> Bounds:
    try:
        xmin, xmax, ymin, ymax = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be (xmin, xmax, ymin, ymax), got {bounds!r}") from None
    if not all(math.isfinite(v) for v in (xmin, xmax, ymin, ymax)) or not (xmin < xmax and ymin < ymax):
        raise ValueError(f"bounds must be finite with xmin < xmax and ymin < ymax, got {bounds!r}")
    return xmin, xmax, ymin, ymax


def plane_xy(X: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """First two feature columns of ``X`` as float64 (x2 = 0 for one-feature data)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2:
        raise ValueError(f"{what} must have shape (n, n_features), got {X.shape}")
    if X.shape[1] == 0 or X.shape[0] == 0:
        return _EMPTY, _EMPTY
    y = X[:, 1] if X.shape[1] >= 2 else np.zeros(X.shape[0])
    return X[:, 0].copy(), np.array(y)


def class_ids(labels: np.ndarray, n: int, what: str) -> np.ndarray:
    labels = np.asarray(labels).ravel()
    if labels.shape[0] != n:
        raise ValueError(f"{what} has {labels.shape[0]} entries for {n} points")
    if labels.size and labels.dtype.kind not in "biu":
        rounded = np.rint(labels.astype(np.float64))
        if not np.array_equal(rounded, labels):
            raise ValueError(f"{what} must hold integer class ids")
        labels = rounded
    return labels.astype(np.int64)


def point_values(values: object, n: int, what: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.shape[0] != n:
        raise ValueError(f"{what} has {values.shape[0]} entries for {n} points")
    return values


def value_index(values: np.ndarray, lo: float, hi: float, top: int) -> np.ndarray:
    """Each value's entry in a colour table of ``top + 1`` entries spanning ``lo`` to ``hi`` (NaN: the middle)."""
    t = np.clip(np.nan_to_num((values - lo) / (hi - lo), nan=0.5), 0.0, 1.0)
    return np.rint(t * top).astype(np.int64)
