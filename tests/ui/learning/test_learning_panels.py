"""Tests for the views beside the loss plot: GradientNormPlot, LayerView and TimelineBar."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from support.widgets import shown

from nnstudio.ui.learning.layer_view import LayerView
from nnstudio.ui.learning.timeline_bar import TimelineBar
from nnstudio.ui.plotting.colormaps import CLASS_COLORS
from nnstudio.ui.plotting.gradient_norm_plot import GradientNormPlot

NAMES4 = ["W0 (2→4)", "W1 (4→4)", "W2 (4→4)", "W3 (4→1)"]


def _data(curve) -> tuple[np.ndarray, np.ndarray]:
    """The data given to a curve (before downsampling), empty arrays when it has none."""
    x, y = curve.getOriginalDataset()
    if x is None:
        return np.empty(0), np.empty(0)
    return np.asarray(x), np.asarray(y)


# ---------------------------------------------------------------------- GradientNormPlot
@pytest.fixture
def norm_plot(qtbot) -> GradientNormPlot:
    return shown(qtbot, GradientNormPlot(), 600, 400)


def _norms(n: int = 50, layers: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Cycles 1..n and norms 10^-(layers-l) / cycle: layer l is a decade above layer l-1."""
    cycles = np.arange(1, n + 1, dtype=float)
    norms = 10.0 ** -np.arange(layers, 0, -1, dtype=float)[None, :] / cycles[:, None]
    return cycles, norms


def test_gradient_norm_plot_names_itself_and_labels_its_axes(norm_plot):
    """The object name is "gradientNormPlot"; axes read "cycle" and "‖∂L/∂W‖"; log y by default."""
    item = norm_plot.plot.getPlotItem()
    assert norm_plot.objectName() == "gradientNormPlot"
    assert item.getAxis("bottom").labelText == "cycle"
    assert item.getAxis("left").labelText == "‖∂L/∂W‖"
    assert norm_plot.is_log_scale() and item.ctrl.logYCheck.isChecked()


def test_a_short_norm_history_starts_at_cycle_0_with_whole_cycle_ticks(norm_plot):
    """Three cycles of norms: the view runs from cycle 0 to 10, ticked 0, 1, 2..., and the norms' decades."""
    cycles, norms = _norms(n=3, layers=2)
    norm_plot.set_norms(cycles, norms, NAMES4[:2])
    norm_plot.grab()
    item = norm_plot.plot.getPlotItem()
    (x0, x1), (y0, y1) = item.getViewBox().viewRange()
    assert -0.3 <= x0 <= 0.0 and 9.7 <= x1 <= 10.3
    assert y0 <= np.log10(norms.min()) and y1 >= np.log10(norms.max())
    for _, values in item.getAxis("bottom").tickValues(x0, x1, item.getViewBox().width()):
        assert all(float(v).is_integer() for v in values)


def test_layer_colours_follow_depth_in_one_hue_that_is_neither_orange_nor_blue(norm_plot):
    """Deeper layers are darker; every colour is violet, away from the class/sign hues."""
    cycles, norms = _norms()
    norm_plot.set_norms(cycles, norms, NAMES4)
    colours = [QColor(curve.opts["pen"].color()) for curve in norm_plot.curves]
    lightness = [c.lightness() for c in colours]
    assert lightness == sorted(lightness, reverse=True) and len(set(lightness)) == 4
    assert all(255 <= c.hsvHue() <= 300 for c in colours)


def test_set_norms_gives_each_layer_its_column(norm_plot):
    """Curve l gets the cycles and column l of the norms."""
    cycles, norms = _norms()
    norm_plot.set_norms(cycles, norms, NAMES4)
    assert len(norm_plot.curves) == 4
    for layer, curve in enumerate(norm_plot.curves):
        x, y = _data(curve)
        np.testing.assert_array_equal(x, cycles)
        np.testing.assert_allclose(y, norms[:, layer])


