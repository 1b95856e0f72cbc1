"""Tests for the network diagram widget (nnstudio.ui.network.network_canvas)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from nnstudio.ui.network.connection_items import ConnectionItem
from nnstudio.ui.network.network_canvas import NetworkCanvas
from nnstudio.ui.network.neuron_item import NeuronItem
from nnstudio.ui.network.spec_edits import MAX_NEURONS
from nnstudio.ui.plotting.colormaps import CLASS_COLORS, NEGATIVE_COLOR, POSITIVE_COLOR

SIZES = (2, 4, 1)
ACTS = ("tanh", "sigmoid")


@pytest.fixture
def canvas(qtbot):
    widget = NetworkCanvas()
    qtbot.addWidget(widget)
    widget.resize(800, 450)
    widget.set_spec(SIZES, ACTS)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def hue(color) -> float:
    """Hue in degrees of a QColor or a colour name."""
    return QColor(color).hsvHueF() * 360.0


def same_hue_family(a, b, tolerance: float = 15.0) -> bool:
    difference = abs(hue(a) - hue(b)) % 360.0
    return min(difference, 360.0 - difference) <= tolerance


def weights_for(sizes, rng=None):
    rng = rng or np.random.default_rng(0)
    return [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]


def click_scene_point(qtbot, canvas, point: QPointF) -> None:
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.mapFromScene(point))


def test_object_name_is_network_canvas(canvas):
    """The widget carries the objectName other code looks it up by."""
    assert canvas.objectName() == "networkCanvas"


def test_set_spec_builds_one_item_per_neuron_and_connection(canvas):
    """set_spec creates sizes[l] neurons per column and sizes[l]*sizes[l+1] connections."""
    canvas.set_spec((3, 5, 4, 2), ("relu", "tanh", "softmax"))
    items = canvas.scene().items()
    neurons = [it for it in items if isinstance(it, NeuronItem)]
    conns = [it for it in items if isinstance(it, ConnectionItem)]
    assert len(neurons) == 3 + 5 + 4 + 2
    assert len(conns) == 3 * 5 + 5 * 4 + 4 * 2
    for layer, n in enumerate((3, 5, 4, 2)):
        assert sum(1 for it in neurons if it.layer == layer) == n
    assert canvas.spec() == ((3, 5, 4, 2), ("relu", "tanh", "softmax"))
    assert canvas.connection_item(1, 4, 3).layer == 1


def test_headers_name_layers_and_activations(canvas):
    """Column headers read 'Input (2)', 'Hidden 1 (4) · tanh', 'Output (1) · sigmoid'."""
    assert [canvas.header_text(c) for c in range(3)] == ["Input (2)", "Hidden 1 (4) · tanh", "Output (1) · sigmoid"]


def test_set_spec_rejects_inconsistent_structure(canvas):
    """Wrong activation count, unknown names and single-neuron softmax are refused."""
    with pytest.raises(ValueError):
        canvas.set_spec((2, 4, 1), ("tanh",))
    with pytest.raises(ValueError):
        canvas.set_spec((2, 4, 1), ("swish", "sigmoid"))
    with pytest.raises(ValueError):
        canvas.set_spec((2, 4, 1), ("tanh", "softmax"))
    assert canvas.spec() == (SIZES, ACTS)


def test_set_state_colours_connections_by_sign(canvas):
    """A negative weight is drawn in class 0's orange, a positive one in class 1's blue."""
    w0 = np.full((2, 4), 0.8)
    w0[1, 2] = -0.8
    canvas.set_state([w0, np.ones((4, 1))])
    pos = canvas.connection_item(0, 0, 0).base_pen().color()
    neg = canvas.connection_item(0, 1, 2).base_pen().color()
    assert same_hue_family(neg, CLASS_COLORS[0]) and same_hue_family(neg, NEGATIVE_COLOR)
    assert same_hue_family(pos, CLASS_COLORS[1]) and same_hue_family(pos, POSITIVE_COLOR)
    assert not same_hue_family(pos, neg, tolerance=90)


def test_connection_width_grows_with_weight_magnitude(canvas):
    """Line width grows with |w| and stays within 0.5..6 px."""
    w0 = np.array([[0.01, 0.5, 1.0, 2.0], [-4.0, 0.0, 0.1, 0.2]])
    canvas.set_state([w0, np.zeros((4, 1))])
    widths = [canvas.connection_item(0, 0, j).base_pen().widthF() for j in range(4)]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    assert canvas.connection_item(0, 1, 0).base_pen().widthF() == pytest.approx(6.0)
    assert canvas.connection_item(0, 1, 1).base_pen().widthF() == pytest.approx(0.5)
    assert canvas.connection_item(0, 0, 0).base_pen().isCosmetic()


def test_tooltip_shows_live_weight_after_second_set_state(canvas):
    """A connection's tooltip shows the newest weight, not the first one."""
    w0 = np.zeros((2, 4))
    w0[1, 3] = 0.1234
    canvas.set_state([w0, np.zeros((4, 1))])
    assert "0.1234" in canvas.connection_item(0, 1, 3).toolTip()
    w0[1, 3] = -0.4312
    canvas.set_state([w0, np.zeros((4, 1))])
    tip = canvas.connection_item(0, 1, 3).toolTip()
    assert tip.startswith("Weight from Input neuron 2 to Hidden 1 neuron 4\n")  # numbered from 1
    assert "w = -0.4312" in tip


