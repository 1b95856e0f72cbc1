"""Tests for nnstudio.ui.plotting.loss_plot.LossPlot and the cycle axes it shares with the gradient-norm plot."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from support.histories import made_up_history

from nnstudio.ui.plotting.cycle_axes import CycleAxis, DecadeLogAxis
from nnstudio.ui.plotting.cycle_plot import HOVER_HINT
from nnstudio.ui.plotting.cycle_series import MIN_CYCLE_SPAN
from nnstudio.ui.plotting.loss_plot import LossPlot
from nnstudio.ui.plotting.numbers import format_value

NAN = np.nan


@pytest.fixture
def plot(shown) -> LossPlot:
    widget = shown(LossPlot(), 900, 400)
    return widget


def _data(curve) -> tuple[np.ndarray, np.ndarray]:
    """The data given to a curve (before downsampling), empty arrays when it has none."""
    x, y = curve.getOriginalDataset()
    if x is None:
        return np.empty(0), np.empty(0)
    return x, y


def _scene_pos(widget: LossPlot, x: float, y: float, accuracy: bool = False) -> QPointF:
    """Scene position of data point (x, y), with the view pinned so the mapping is known."""
    plot = widget.accuracy_plot if accuracy else widget.loss_plot
    view = plot.getPlotItem().getViewBox()
    return view.mapViewToScene(QPointF(x, y))


def test_object_name_is_loss_plot(qtbot):
    """The widget names itself "lossPlot" so the main window and tests can find it."""
    widget = LossPlot()
    qtbot.addWidget(widget)
    assert widget.objectName() == "lossPlot"


def test_set_history_puts_data_in_curves(plot):
    """Each array pair lands in its curve unchanged (accuracy converted to percent)."""
    bc, bl, ec, trl, tel, tra, tea = made_up_history()
    plot.set_history(bc, bl, ec, trl, tel, tra, tea)
    np.testing.assert_array_equal(_data(plot.batch_curve)[0], bc)
    np.testing.assert_array_equal(_data(plot.batch_curve)[1], bl)
    np.testing.assert_array_equal(_data(plot.train_curve)[0], ec)
    np.testing.assert_array_equal(_data(plot.train_curve)[1], trl)
    np.testing.assert_array_equal(_data(plot.test_curve)[1], tel)
    np.testing.assert_allclose(_data(plot.train_accuracy_curve)[1], tra * 100)
    np.testing.assert_allclose(_data(plot.test_accuracy_curve)[1], tea * 100)


def test_curves_are_named_for_the_legend(plot):
    """Legend names are "train (batch)", "train" and "test"."""
    assert plot.batch_curve.name() == "train (batch)"
    assert plot.train_curve.name() == "train"
    assert plot.test_curve.name() == "test"


def test_non_finite_values_are_dropped(plot):
    """NaN and inf points are removed from the curves, finite ones kept in order."""
    cycles = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    loss = np.array([1.0, NAN, 0.5, np.inf, 0.25])
    plot.set_history(cycles, loss, cycles, loss, -loss, loss, loss)
    x, y = _data(plot.batch_curve)
    np.testing.assert_array_equal(x, [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(y, [1.0, 0.5, 0.25])
    x, y = _data(plot.test_curve)
    np.testing.assert_array_equal(x, [0.0, 2.0, 4.0])  # -inf dropped as well
    assert np.isfinite(_data(plot.train_accuracy_curve)[1]).all()


def test_missing_test_split_leaves_test_curve_empty_and_out_of_legend(plot):
    """All-NaN test loss gives an empty test curve and no "test" legend entry."""
    bc, bl, ec, trl, _tel, tra, _tea = made_up_history()
    plot.set_history(bc, bl, ec, trl, np.full_like(ec, NAN), tra, np.full_like(ec, NAN))
    assert _data(plot.test_curve)[0].size == 0
    legend_names = [label.text for _sample, label in plot._loss_legend.items]
    assert "test" not in legend_names
    assert "train" in legend_names
    # It comes back once a test split exists again.
    plot.set_history(*made_up_history())
    assert "test" in [label.text for _sample, label in plot._loss_legend.items]


def test_regression_shows_accuracy_message(plot):
    """All-NaN accuracy (regression) replaces the accuracy plot with an explanation."""
    bc, bl, ec, trl, tel, _tra, _tea = made_up_history()
    nan = np.full_like(ec, NAN)
    plot.set_history(bc, bl, ec, trl, tel, nan, nan)
    assert plot._accuracy_stack.currentWidget() is plot.accuracy_message
    assert "no accuracy for regression" in plot.accuracy_message.text().lower()
    plot.set_history(*made_up_history())
    assert plot._accuracy_stack.currentWidget() is plot.accuracy_plot


def test_log_checkbox_toggles_view_log_mode(plot):
    """Checking "Log scale" puts the loss view, axis and curves in log-y mode and back."""
    item = plot.loss_plot.getPlotItem()
    plot.log_checkbox.setChecked(True)
    assert item.getViewBox().state["logMode"] == [False, True]
    assert item.getAxis("left").logMode
    assert plot.train_curve.opts["logMode"] == [False, True]
    assert plot.is_log_scale()
    plot.log_checkbox.setChecked(False)
    assert item.getViewBox().state["logMode"] == [False, False]
    assert not plot.is_log_scale()


def test_set_log_scale_updates_checkbox_with_signals_blocked(plot):
    """set_log_scale switches the view but the check box emits no toggled signal."""
    emitted: list[bool] = []
    plot.log_checkbox.toggled.connect(emitted.append)
    plot.set_log_scale(True)
    assert plot.log_checkbox.isChecked()
    assert plot.loss_plot.getPlotItem().getViewBox().state["logMode"] == [False, True]
    assert emitted == []


def test_context_menu_log_toggle_keeps_checkbox_in_sync(plot):
    """Toggling log mode from the plot's own context menu updates the check box."""
    plot.loss_plot.getPlotItem().ctrl.logYCheck.setChecked(True)
    assert plot.log_checkbox.isChecked()


