"""The landscape's map: the loss image, its colour scale and axes, the path, and the loss read under the pointer."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from support.landscape import current_point, open_view, path_shown

from nnstudio.ui.learning.landscape_map import decade_ticks, log_levels
from nnstudio.ui.plotting.numbers import format_number


@pytest.fixture
def shown(qtbot):
    return open_view(qtbot)


def test_the_map_and_the_path_are_drawn_as_the_trainer_sent_them(shown):
    view, trainer = shown
    trainer.show(view, 200)
    assert trainer.requests() == [(1, "pca", 41, 0)]
    trainer.answer(view)
    m, plot = view.map, view.map_plot
    assert m is not None and m.kind == "pca" and m.cycle == 200
    with np.errstate(divide="ignore"):
        assert np.allclose(plot.image_item.image, np.log10(m.losses), equal_nan=True)
    # Each grid point is the centre of its pixel: the image spans half a cell beyond the first and last α, β.
    rect = plot.image_item.mapRectToParent(plot.image_item.boundingRect())
    da, db = m.alphas[1] - m.alphas[0], m.betas[1] - m.betas[0]
    assert rect.left() == pytest.approx(m.alphas[0] - da / 2) and rect.right() == pytest.approx(m.alphas[-1] + da / 2)
    assert rect.top() == pytest.approx(m.betas[0] - db / 2) and rect.bottom() == pytest.approx(m.betas[-1] + db / 2)
    assert np.allclose(path_shown(view), m.path)
    assert np.allclose(current_point(view), [0.0, 0.0], atol=1e-12)
    x, y = plot.start_item.getData()
    assert (x[0], y[0]) == pytest.approx(tuple(m.path[0]))
    bottom, left = (plot.plot_item.getAxis(side).labelText for side in ("bottom", "left"))
    assert "PC1" in bottom and f"{100 * m.explained[0]:.1f}%" in bottom
    assert "PC2" in left and f"{100 * m.explained[1]:.1f}%" in left
    low, high = plot.color_bar.levels()
    assert low == pytest.approx(np.log10(m.losses.min())) and high == pytest.approx(np.log10(m.losses.max()))


def test_hovering_the_map_reads_the_loss_of_the_grid_point_under_the_pointer(shown):
    view, trainer = shown
    m = trainer.mapped(view, 60)
    i, j = 7, 30
    at = view.map_plot.plot_item.getViewBox().mapViewToScene(QPointF(m.alphas[j], m.betas[i]))
    view._on_hover((at,))
    assert view.caption.text() == (f"α {format_number(m.alphas[j], 3)}, β {format_number(m.betas[i], 3)}: "
                                   f"loss {format_number(m.losses[i, j], 4)}")
    view._on_hover((QPointF(-1000.0, -1000.0),))
    assert view.caption.text().startswith("Cycle 60")


@pytest.mark.parametrize(("low", "high", "labels"), [
    (0.001 / 1.6, 1.25, ["0.001", "0.01", "0.1", "1"]),  # over three decades: the decades only
    (0.15, 3.0, ["0.2", "0.5", "1", "2"]),  # about a decade: 1, 2 and 5
    (0.15, 0.5, ["0.15", "0.2", "0.3", "0.4"]),  # within a factor of four: every leading digit
    (0.21, 0.23, ["0.21", "0.23"]),  # too narrow for two such ticks: its ends
])
def test_the_colour_bar_labels_losses_at_round_values_that_fit_its_range(low, high, labels):
    ticks = decade_ticks(np.log10(low), np.log10(high))
    assert [label for _, label in ticks] == labels
    assert all(10**value == pytest.approx(float(label), rel=0.02) for value, label in ticks)


def test_the_colour_scale_spans_the_log_of_the_positive_finite_losses():
    shown, levels = log_levels(np.array([[0.1, 0.0], [np.inf, 10.0]]))
    assert np.array_equal(np.isnan(shown), [[False, True], [True, False]])
    assert shown[0, 0] == pytest.approx(-1.0) and shown[1, 1] == pytest.approx(1.0) and levels == (-1.0, 1.0)
    # A flat map still gets a scale (a decade around its value), and one with no loss to show a default one.
    assert log_levels(np.array([[2.0, 2.0]]))[1] == pytest.approx((np.log10(2.0) - 0.5, np.log10(2.0) + 0.5))
    assert log_levels(np.array([[0.0, -1.0]]))[1] == (0.0, 1.0)