def test_log_scale_drops_non_finite_and_non_positive_norms(norm_plot):
    """NaN, inf, zero and negative norms are left out on the log axis, point by point."""
    cycles, norms = _norms(n=6, layers=2)
    norms[1, 0], norms[2, 0], norms[3, 1], norms[4, 1] = 0.0, -1.0, np.nan, np.inf
    norm_plot.set_norms(cycles, norms, NAMES4[:2])
    np.testing.assert_array_equal(_data(norm_plot.curves[0])[0], [1, 4, 5, 6])
    np.testing.assert_array_equal(_data(norm_plot.curves[1])[0], [1, 2, 3, 6])


def test_linear_scale_keeps_zero_norms(norm_plot):
    """On the linear axis a zero norm (a layer that stopped learning) is drawn; NaN still is not."""
    cycles, norms = _norms(n=4, layers=1)
    norms[1, 0], norms[2, 0] = 0.0, np.nan
    norm_plot.set_norms(cycles, norms, NAMES4[:1])
    norm_plot.set_log_scale(False)
    np.testing.assert_array_equal(_data(norm_plot.curves[0])[0], [1, 2, 4])
    assert not norm_plot.log_checkbox.isChecked()
    norm_plot.log_checkbox.setChecked(True)
    np.testing.assert_array_equal(_data(norm_plot.curves[0])[0], [1, 4])


def test_legend_shows_the_layer_names(norm_plot):
    """The legend has one entry per layer, named as given, in layer order."""
    norm_plot.set_norms(*_norms(), NAMES4)
    assert [label.text for _sample, label in norm_plot.legend.items] == NAMES4


def test_curves_are_reused_when_the_layer_count_is_unchanged(norm_plot):
    """Same number of layers: the same curve objects, the legend just renamed."""
    norm_plot.set_norms(*_norms(), NAMES4)
    before = list(norm_plot.curves)
    renamed = ["W0 (2→8)", "W1 (8→4)", "W2 (4→4)", "W3 (4→1)"]
    norm_plot.set_norms(*_norms(), renamed)
    assert norm_plot.curves == before
    assert [label.text for _sample, label in norm_plot.legend.items] == renamed


def test_curves_are_rebuilt_when_the_layer_count_changes(norm_plot):
    """Another number of layers: new curves, old ones gone from the plot and the legend."""
    norm_plot.set_norms(*_norms(), NAMES4)
    old = list(norm_plot.curves)
    norm_plot.set_norms(*_norms(layers=2), ["W0 (2→3)", "W1 (3→1)"])
    item = norm_plot.plot.getPlotItem()
    assert len(norm_plot.curves) == 2
    assert not any(curve in item.items for curve in old)
    assert [label.text for _sample, label in norm_plot.legend.items] == ["W0 (2→3)", "W1 (3→1)"]
    assert len(norm_plot._cursor.markers) == 2  # one hover marker per curve


def test_set_norms_rejects_mismatched_shapes(norm_plot):
    """Norms must be (len(cycles), len(layer_names))."""
    cycles, norms = _norms()
    with pytest.raises(ValueError):
        norm_plot.set_norms(cycles[:-1], norms, NAMES4)
    with pytest.raises(ValueError):
        norm_plot.set_norms(cycles, norms, NAMES4[:3])


def test_clear_empties_the_curves(norm_plot):
    """clear() leaves the curves (and the layer count) in place, without data."""
    norm_plot.set_norms(*_norms(), NAMES4)
    norm_plot.clear()
    assert len(norm_plot.curves) == 4
    assert all(_data(curve)[0].size == 0 for curve in norm_plot.curves)