def test_hover_readout_maps_to_nearest_eval_cycle(plot):
    """A mouse position reads out the values of the nearest evaluated cycle."""
    bc = np.arange(2000, dtype=float)
    bl = np.full(bc.size, 0.5)
    ec = np.array([0.0, 400.0, 800.0, 1200.0, 1600.0])
    trl = np.array([0.9, 0.5, 0.3, 0.1234, 0.1])
    tel = np.array([1.0, 0.6, 0.4, 0.2345, 0.2])
    plot.set_history(bc, bl, ec, trl, tel, trl, tel)
    plot.loss_plot.getPlotItem().getViewBox().setRange(xRange=(0, 2000), yRange=(0, 1), padding=0)

    plot._on_loss_mouse_moved((_scene_pos(plot, 1350.0, 0.5),))
    assert plot.readout.text() == "cycle 1200 · batch 0.5000 · train 0.1234 · test 0.2345"
    assert plot._loss_cursor.line.isVisible()
    assert plot._loss_cursor.line.value() == pytest.approx(1200.0)

    plot._on_loss_mouse_moved((_scene_pos(plot, 1450.0, 0.5),))
    assert plot.readout.text().startswith("cycle 1600 ")


def test_hover_readout_omits_missing_test(plot):
    """Without a test split the read-out lists only what exists."""
    ec = np.array([0.0, 10.0, 20.0])
    nan = np.full(3, NAN)
    plot.set_history(ec, np.array([3.0, 2.0, 1.0]), ec, np.array([0.3, 0.2, 0.1]), nan, nan, nan)
    plot.loss_plot.getPlotItem().getViewBox().setRange(xRange=(0, 20), yRange=(0, 3), padding=0)
    plot._on_loss_mouse_moved(_scene_pos(plot, 9.0, 1.0))  # a bare QPointF works too
    assert plot.readout.text() == "cycle 10 · batch 2.0000 · train 0.2000"