def test_several_set_state_calls_apply_only_the_newest(canvas, qtbot):
    """Calls between paints coalesce: after the event loop runs, the last state is shown."""
    for value in (0.1, 0.2, 0.3):
        canvas.set_state([np.full((2, 4), value), np.zeros((4, 1))])
    qtbot.waitUntil(lambda: canvas._pending is None, timeout=1000)
    assert "0.3000" in canvas._conns[0][0].toolTip()


def test_clicking_neuron_emits_selection(canvas, qtbot):
    """Clicking a neuron selects it and emits sig_neuron_selected(layer, index)."""
    item = canvas.neuron_item(1, 2)
    with qtbot.waitSignal(canvas.sig_neuron_selected, timeout=1000) as blocker:
        click_scene_point(qtbot, canvas, item.scenePos())
    assert blocker.args == [1, 2]
    assert canvas.selected_neuron() == (1, 2)
    assert item.is_selected_ring()


def test_clicking_connection_emits_typed_weight(canvas, qtbot, monkeypatch):
    """Clicking a line asks for a value and emits sig_weight_edited(layer, i, j, value)."""
    w0 = np.full((2, 4), 0.5)
    canvas.set_state([w0, np.zeros((4, 1))])
    asked = []
    monkeypatch.setattr(canvas, "_ask_weight", lambda current: asked.append(current) or -1.25)
    line = canvas.connection_item(0, 0, 2).line()
    with qtbot.waitSignal(canvas.sig_weight_edited, timeout=1000) as blocker:
        click_scene_point(qtbot, canvas, line.pointAt(0.3))
    assert blocker.args == [0, 0, 2, -1.25]
    assert asked == [0.5]


def test_cancelled_weight_edit_emits_nothing(canvas, qtbot, monkeypatch):
    """Cancelling the weight editor emits no signal."""
    monkeypatch.setattr(canvas, "_ask_weight", lambda current: None)
    with qtbot.assertNotEmitted(canvas.sig_weight_edited):
        assert canvas.edit_weight(1, 3, 0) is False


def test_add_and_remove_neuron_request_new_sizes(canvas, qtbot):
    """request_add/remove_neuron emit the new sizes and leave the drawing alone."""
    with qtbot.waitSignal(canvas.sig_spec_changed) as blocker:
        canvas.request_add_neuron(1)
    assert blocker.args == [(2, 5, 1), ACTS]
    with qtbot.waitSignal(canvas.sig_spec_changed) as blocker:
        canvas.request_remove_neuron(1)
    assert blocker.args == [(2, 4, 1), ACTS]  # builds on the request, not on the drawing
    assert canvas.spec() == (SIZES, ACTS)


