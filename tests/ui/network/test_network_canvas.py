"""Tests for the network diagram widget (nnstudio.ui.network.network_canvas): items, weights, clicks, spec requests."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from support.diagram import ACTS, SIZES, click_scene_point, same_hue_family, weights_for

from nnstudio.ui.network.connection_items import ConnectionItem
from nnstudio.ui.network.network_canvas import NetworkCanvas
from nnstudio.ui.network.neuron_item import NeuronItem
from nnstudio.ui.network.spec_edits import MAX_NEURONS
from nnstudio.ui.plotting.colormaps import CLASS_COLORS, NEGATIVE_COLOR, POSITIVE_COLOR


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
    _, plus = canvas.button_items(1)
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