def test_hover_reads_every_layer_at_the_nearest_cycle(norm_plot):
    """Hovering shows the nearest recorded cycle and each layer's norm there."""
    norm_plot.set_norms(*_norms(n=10, layers=2), ["W0 (2→4)", "W1 (4→1)"])
    view = norm_plot.plot.getPlotItem().getViewBox()
    norm_plot._on_mouse_moved((view.mapViewToScene(QPointF(4.2, -2.0)),))
    assert norm_plot.readout.text() == "cycle 4 · W0 0.0025 · W1 0.0250"
    norm_plot._on_mouse_moved((QPointF(-50.0, -50.0),))
    assert norm_plot.readout.text().startswith("Hover")


# ---------------------------------------------------------------------- LayerView
@pytest.fixture
def layer_view(qtbot) -> LayerView:
    view = shown(qtbot, LayerView(), 500, 500)
    view.set_layers([2, 4, 3, 1])
    return view


def _combo_texts(combo) -> list[str]:
    return [combo.itemText(k) for k in range(combo.count())]


def test_layer_view_combos_follow_set_layers(layer_view):
    """One entry per layer after the input; neuron combos list the chosen layer's neurons."""
    assert layer_view.objectName() == "layerView"
    assert layer_view.layer_combo.objectName() == "layerViewLayerCombo"
    assert layer_view.neuron_x_combo.objectName() == "layerViewNeuronXCombo"
    assert layer_view.neuron_y_combo.objectName() == "layerViewNeuronYCombo"
    assert _combo_texts(layer_view.layer_combo) == ["Hidden 1", "Hidden 2", "Output"]
    assert layer_view.neuron_x_combo.count() == layer_view.neuron_y_combo.count() == 3


def test_default_choice_is_last_hidden_layer_neurons_0_and_1(qtbot):
    """Defaults: the last hidden layer with neurons 0 and 1, or 0 and 0 in a one-neuron layer."""
    view = shown(qtbot, LayerView(), 600, 400)
    view.set_layers([2, 4, 3, 1])
    assert view.choice() == (2, 0, 1)
    view.set_layers([2, 1, 1])
    assert view.choice() == (1, 0, 0)
    view.set_layers([2, 1])  # no hidden layer: the output layer
    assert view.choice() == (1, 0, 0)


def test_set_layers_keeps_a_still_valid_choice(layer_view, qtbot):
    """A choice whose layer keeps its role and neurons survives set_layers; an invalid one resets."""
    layer_view.layer_combo.setCurrentIndex(0)  # Hidden 1, then neurons 3 and 2
    layer_view._on_layer_picked(0)
    layer_view.neuron_x_combo.setCurrentIndex(3)
    layer_view.neuron_y_combo.setCurrentIndex(2)
    assert layer_view.choice() == (1, 3, 2)
    layer_view.set_layers([2, 5, 3, 3, 1])  # one more hidden layer: Hidden 1 still has 5 neurons
    assert layer_view.choice() == (1, 3, 2)
    layer_view.set_layers([2, 2, 1])  # Hidden 1 now too small for neuron 3: back to the default
    assert layer_view.choice() == (1, 0, 1)


def test_output_choice_does_not_become_a_hidden_layer(layer_view):
    """The output layer chosen before stays "Output" when hidden layers are added."""
    layer_view.layer_combo.setCurrentIndex(2)
    layer_view._on_layer_picked(2)
    assert layer_view.choice() == (3, 0, 0)
    layer_view.set_layers([2, 4, 3, 2, 1])
    assert layer_view.choice() == (3, 0, 1)  # the new default: last hidden layer


def test_user_changes_emit_sig_choice_changed(layer_view, qtbot):
    """Picking a layer or a neuron in a combo emits (layer, i, j)."""
    with qtbot.waitSignal(layer_view.sig_choice_changed, timeout=1000) as blocker:
        qtbot.keyClick(layer_view.neuron_y_combo, Qt.Key.Key_Down)
    assert blocker.args == [(2, 0, 2)]
    with qtbot.waitSignal(layer_view.sig_choice_changed, timeout=1000) as blocker:
        qtbot.keyClick(layer_view.layer_combo, Qt.Key.Key_Up)
    assert blocker.args == [(1, 0, 2)]  # Hidden 1 has 4 neurons: the neurons are kept
    with qtbot.waitSignal(layer_view.sig_choice_changed, timeout=1000) as blocker:
        qtbot.keyClick(layer_view.layer_combo, Qt.Key.Key_End)
    assert blocker.args == [(3, 0, 0)]  # the one-neuron output layer