def test_quick_requests_build_on_each_other_until_the_owner_redraws(canvas, qtbot):
    """Two '+' clicks before a redraw ask for two more neurons; set_spec starts afresh."""
    seen = []
    canvas.sig_spec_changed.connect(lambda sizes, acts: seen.append(sizes))
    canvas.request_add_neuron(1)
    canvas.request_add_neuron(1)
    assert seen == [(2, 5, 1), (2, 6, 1)]
    canvas.request_add_layer()
    canvas.set_spec(SIZES, ACTS)  # the owner refused: back to what is drawn
    with qtbot.waitSignal(canvas.sig_spec_changed) as blocker:
        canvas.request_add_neuron(1)
    assert blocker.args == [(2, 5, 1), ACTS]


def test_neuron_requests_respect_min_and_max(canvas, qtbot):
    """No signal past 1 or 32 neurons; input and output columns cannot be resized."""
    canvas.set_spec((2, 1, MAX_NEURONS, 1), ("relu", "relu", "sigmoid"))
    with qtbot.assertNotEmitted(canvas.sig_spec_changed):
        assert canvas.request_remove_neuron(1) is False
        assert canvas.request_add_neuron(2) is False
    with pytest.raises(ValueError):
        canvas.request_add_neuron(0)
    with pytest.raises(ValueError):
        canvas.request_remove_neuron(3)


def test_plus_button_click_requests_a_neuron(canvas, qtbot):
    """Clicking the '+' under a hidden column emits the enlarged sizes."""
    minus, plus = canvas.button_items(1)
    with qtbot.waitSignal(canvas.sig_spec_changed, timeout=1000) as blocker:
        click_scene_point(qtbot, canvas, plus.scenePos())
    assert blocker.args == [(2, 5, 1), ACTS]


def test_request_activation_emits_new_activations(canvas, qtbot):
    """request_activation emits the activations with one layer changed."""
    with qtbot.waitSignal(canvas.sig_spec_changed) as blocker:
        canvas.request_activation(1, "relu")
    assert blocker.args == [SIZES, ("relu", "sigmoid")]
    with qtbot.assertNotEmitted(canvas.sig_spec_changed):
        assert canvas.request_activation(2, "sigmoid") is False  # unchanged
    with pytest.raises(ValueError):
        canvas.request_activation(1, "swish")
    with pytest.raises(ValueError):
        canvas.request_activation(0, "tanh")


def _menu_items(canvas, layer):
    """{name: (checkable, checked, enabled, tooltip)} of a header menu, whose items share an exclusive group."""
    menu = canvas.activation_menu(layer)
    assert menu.toolTipsVisible()  # a disabled choice's tooltip says why
    actions = menu.actions()
    groups = {action.actionGroup() for action in actions}
    assert len(groups) == 1 and next(iter(groups)).isExclusive()  # radio items: one choice
    items = {a.data(): (a.isCheckable(), a.isChecked(), a.isEnabled(), a.toolTip() if not a.isEnabled() else "")
             for a in actions}
    menu.deleteLater()
    return items


def test_header_menus_are_radio_items_showing_the_current_choice(canvas):
    """A hidden layer's menu: every activation, checkable in one exclusive group, its own checked."""
    items = _menu_items(canvas, 1)
    assert list(items) == ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
    assert all(checkable and enabled for checkable, _, enabled, _ in items.values())
    assert [name for name, (_, checked, _, _) in items.items() if checked] == ["tanh"]
    assert [name for name, (_, checked, _, _) in _menu_items(canvas, 2).items() if checked] == ["sigmoid"]