def test_hover_outside_data_area_resets_readout(plot):
    """Moving the mouse outside the plot's data area restores the hint and hides the cursor."""
    plot.set_history(*made_up_history())
    plot.loss_plot.getPlotItem().getViewBox().setRange(xRange=(0, 2000), yRange=(0, 1), padding=0)
    plot._on_loss_mouse_moved((_scene_pos(plot, 1000.0, 0.5),))
    assert plot.readout.text() != HOVER_HINT
    plot._on_loss_mouse_moved((QPointF(-50.0, -50.0),))
    assert plot.readout.text() == HOVER_HINT
    assert not plot._loss_cursor.line.isVisible()


def test_accuracy_hover_reads_percent(plot):
    """Hovering the accuracy plot reads train/test accuracy in percent."""
    ec = np.array([0.0, 100.0, 200.0])
    loss = np.array([1.0, 0.5, 0.25])
    plot.set_history(ec, loss, ec, loss, loss, np.array([0.5, 0.75, 0.9]), np.array([0.4, 0.7, 0.85]))
    plot.tabs.setCurrentIndex(LossPlot.ACCURACY_TAB)
    plot.accuracy_plot.getPlotItem().getViewBox().setRange(xRange=(0, 200), yRange=(0, 100), padding=0)
    plot._on_accuracy_mouse_moved((_scene_pos(plot, 120.0, 50.0, accuracy=True),))
    assert plot.readout.text() == "cycle 100 · train 75.0 % · test 70.0 %"


def test_new_history_refreshes_active_hover(plot):
    """While the mouse rests on the plot, new data updates the read-out values."""
    ec = np.array([0.0, 10.0])
    plot.set_history(ec, np.array([1.0, 0.5]), ec, np.array([0.4, 0.3]), np.array([0.5, 0.4]), ec, ec)
    plot.loss_plot.getPlotItem().getViewBox().setRange(xRange=(0, 10), yRange=(0, 1), padding=0)
    plot._on_loss_mouse_moved((_scene_pos(plot, 9.0, 0.5),))
    assert "train 0.3000" in plot.readout.text()
    plot.set_history(ec, np.array([1.0, 0.5]), ec, np.array([0.4, 0.2]), np.array([0.5, 0.4]), ec, ec)
    assert "train 0.2000" in plot.readout.text()