def test_set_layers_emits_nothing(layer_view, qtbot):
    """Programmatic changes (set_layers) never emit sig_choice_changed."""
    with qtbot.assertNotEmitted(layer_view.sig_choice_changed):
        layer_view.set_layers([2, 6, 1])
        layer_view.set_layers([2, 1])


def test_axes_name_the_chosen_layer_and_neurons(layer_view, qtbot):
    """The axis labels say which layer and neurons are plotted, neurons counted from 1."""
    item = layer_view.plot.getPlotItem()
    assert item.getAxis("bottom").labelText == "Hidden 2 · neuron 1"
    assert item.getAxis("left").labelText == "Hidden 2 · neuron 2"
    qtbot.keyClick(layer_view.neuron_x_combo, Qt.Key.Key_End)
    assert item.getAxis("bottom").labelText == "Hidden 2 · neuron 3"


def _grid(lines: int = 15, samples: int = 40) -> list[np.ndarray]:
    """A lines x lines grid over [-1, 1]^2 warped by tanh, as the owner would pass it."""
    u = np.linspace(-1.0, 1.0, samples)
    out = []
    for v in np.linspace(-1.0, 1.0, lines):
        out.append(np.tanh(2.0 * np.c_[u, np.full_like(u, v)]))
        out.append(np.tanh(2.0 * np.c_[np.full_like(u, v), u]))
    return out


def test_set_data_fills_grid_curve_and_scatter(layer_view):
    """All grid lines go into one NaN-separated curve; every point into the scatter."""
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, (30, 2))
    layer_view.set_data(_grid(), points, np.arange(30) % 2)
    x, _ = _data(layer_view.grid_curve)
    assert np.isfinite(x).sum() == 30 * 40
    assert np.isnan(x).sum() == 30 - 1
    np.testing.assert_allclose(x[:40], np.tanh(2.0 * np.linspace(-1, 1, 40)))
    sx, sy = layer_view.scatter.getData()
    np.testing.assert_allclose(np.c_[sx, sy], points)


def test_points_are_brushed_by_class(layer_view):
    """Class 0 points take CLASS_COLORS[0] (orange), class 1 points CLASS_COLORS[1] (blue)."""
    labels = np.array([0, 1, 1, 0, 1])
    layer_view.set_data(_grid(3, 5), np.zeros((5, 2)), labels)
    colors = [spot.brush().color().name() for spot in layer_view.scatter.points()]
    assert colors == [QColor(CLASS_COLORS[c]).name() for c in labels]


def test_set_data_rejects_mismatched_labels(layer_view):
    """Labels must match the points one to one."""
    with pytest.raises(ValueError):
        layer_view.set_data(_grid(3, 5), np.zeros((5, 2)), np.zeros(4))


def test_unavailable_shows_the_message_until_new_data(layer_view):
    """set_unavailable shows the text instead of the plot; set_data brings the plot back."""
    layer_view.set_unavailable("The layer view needs 2-D data")
    assert not layer_view.is_available()
    assert not layer_view.plot.isVisible() and not layer_view.layer_combo.isVisible()
    assert "The layer view needs 2-D data" in layer_view.message.text()
    layer_view.set_data(_grid(3, 5), np.zeros((2, 2)), np.array([0, 1]))
    assert layer_view.is_available() and layer_view.plot.isVisible()


# ---------------------------------------------------------------------- TimelineBar
@pytest.fixture
def timeline(qtbot) -> TimelineBar:
    bar = shown(qtbot, TimelineBar(), 900, 44)
    bar.set_range(0, 5000, 5000, False)
    return bar


