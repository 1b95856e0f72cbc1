"""Tests for the Data panel's decision boundary: the grid, the heatmap's pixels and levels, the contour, the colours."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor
from support.plane_points import BOUNDS

from nnstudio.ui.data.boundary_items import boundary_rect
from nnstudio.ui.data.boundary_math import boundary_grid, boundary_lut
from nnstudio.ui.plotting.colormaps import CLASS_COLORS


def test_boundary_grid_points_cover_the_bounds_corners(panel):
    """The grid spans the bounds inclusively, row-major with x varying fastest."""
    xs, ys, points = boundary_grid(BOUNDS, resolution=5)
    assert points.shape == (25, 2)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == BOUNDS
    corners = {tuple(p) for p in points}
    assert {(-2.0, -1.0), (4.0, -1.0), (-2.0, 3.0), (4.0, 3.0)} <= corners
    np.testing.assert_array_equal(points[:5, 0], xs)  # row 0: y = ymin, x left to right
    np.testing.assert_array_equal(points[:5, 1], np.full(5, ys[0]))
    np.testing.assert_array_equal(points[::5, 1], ys)


@pytest.mark.parametrize("args", [((0, 0, 0, 1), 8), ((0, 1, 0, 1), 1), ((0, 1, 0), 8)])
def test_boundary_grid_rejects_bad_bounds_and_resolution(args):
    """Empty or malformed bounds and a resolution below 2 raise ValueError."""
    with pytest.raises(ValueError):
        boundary_grid(*args)


def test_set_boundary_sets_an_image_of_the_right_shape_and_rect(panel):
    """The image has the grid's shape, levels (0, 1), and pixels centred on the grid samples."""
    xs, ys, points = boundary_grid(BOUNDS, resolution=8)
    grid = 1 / (1 + np.exp(-points[:, 0])).reshape(ys.size, xs.size)
    panel.set_boundary(grid, BOUNDS)
    image = panel.plot.boundary_image
    assert image.isVisible()
    assert image.image.shape == (8, 8)
    assert tuple(image.levels) == (0.0, 1.0)
    rect = image.mapRectToParent(image.boundingRect())
    dx, dy = 6.0 / 7, 4.0 / 7
    expected = QRectF(-2.0 - dx / 2, -1.0 - dy / 2, 8 * dx, 8 * dy)
    assert [rect.x(), rect.y(), rect.width(), rect.height()] == pytest.approx(
        [expected.x(), expected.y(), expected.width(), expected.height()])
    assert boundary_rect(BOUNDS, (8, 8)) == expected


def test_boundary_pixel_i_j_lies_at_xs_j_ys_i(panel):
    """Row i is drawn at ys[i] (row 0 at the bottom) and column j at xs[j]."""
    xs, ys, _ = boundary_grid(BOUNDS, resolution=6)
    panel.set_boundary(np.zeros((6, 6)), BOUNDS)
    image = panel.plot.boundary_image
    for i, j in ((0, 0), (0, 5), (5, 0), (2, 3)):
        centre = image.mapToParent(QPointF(j + 0.5, i + 0.5))
        assert (centre.x(), centre.y()) == pytest.approx((xs[j], ys[i]))


def test_boundary_is_drawn_under_the_points(panel):
    """The heatmap's z value is below both scatters."""
    plot = panel.plot
    assert plot.boundary_image.zValue() < min(plot.train_scatter.zValue(), plot.test_scatter.zValue())


def test_set_boundary_none_hides_the_heatmap(panel):
    """None hides the image and its contour; a later grid shows it again."""
    panel.set_boundary(np.full((4, 4), 0.7), BOUNDS)
    panel.set_boundary(None)
    assert not panel.plot.boundary_image.isVisible()
    assert not panel.plot.boundary_contour.isVisible()
    panel.set_boundary(np.full((4, 4), 0.7), BOUNDS)
    assert panel.plot.boundary_image.isVisible()


def test_set_boundary_clips_values_and_neutralises_nan(panel):
    """Outputs outside [0, 1] are clipped and NaN shows as undecided (0.5)."""
    panel.set_boundary(np.array([[-1.0, 2.0], [np.nan, 0.25]]), BOUNDS)
    np.testing.assert_allclose(panel.plot.boundary_image.image, [[0.0, 1.0], [0.5, 0.25]])


def test_contour_follows_the_half_level(panel):
    """The isocurve gets the grid at level 0.5, and can be switched off."""
    grid = np.tile(np.linspace(0, 1, 10), (10, 1))
    panel.set_boundary(grid, BOUNDS)
    contour = panel.plot.boundary_contour
    assert contour.level == 0.5 and contour.data is not None
    panel.plot.set_contour_visible(False)
    assert not contour.isVisible()


@pytest.mark.parametrize("grid, bounds", [(np.zeros(5), BOUNDS), (np.zeros((2, 2)), None),
                                          (np.zeros((2, 2)), (1, 0, 0, 1))])
def test_set_boundary_rejects_bad_grids_and_bounds(panel, grid, bounds):
    """A non-2-D grid, missing or inverted bounds raise ValueError."""
    with pytest.raises(ValueError):
        panel.set_boundary(grid, bounds)


def test_boundary_lut_runs_from_class_0_through_white_to_class_1():
    """256 RGBA entries: class-0 hue at 0, clear white at the centre, class-1 hue at 1, translucent ends."""
    lut = boundary_lut()
    assert lut.shape == (256, 4) and lut.dtype == np.uint8
    for end, color in ((lut[0], CLASS_COLORS[0]), (lut[-1], CLASS_COLORS[1])):
        assert QColor(*end[:3]).name() == QColor(color).name()
        assert 0 < end[3] < 255
    centre = lut[127:129]
    assert np.all(centre[:, :3] >= 250) and np.all(centre[:, 3] < 40)


def test_boundary_levels_map_regression_outputs_without_a_contour(panel):
    """set_boundary(levels=) keeps outputs in (lo, hi) instead of clipping to (0, 1), and draws no contour."""
    grid = np.array([[-3.0, -1.0], [0.5, 2.5]])
    panel.set_boundary(grid, BOUNDS, levels=(-2.0, 2.0))
    image = panel.plot.boundary_image
    assert tuple(image.levels) == (-2.0, 2.0)
    np.testing.assert_allclose(image.image, [[-2.0, -1.0], [0.5, 2.0]])
    assert panel.plot.boundary_contour.data is None
    panel.set_boundary(np.array([[np.nan, 0.0]]), BOUNDS, levels=(-1.0, 3.0))
    np.testing.assert_allclose(panel.plot.boundary_image.image, [[1.0, 0.0]])  # NaN shows as the middle


@pytest.mark.parametrize("levels", [(1.0, 1.0), (2.0, 1.0), (0.0, np.inf), (1.0,)])
def test_bad_boundary_levels_are_rejected(panel, levels):
    """Levels must be two finite numbers, low before high."""
    with pytest.raises(ValueError):
        panel.set_boundary(np.zeros((2, 2)), BOUNDS, levels=levels)