def test_million_point_history_is_downsampled_and_clipped(plot):
    """A million cycles are accepted whole, with peak auto-downsampling and clip-to-view on."""
    n = 1_000_000
    cycles = np.arange(n, dtype=float)
    loss = np.exp(-cycles / 2e5) + 0.01 * np.random.default_rng(0).random(n)
    ec = cycles[:: n // 500]
    ev = np.exp(-ec / 2e5)
    plot.set_history(cycles, loss, ec, ev, ev * 1.1, 1 - ev / 2, 1 - ev / 2)
    plot.grab()  # a full render of the downsampled data goes through
    assert _data(plot.batch_curve)[0].size == n
    for curve in (plot.batch_curve, plot.train_curve, plot.test_curve):
        assert curve.opts["autoDownsample"] is True
        assert curve.opts["downsampleMethod"] == "peak"
        assert curve.opts["clipToView"] is True


def test_clear_empties_all_curves(plot):
    """clear() leaves every curve empty and the read-out at its hint."""
    plot.set_history(*made_up_history())
    plot.clear()
    for curve in (
        plot.batch_curve,
        plot.train_curve,
        plot.test_curve,
        plot.train_accuracy_curve,
        plot.test_accuracy_curve,
    ):
        assert _data(curve)[0].size == 0
    assert plot.readout.text() == HOVER_HINT
    assert plot._accuracy_stack.currentWidget() is plot.accuracy_plot


def test_mismatched_lengths_raise(plot):
    """Pairs of arrays with different lengths are rejected."""
    with pytest.raises(ValueError):
        empty = np.empty(0)
        plot.set_history(np.arange(3.0), np.arange(2.0), empty, empty, empty, empty, empty)


def test_log_axis_labels_decades_and_blanks_crowded_minors():
    """The log axis labels decades, and 2/5 only when a decade has room."""
    axis = DecadeLogAxis("left")
    # 3 decades over 300 px: 100 px per decade -> decades plus 2 and 5.
    levels = axis.logTickValues(-3.0, 0.0, 300.0, [])
    majors = levels[0][1]
    assert majors == [-3.0, -2.0, -1.0, 0.0]
    strings = axis.logTickStrings(levels[1][1], 1.0, None)
    assert "0.02" in strings and "0.5" in strings
    assert "0.03" not in strings and "" in strings
    assert axis.logTickStrings(majors, 1.0, 1.0) == ["0.001", "0.01", "0.1", "1"]


def test_read_out_losses_switch_to_scientific_for_tiny_values():
    """Read-out losses: ordinary values get 4 decimals, tiny ones scientific notation."""
    assert format_value(0.12344) == "0.1234"
    assert format_value(0.0) == "0.0000"
    assert format_value(3.21e-6) == "3.210e-06"


def _ranges(widget, accuracy: bool = False):
    plot = widget.accuracy_plot if accuracy else widget.loss_plot
    return plot.getPlotItem().getViewBox().viewRange()


def test_an_empty_plot_starts_at_cycle_0_and_loss_0(plot):
    """No history: cycles 0..10 and loss 0..1 (pyqtgraph alone would show 0..1 cycles, ticked 0.1, 0.2...)."""
    (x0, x1), (y0, y1) = _ranges(plot)
    assert x0 == pytest.approx(0.0, abs=0.3) and x1 == pytest.approx(MIN_CYCLE_SPAN, abs=0.3)
    assert y0 == pytest.approx(0.0, abs=0.03) and y1 == pytest.approx(1.0, abs=0.03)


def test_one_evaluation_at_cycle_0_gets_sane_axes(plot):
    """The first evaluation (cycle 0, loss 0.2872) shows on cycles 0..10 and a loss axis from 0."""
    c0 = np.array([0.0])
    plot.set_history(c0[:0], c0[:0], c0, np.array([0.2872]), np.array([0.2860]), np.array([0.5]), np.array([0.5]))
    (x0, x1), (y0, y1) = _ranges(plot)
    assert -0.3 <= x0 <= 0.0 and x1 == pytest.approx(MIN_CYCLE_SPAN, abs=0.3)
    assert y0 == pytest.approx(0.0, abs=0.01) and 0.2872 < y1 < 0.5
    (_, _), (a0, a1) = _ranges(plot, accuracy=True)
    assert a0 == pytest.approx(0.0, abs=3) and a1 == pytest.approx(100.0, abs=3)
    plot.set_log_scale(True)  # the view is in decades now: the value's decade is in view
    (_, _), (l0, l1) = _ranges(plot)
    assert l0 < np.log10(0.2860) and l1 >= np.log10(0.2872)


def test_a_longer_history_auto_ranges_again(plot):
    """Past the first cycles the view follows the data as usual."""
    cycles = np.arange(0.0, 200.0)
    plot.set_history(cycles, 1 / (1 + cycles), cycles, 1 / (1 + cycles), 1 / (1 + cycles), cycles * 0, cycles * 0)
    plot.grab()
    (x0, x1), _ = _ranges(plot)
    assert x1 >= 199 and x0 < 0


def test_cycle_ticks_are_whole_numbers():
    """Over three cycles the axis ticks 0, 1, 2, 3, never 0.5 or 2.5."""
    axis = CycleAxis("bottom")
    for low, high, size in ((0.0, 3.0, 400.0), (0.0, 1.0, 600.0), (-0.2, 10.2, 300.0), (0.0, 1e6, 300.0)):
        spacings = [spacing for spacing, _ in axis.tickSpacing(low, high, size)]
        assert spacings and all(spacing >= 1 for spacing in spacings)
        for _, values in axis.tickValues(low, high, size):
            assert all(float(v).is_integer() for v in values)
    ((_, values),) = [level for level in axis.tickValues(0.0, 3.0, 400.0) if level[1]][:1]
    assert list(values) == [0.0, 1.0, 2.0, 3.0]