def test_set_range_sets_slider_without_emitting(timeline, qtbot):
    """set_range moves the slider's range and value but emits nothing."""
    with qtbot.assertNotEmitted(timeline.sig_scrubbed):
        timeline.set_range(10, 5000, 1234, True)
    assert not timeline._throttle.isActive()  # and nothing is waiting to go out
    assert timeline.objectName() == "timelineBar"
    assert timeline.slider.objectName() == "timelineSlider"
    assert (timeline.slider.minimum(), timeline.slider.maximum(), timeline.slider.value()) == (10, 5000, 1234)


def test_label_says_whether_it_shows_the_past(timeline):
    """The label reads "cycle 1,234 of 5,000 (viewing the past)" or "cycle 5,000 (latest)"."""
    assert timeline.label.text() == "cycle 5,000 (latest)"
    timeline.set_range(0, 5000, 1234, True)
    assert timeline.label.text() == "cycle 1,234 of 5,000 (viewing the past)"


def test_dragging_emits_coalesced_scrubs_and_on_release(timeline, qtbot):
    """A fast drag emits at most once per interval (latest value wins), and once more on release."""
    received: list[int] = []
    timeline.sig_scrubbed.connect(received.append)
    timeline.slider.setSliderDown(True)
    for value in range(4000, 3000, -100):  # ten moves within one interval
        timeline.slider.setValue(value)
    assert received == [4000]  # the first move goes out at once, the rest wait
    assert timeline.label.text() == "cycle 3,100 of 5,000 (viewing the past)"
    qtbot.waitUntil(lambda: len(received) == 2, timeout=1000)
    assert received == [4000, 3100]  # the timer delivers only the latest position
    timeline.slider.setValue(2500)
    timeline.slider.setSliderDown(False)
    assert received[-1] == 2500  # release: the definitive position, at once
    assert not timeline._throttle.isActive()  # nothing left pending after the release


def test_press_and_release_without_moving_emits_nothing(timeline, qtbot):
    """Clicking the handle without dragging is not a scrub."""
    with qtbot.assertNotEmitted(timeline.sig_scrubbed):
        timeline.slider.setSliderDown(True)
        timeline.slider.setSliderDown(False)
    assert not timeline._throttle.isActive()  # and nothing is waiting to go out


def test_keyboard_moves_emit_a_scrub(timeline, qtbot):
    """Arrow keys scrub too."""
    with qtbot.waitSignal(timeline.sig_scrubbed, timeout=1000) as blocker:
        qtbot.keyClick(timeline.slider, Qt.Key.Key_Left)
    assert blocker.args == [4999]


def test_continue_button_is_enabled_only_when_rewound_and_emits(timeline, qtbot):
    """"Continue from here" works only while viewing the past, and emits sig_continue."""
    button = timeline.continue_button
    assert button.objectName() == "continueFromHereButton"
    assert not button.isEnabled()
    timeline.set_range(0, 5000, 1234, True)
    assert button.isEnabled()
    with qtbot.waitSignal(timeline.sig_continue, timeout=1000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    timeline.set_range(0, 1234, 1234, False)
    assert not button.isEnabled()


def test_empty_history_disables_the_slider(timeline):
    """With a single reachable cycle there is nothing to scrub."""
    timeline.set_range(0, 0, 0, False)
    assert not timeline.slider.isEnabled()
    assert timeline.label.text() == "cycle 0 (latest)"


def test_set_range_does_not_move_the_handle_while_dragging(timeline):
    """A history update during a drag keeps the handle where the learner holds it."""
    timeline.slider.setSliderDown(True)
    timeline.slider.setValue(1000)
    timeline.set_range(0, 6000, 6000, False)
    assert timeline.slider.value() == 1000 and timeline.slider.maximum() == 6000
    timeline.slider.setSliderDown(False)