def test_a_binary_classifier_output_offers_only_sigmoid_and_says_why_not_the_rest(canvas):
    canvas.set_task("classification", "mse")
    items = _menu_items(canvas, 2)
    assert [name for name, (_, _, enabled, _) in items.items() if enabled] == ["sigmoid"]
    assert "Softmax over one output is always 1" in items["softmax"][3]
    for name in ("tanh", "relu", "leaky_relu", "linear"):
        assert "probability" in items[name][3], name
    with pytest.raises(ValueError, match="always 1"):
        canvas.request_activation(2, "softmax")
    with pytest.raises(ValueError, match="probability"):
        canvas.request_activation(2, "linear")
    assert canvas.activation_refusal(1, "linear") == ""  # hidden layers have no rules


def test_cross_entropy_names_itself_as_the_reason(canvas):
    canvas.set_task("classification", "cross_entropy")
    assert "Cross-entropy" in canvas.activation_refusal(2, "tanh")
    canvas.set_spec((2, 4, 3), ("tanh", "softmax"))
    assert canvas.activation_refusal(2, "softmax") == canvas.activation_refusal(2, "sigmoid") == ""


def test_a_regression_output_is_linear_only(canvas):
    canvas.set_spec((2, 4, 1), ("tanh", "linear"))
    canvas.set_task("regression")
    items = _menu_items(canvas, 2)
    assert [name for name, (_, _, enabled, _) in items.items() if enabled] == ["linear"]
    assert items["linear"][1] and all("Regression" in items[n][3] for n in items if n != "linear")


def test_without_a_task_only_single_neuron_softmax_is_disabled(canvas):
    """softmax is listed for every output; over one neuron it is disabled, over several it may be picked."""
    items = _menu_items(canvas, 2)
    assert [name for name, (_, _, enabled, _) in items.items() if not enabled] == ["softmax"]
    assert "softmax" not in canvas.activation_choices(1)
    with pytest.raises(ValueError):
        canvas.request_activation(2, "softmax")
    canvas.set_spec((2, 4, 3), ("tanh", "sigmoid"))
    assert _menu_items(canvas, 2)["softmax"][2]


@pytest.mark.parametrize("data", ["xor", "plane", "iris"])
def test_the_enabled_output_choices_are_exactly_those_the_session_keeps(canvas, data):
    """From a real snapshot: every enabled choice survives set_network, every disabled one would be reverted."""
    from nnstudio.engine.run.config import DataSpec, SessionConfig
    from nnstudio.engine.run.session import TrainingSession

    session = TrainingSession(SessionConfig(data=DataSpec(data)))
    snap = session.snapshot()
    canvas.set_spec(snap.spec.sizes, snap.spec.activations)
    canvas.show_snapshot(snap)
    for name, (_, _, enabled, tip) in _menu_items(canvas, len(snap.spec.sizes) - 1).items():
        session.set_network(session.config.hidden, (*session.config.activations[:-1], name))
        assert (session.config.activations[-1] == name) == enabled, (data, name, tip)
        assert enabled or tip


def test_add_layer_inserts_hidden_layer_before_output(canvas, qtbot):
    """request_add_layer adds 4 neurons before the output with the last hidden activation."""
    with qtbot.waitSignal(canvas.sig_spec_changed) as blocker:
        canvas.request_add_layer()
    assert blocker.args == [(2, 4, 4, 1), ("tanh", "tanh", "sigmoid")]
    canvas.set_spec((2, 1), ("sigmoid",))
    with qtbot.waitSignal(canvas.sig_spec_changed) as blocker:
        canvas.request_add_layer()
    assert blocker.args == [(2, 4, 1), ("sigmoid", "sigmoid")]


def test_remove_layer_drops_last_hidden_layer_or_does_nothing(canvas, qtbot):
    """request_remove_layer drops the last hidden layer; no-op without hidden layers."""
    canvas.set_spec((2, 4, 3, 1), ("tanh", "relu", "sigmoid"))
    with qtbot.waitSignal(canvas.sig_spec_changed) as blocker:
        canvas.request_remove_layer()
    assert blocker.args == [(2, 4, 1), ("tanh", "sigmoid")]
    canvas.set_spec((2, 1), ("sigmoid",))
    with qtbot.assertNotEmitted(canvas.sig_spec_changed):
        assert canvas.request_remove_layer() is False


