"""Tests for the Data panel's points: train and test scatters, legend, bounds, and the colours of regression values."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor
from support.plane_points import BOUNDS, color_names, split_spiral

from nnstudio.engine.data.datasets import plane_bounds
from nnstudio.ui.data.boundary_math import LUT_SIZE
from nnstudio.ui.plotting.colormaps import CLASS_COLORS, signed_lut

# ---------------------------------------------------------------- points


def test_set_points_puts_train_and_test_points_in_their_scatters_with_class_colours(panel):
    """Train points are filled in the class colour, test points ringed in it; counts match."""
    dataset, train, test = split_spiral()
    panel.set_points(dataset.X[train], dataset.y[train], dataset.X[test], dataset.y[test], plane_bounds(dataset))
    plot = panel.plot
    assert len(plot.train_scatter.points()) == train.size == 80
    assert len(plot.test_scatter.points()) == test.size == 20
    train_colors = color_names(plot.train_scatter.data["brush"])
    test_colors = color_names(plot.test_scatter.data["pen"])
    orange, blue = (QColor(c).name() for c in CLASS_COLORS[:2])
    for colors, rows in ((train_colors, train), (test_colors, test)):
        labels = dataset.y[rows]
        assert colors.count(orange) == np.count_nonzero(labels == 0)
        assert colors.count(blue) == np.count_nonzero(labels == 1)
        assert colors == [orange if y == 0 else blue for y in labels]
    np.testing.assert_array_equal(plot.train_scatter.data["x"], dataset.X[train, 0])
    np.testing.assert_array_equal(plot.test_scatter.data["y"], dataset.X[test, 1])


def test_train_and_test_points_are_told_apart_by_fill(panel):
    """Test points get a white fill, so they read as rings next to the filled training points."""
    panel.set_points(np.zeros((1, 2)), [1], np.ones((1, 2)), [1], BOUNDS)
    train_fill = QColor(panel.plot.train_scatter.data["brush"][0].color())
    test_fill = QColor(panel.plot.test_scatter.opts["brush"].color())
    assert train_fill.name() == QColor(CLASS_COLORS[1]).name()
    assert test_fill.name() == "#ffffff"


def test_set_points_updates_the_legend_counts(panel):
    """The legend names the size of each split."""
    _, train, test = split_spiral()
    panel.set_points(np.zeros((train.size, 2)), np.zeros(train.size, int), np.zeros((test.size, 2)),
                     np.ones(test.size, int), BOUNDS)
    labels = [label.text for _, label in panel.plot.legend.items]
    assert labels == ["class 0", "class 1", f"train ({train.size})", f"test ({test.size})"]


def test_set_points_shows_exactly_the_bounds(panel):
    """The view range is the bounds given, although the aspect ratio is locked."""
    panel.show()
    panel.set_points(np.zeros((2, 2)), [0, 1], np.zeros((0, 2)), [], BOUNDS)
    (x0, x1), (y0, y1) = panel.plot.plot_item.getViewBox().viewRange()
    assert (x0, x1, y0, y1) == pytest.approx(BOUNDS, abs=1e-6)
    assert panel.plot.plot_item.getViewBox().state["aspectLocked"] == 1.0


def test_set_points_with_more_features_draws_the_first_two(panel):
    """Wider inputs are drawn by their first two columns."""
    X = np.arange(12.0).reshape(3, 4)
    panel.set_points(X, [0, 1, 0], X[:1], [1], BOUNDS)
    np.testing.assert_array_equal(panel.plot.train_scatter.data["x"], X[:, 0])
    np.testing.assert_array_equal(panel.plot.train_scatter.data["y"], X[:, 1])


def test_set_points_with_one_feature_draws_it_on_the_x_axis(panel):
    """A single feature is drawn at x2 = 0 rather than failing."""
    panel.set_points(np.array([[1.0], [2.0]]), [0, 1], np.empty((0, 1)), [], BOUNDS)
    np.testing.assert_array_equal(panel.plot.train_scatter.data["y"], [0.0, 0.0])


def test_set_points_rejects_labels_of_the_wrong_length(panel):
    """Mismatched labels raise ValueError instead of drawing wrong colours."""
    with pytest.raises(ValueError):
        panel.set_points(np.zeros((3, 2)), [0, 1], np.zeros((0, 2)), [], BOUNDS)


# ---------------------------------------------------------------- regression colours


def test_values_colour_points_on_the_diverging_map_with_symmetric_levels(panel):
    """With values= the points take orange for the lowest, white for zero and blue for the highest value."""
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    panel.set_points(X, None, X[:1], None, BOUNDS, values=(np.array([-2.0, 0.0, 1.0]), np.array([2.0])))
    plot = panel.plot
    assert plot.value_levels == (-2.0, 2.0)
    lut = signed_lut(LUT_SIZE)
    fills = [QColor(b.color()).getRgb()[:3] for b in plot.train_scatter.data["brush"]]
    assert fills[0] == tuple(lut[0]) and QColor(*fills[0]).name() == QColor(CLASS_COLORS[0]).name()
    assert min(fills[1]) >= 250  # zero is (nearly) white
    ring = QColor(plot.test_scatter.data["pen"][0].color())
    assert ring.blue() > ring.red()  # the largest value is blue
    assert list(plot.train_scatter.data["data"]) == [-2.0, 0.0, 1.0]
    assert [label.text for _, label in plot.legend.items][:2] == ["-2", "+2"]


def test_explicit_levels_clip_point_colours(panel):
    """levels= sets the ends of the colour scale; values beyond them get the end colours."""
    X = np.zeros((2, 2))
    panel.set_points(X, None, np.zeros((0, 2)), None, BOUNDS, values=([5.0, -5.0], []), levels=(-1.0, 1.0))
    fills = [QColor(b.color()).name() for b in panel.plot.train_scatter.data["brush"]]
    assert fills == [QColor(CLASS_COLORS[1]).name(), QColor(CLASS_COLORS[0]).name()]


def test_classes_come_back_after_values(panel):
    """A later call without values colours by class again and restores the class legend."""
    X = np.zeros((2, 2))
    panel.set_points(X, None, X[:0], None, BOUNDS, values=([1.0, -1.0], []))
    panel.set_points(X, [0, 1], X[:0], [], BOUNDS)
    assert panel.plot.value_levels is None
    assert color_names(panel.plot.train_scatter.data["brush"]) == [QColor(c).name() for c in CLASS_COLORS[:2]]
    assert [label.text for _, label in panel.plot.legend.items][:2] == ["class 0", "class 1"]


def test_values_of_the_wrong_length_are_rejected(panel):
    """values= must hold one value per point of each split."""
    with pytest.raises(ValueError):
        panel.set_points(np.zeros((3, 2)), None, np.zeros((0, 2)), None, BOUNDS, values=([1.0, 2.0], []))
