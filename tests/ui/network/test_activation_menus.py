"""The network diagram's activation menus: the choices each layer offers, why some are refused, a header click."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from support.diagram import SIZES, click_scene_point


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


def test_clicking_header_chooses_activation(canvas, qtbot, monkeypatch):
    """Clicking a hidden header offers the activation menu and emits the choice."""
    offered = []
    monkeypatch.setattr(canvas, "_choose_activation", lambda layer, pos: offered.append(layer) or "relu")
    header = canvas.header_item(1)
    with qtbot.waitSignal(canvas.sig_spec_changed, timeout=1000) as blocker:
        click_scene_point(qtbot, canvas, header.scenePos() + QPointF(0, 10))
    assert offered == [1]
    assert blocker.args == [SIZES, ("relu", "sigmoid")]