def test_neuron_maps_are_drawn_as_pixmaps(canvas):
    """neuron_maps become visible pixmaps; the toggle hides them."""
    rng = np.random.default_rng(1)
    maps = [rng.uniform(size=(4, 12, 10)), rng.normal(size=(1, 12, 10))]
    canvas.set_state(weights_for(SIZES), neuron_maps=maps)
    item = canvas.neuron_map_item(1, 3)
    assert not item.pixmap().isNull()
    assert (item.pixmap().width(), item.pixmap().height()) == (10, 12)
    assert item.isVisible()
    canvas.set_show_neuron_maps(False)
    assert not canvas.neuron_map_item(2, 0).isVisible()


def test_activations_colour_neurons_and_show_values(canvas):
    """Inputs and tanh centre on 0, sigmoid on 0.5: below orange, at the centre white, above blue."""
    canvas.set_state(weights_for(SIZES), activations=[np.array([2.0, -2.0]), np.zeros(4), np.array([0.9])])
    above = canvas.neuron_item(0, 0).fill_color()
    below = canvas.neuron_item(0, 1).fill_color()
    zero = canvas.neuron_item(1, 0).fill_color()
    assert above.getRgb()[:3] == QColor(POSITIVE_COLOR).getRgb()[:3]  # 2 is the largest |input|: the end
    assert below.getRgb()[:3] == QColor(NEGATIVE_COLOR).getRgb()[:3]
    assert zero.getRgb()[:3] == (255, 255, 255)
    assert canvas.neuron_item(2, 0).value_text() == "0.90"
    assert same_hue_family(canvas.neuron_item(2, 0).fill_color(), CLASS_COLORS[1])


def test_a_sigmoid_output_of_a_third_reads_as_class_0_not_pink(canvas):
    """0.33 from a sigmoid is below its midpoint 0.5: a light tint of class 0's orange; 0.5 is white."""
    for output, family in ((0.33, CLASS_COLORS[0]), (0.67, CLASS_COLORS[1])):
        canvas.set_state(weights_for(SIZES), activations=[np.zeros(2), np.zeros(4), np.array([output])])
        fill = canvas.neuron_item(2, 0).fill_color()
        assert same_hue_family(fill, family), (output, fill.name())
        assert fill.lightness() > 150  # a third of the way: a tint, not the full class colour
    canvas.set_state(weights_for(SIZES), activations=[np.zeros(2), np.zeros(4), np.array([0.5])])
    assert canvas.neuron_item(2, 0).fill_color().getRgb()[:3] == (255, 255, 255)


def test_sigmoid_maps_are_centred_on_one_half(canvas):
    """A sigmoid neuron's map draws 0.5 white, 0.1 orange and 0.9 blue, so its boundary shows."""
    plane = np.full((1, 3, 3), 0.5)
    plane[0, 0, :] = 0.1
    plane[0, 2, :] = 0.9
    maps = [np.repeat(np.full((1, 3, 3), 0.5), 4, axis=0), plane]
    canvas.set_state(weights_for(SIZES), neuron_maps=maps)
    image = canvas.neuron_map_item(2, 0).pixmap().toImage()
    top, middle, bottom = (image.pixelColor(1, row) for row in range(3))
    assert middle.getRgb()[:3] == (255, 255, 255)
    assert same_hue_family(top, CLASS_COLORS[0]) and same_hue_family(bottom, CLASS_COLORS[1])
    # tanh (Hidden 1) centres on 0: a map of 0.5 everywhere is a blue tint, not white
    assert same_hue_family(canvas.neuron_map_item(1, 0).pixmap().toImage().pixelColor(1, 1), POSITIVE_COLOR)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights": [np.zeros((2, 4))]},
        {"weights": [np.zeros((4, 2)), np.zeros((4, 1))]},
        {"weights": None, "biases": [np.zeros(4), np.zeros(2)]},
        {"weights": None, "activations": [np.zeros(2), np.zeros(4)]},
        {"weights": None, "activations": [np.zeros((2, 1)), np.zeros(4), np.zeros(1)]},
        {"weights": None, "neuron_maps": [np.zeros((4, 5)), np.zeros((1, 5, 5))]},
        {"weights": None, "neuron_maps": [np.zeros((3, 5, 5)), np.zeros((1, 5, 5))]},
    ],
)
def test_bad_shapes_raise_value_error(canvas, kwargs):
    """Arrays that do not match the spec are rejected with ValueError."""
    with pytest.raises(ValueError):
        canvas.set_state(**kwargs)


