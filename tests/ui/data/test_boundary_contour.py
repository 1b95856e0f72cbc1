"""The decision boundary's 0.5 line: pyqtgraph's marching squares, done with numpy."""

from __future__ import annotations

import numpy as np
import pyqtgraph.functions as pg_functions
import pytest

from nnstudio.ui.data.boundary_math import contour_segments


def as_segments(x, y):
    points = np.round(np.column_stack([x, y]), 9).reshape(-1, 2, 2)
    return sorted(tuple(sorted(map(tuple, segment))) for segment in points)


@pytest.mark.parametrize("shape", [(64, 64), (10, 7), (2, 2), (1, 5)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_segments_are_pyqtgraphs(shape, seed):
    data = np.random.default_rng(seed).random(shape)
    reference = pg_functions.isocurve(data, 0.5, connected=False, extendToEdge=True)
    expected = sorted(tuple(sorted((round(p[0], 9), round(p[1], 9)) for p in segment)) for segment in reference)
    assert as_segments(*contour_segments(data, 0.5)) == expected


def test_a_straight_boundary_is_a_straight_line_where_the_values_cross_the_level():
    # Sample i is the centre of image pixel i, at i + 0.5. The values rise by 0.1 a sample
    # along axis 0: 0.5 lies halfway between sample 4 (0.45) and sample 5 (0.55), at x = 5.
    data = np.tile(np.arange(10) / 10.0 + 0.05, (6, 1)).T
    x, y = contour_segments(data, 0.5)
    assert x.size and np.allclose(x, 5.0)
    assert y.min() == 0 and y.max() == data.shape[1]  # across the whole image, edge to edge


def test_no_crossing_no_segments():
    assert contour_segments(np.full((5, 5), 0.9), 0.5)[0].size == 0
