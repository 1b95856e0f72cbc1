"""Panels given what they already show draw nothing again; given anything new, they draw it.

A paused run, a Continue at the latest cycle and a scrub back to a cycle already shown
hand the panels the same numbers many times: each redraw would cost a repaint for
nothing. Seen here in the arrays the plot items hold: kept when nothing was redrawn,
new ones when something was.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.ui.data.boundary_plot import BoundaryPlot
from nnstudio.ui.data.insight_views import ConfusionMatrixView, PredictionScatter
from nnstudio.ui.learning.layer_view import LayerView
from nnstudio.ui.plotting.gradient_norm_plot import GradientNormPlot
from nnstudio.ui.plotting.heatmap import Heatmap
from nnstudio.ui.plotting.heatmap_items import NOT_COMPUTED


@pytest.fixture
def shown(qtbot):
    def show(widget):
        qtbot.addWidget(widget)
        widget.resize(400, 300)
        widget.show()
        return widget
    return show


def test_a_heatmap_redraws_only_new_values_levels_or_notes(shown):
    heatmap = shown(Heatmap("diverging"))
    matrix = np.arange(12.0).reshape(3, 4) - 5
    heatmap.set_matrix(matrix)
    image = heatmap.image_item.image
    heatmap.set_matrix(matrix.copy())
    assert heatmap.image_item.image is image
    changed = matrix.copy()
    changed[2, 3] += 0.5
    heatmap.set_matrix(changed)
    assert heatmap.image_item.image is not image and heatmap.image_item.image[2, 3] == 6.5
    image = heatmap.image_item.image
    heatmap.set_matrix(changed, levels=(-20.0, 20.0))
    assert heatmap.image_item.image is not image and heatmap.levels() == (-20.0, 20.0)
    heatmap.set_matrix(changed, levels=(-20.0, 20.0), note=NOT_COMPUTED)
    assert heatmap.is_pending()
    heatmap.set_matrix(changed, levels=(-20.0, 20.0))
    assert not heatmap.is_pending() and heatmap.image_item.image is not None


def test_the_decision_boundary_redraws_only_a_new_grid(shown):
    plot = shown(BoundaryPlot())
    grid = np.linspace(0.0, 1.0, 64 * 64).reshape(64, 64)
    bounds = (-1.0, 1.0, -1.0, 1.0)
    plot.set_boundary(grid, bounds)
    image = plot.boundary_image.image
    plot.set_boundary(grid.copy(), bounds)
    assert plot.boundary_image.image is image
    plot.set_boundary(grid[::-1].copy(), bounds)
    assert plot.boundary_image.image is not image
    image = plot.boundary_image.image
    plot.set_boundary(grid[::-1].copy(), (-2.0, 2.0, -1.0, 1.0))  # the same values over another plane
    assert plot.boundary_image.image is not image
    image = plot.boundary_image.image
    plot.set_boundary(None)
    assert not plot.boundary_image.isVisible()
    plot.set_boundary(grid[::-1].copy(), (-2.0, 2.0, -1.0, 1.0))  # shown again after being hidden
    assert plot.boundary_image.isVisible()


def test_the_confusion_matrix_redraws_only_new_counts_or_names(shown):
    view = shown(ConfusionMatrixView())
    counts = np.array([[5, 1], [2, 7]])
    view.set_matrix(counts, ["a", "b"])
    image = view.image.image
    view.set_matrix(counts.copy(), ["a", "b"])
    assert view.image.image is image
    view.set_matrix(counts, ["a", "c"])
    assert view.image.image is not image
    view.set_matrix(np.array([[6, 0], [2, 7]]), ["a", "c"])
    assert view.cell_texts[0].toPlainText() == "6" and view.counts[0, 0] == 6


def test_the_prediction_scatter_redraws_only_new_points(shown):
    view = shown(PredictionScatter())
    target, predicted = np.array([1.0, 2.0, 3.0]), np.array([1.1, 1.9, 3.2])
    view.set_points(target, predicted)
    points = view.scatter.data
    view.set_points(target.copy(), predicted.copy())
    assert view.scatter.data is points
    view.set_points(target, predicted + 0.1)
    assert view.scatter.data is not points and np.isclose(view.scatter.data["y"][0], 1.2)


def test_gradient_norms_redraw_only_when_a_point_is_added(shown):
    plot = shown(GradientNormPlot())
    cycles = np.arange(1.0, 11.0)
    norms = np.column_stack([1.0 / cycles, 0.1 / cycles])
    plot.set_norms(cycles, norms, ["W0", "W1"])
    drawn = plot.curves[0].xData
    plot.set_norms(cycles.copy(), norms.copy(), ["W0", "W1"])
    assert plot.curves[0].xData is drawn
    plot.set_norms(np.append(cycles, 11.0), np.vstack([norms, [[0.09, 0.009]]]), ["W0", "W1"])
    assert plot.curves[0].xData is not drawn and plot.curves[0].xData[-1] == 11.0


def test_the_layer_view_redraws_only_a_new_picture(shown):
    view = shown(LayerView())
    view.set_layers([2, 4, 1])
    grid = [np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])]
    points, labels = np.array([[0.2, 0.3], [0.7, 0.1]]), np.array([0, 1])
    view.set_data(grid, points, labels)
    drawn = view.scatter.data
    view.set_data([g.copy() for g in grid], points.copy(), labels.copy())
    assert view.scatter.data is drawn
    view.set_data(grid, points, np.array([1, 1]))
    assert view.scatter.data is not drawn
    drawn = view.scatter.data
    view.set_unavailable("The layer view needs 2-D data.")
    view.set_data(grid, points, np.array([1, 1]))  # the same picture, but it was hidden
    assert view.scatter.data is not drawn and view.is_available()