def test_highlight_tints_column_and_labels_direction(canvas):
    """set_highlight labels the column '→ forward' / '← backward'; None clears."""
    canvas.set_highlight(1, "forward")
    assert canvas.highlight() == (1, "forward")
    assert canvas._phase_label.isVisible() and canvas._phase_label.text() == "→ forward"
    canvas.set_highlight(2, "backward")
    assert canvas._phase_label.text() == "← backward"
    canvas.set_highlight(None, None)
    assert not canvas._phase_label.isVisible()
    with pytest.raises(ValueError):
        canvas.set_highlight(1, "sideways")


def test_large_network_updates_repeatedly(qtbot):
    """A 64-32-10 network takes 20 state updates (with maps) and repaints."""
    widget = NetworkCanvas()
    qtbot.addWidget(widget)
    widget.resize(800, 450)
    sizes = (64, 32, 10)
    widget.set_spec(sizes, ("relu", "softmax"))
    widget.show()
    rng = np.random.default_rng(2)
    for _ in range(20):
        widget.set_state(
            weights_for(sizes, rng),
            [rng.normal(size=n) for n in sizes[1:]],
            [rng.uniform(size=n) for n in sizes],
            [rng.uniform(size=(n, 16, 16)) for n in sizes[1:]],
        )
    widget.viewport().repaint()
    assert widget.connection_item(0, 63, 31).toolTip().startswith("Weight from Input neuron 64 to Hidden 1 neuron 32")


def test_selection_survives_set_spec_and_clears_on_empty_click(canvas, qtbot):
    """A still-valid selection keeps its ring after set_spec; clicking empty space clears it."""
    canvas.set_selected_neuron((1, 1))
    canvas.set_spec((2, 5, 1), ACTS)
    assert canvas.neuron_item(1, 1).is_selected_ring()
    with qtbot.assertNotEmitted(canvas.sig_neuron_selected):
        click_scene_point(qtbot, canvas, QPointF(4, 4))
    assert canvas.selected_neuron() is None


def test_clicking_header_chooses_activation(canvas, qtbot, monkeypatch):
    """Clicking a hidden header offers the activation menu and emits the choice."""
    offered = []
    monkeypatch.setattr(canvas, "_choose_activation", lambda layer, pos: offered.append(layer) or "relu")
    header = canvas.header_item(1)
    with qtbot.waitSignal(canvas.sig_spec_changed, timeout=1000) as blocker:
        click_scene_point(qtbot, canvas, header.scenePos() + QPointF(0, 10))
    assert offered == [1]
    assert blocker.args == [SIZES, ("relu", "sigmoid")]


def test_hovering_connection_highlights_it(canvas, qtbot):
    """Moving the mouse over a line highlights it."""
    canvas.set_state([np.full((2, 4), 0.5), np.zeros((4, 1))])
    item = canvas.connection_item(0, 1, 0)
    qtbot.mouseMove(canvas.viewport(), canvas.mapFromScene(item.line().pointAt(0.3)))
    qtbot.waitUntil(item.is_hovered, timeout=1000)


def test_set_state_before_set_spec_is_refused(qtbot):
    """Without a spec there is nothing to colour, so values are refused."""
    widget = NetworkCanvas()
    qtbot.addWidget(widget)
    with pytest.raises(ValueError):
        widget.set_state([np.zeros((2, 1))])
    widget.set_state(None)  # clearing is harmless
