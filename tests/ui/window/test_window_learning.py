"""Seeing the chain rule work in the window: phases, inspector, rewind, gradient check, guide."""

import math

import numpy as np
from PySide6.QtWidgets import QPushButton

from nnstudio.engine.run.session import TrainingSession

TIMEOUT = 20_000


def press(window, name):
    window.findChild(QPushButton, name).click()


def step(window, qtbot, n):
    target = window.latest.cycle + n
    window.controls.step_count_spin.setValue(n)
    press(window, "stepButton")
    qtbot.waitUntil(lambda: window.latest.cycle == target, timeout=TIMEOUT)


def test_phase_steps_through_a_cycle_equal_one_step(in_process_window):
    """Six phases of a 2-4-1 cycle, highlighted on the canvas, end on the weights of one Step."""
    run = in_process_window()
    for expected, highlight in [(("forward", 0), (1, "forward")), (("forward", 1), (2, "forward")),
                                (("loss", None), None), (("backward", 1), (2, "backward")),
                                (("backward", 0), (1, "backward")), (("update", None), (None, None))]:
        run.session.step_phase()
        assert run.draw().phase == expected
        if highlight is not None:
            assert run.window.canvas.highlight() == highlight
    assert run.window.latest.cycle == 1
    one_step = TrainingSession(run.window.config)
    one_step.step("cycle", 1)
    assert all(np.array_equal(a, b) for a, b in zip(run.window.latest.weights, one_step.snapshot().weights))


def test_the_inspector_shows_the_engines_numbers_for_a_neuron(in_process_window):
    """A clicked hidden neuron's sum and activation equal Σ w·x + b and sigmoid, computed here."""
    run = in_process_window()
    window = run.window
    run.session.step("cycle", 3)
    run.draw()
    window.canvas.sig_neuron_selected.emit(1, 2)
    assert window.heatmap_tabs.currentWidget() is window.inspector
    run.session.step("cycle", 1)
    run.draw()
    t = window.latest.trace
    z = float(t.activations[0] @ t.weights[0][:, 2] + t.biases[0][2])
    a = 1 / (1 + math.exp(-z))
    text = window.inspector.plain_text()
    assert f"{z:.4g}".replace("-", "−") in text and f"{a:.4g}" in text
    assert "delta" in text and "Δw" in text


def test_rewind_shows_a_past_cycle_exactly_and_continuing_is_deterministic(make_window, qtbot):
    """Back to cycle 10 shows its weights; going on from there reproduces cycle 30."""
    window = make_window()
    step(window, qtbot, 10)
    at_10 = [w.copy() for w in window.latest.weights]
    step(window, qtbot, 20)
    at_30 = [w.copy() for w in window.latest.weights]
    window.timeline_bar.sig_scrubbed.emit(10)
    qtbot.waitUntil(lambda: window.latest.cycle == 10 and window.latest.rewound, timeout=TIMEOUT)
    assert all(np.array_equal(a, b) for a, b in zip(window.latest.weights, at_10))
    press(window, "continueFromHereButton")
    qtbot.waitUntil(lambda: not window.latest.rewound, timeout=TIMEOUT)
    step(window, qtbot, 20)
    assert all(np.array_equal(a, b) for a, b in zip(window.latest.weights, at_30))
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.latest.cycle == 29, timeout=TIMEOUT)


def test_check_gradients_agrees_on_a_fresh_network(make_window, qtbot):
    """Train › Check gradients: backprop and finite differences differ by less than 1e-6 per layer."""
    window = make_window()
    window.check_gradients_action.trigger()
    # Waited for on the window's thread: the worker's own signal comes from its thread.
    qtbot.waitUntil(lambda: window.last_gradient_check is not None, timeout=TIMEOUT)
    results = window.last_gradient_check
    assert len(results) == 2 and all(error < 1e-6 for _, error, _, _ in results)
    assert "agree" in window.statusBar().currentMessage()


def test_gradient_norms_and_layer_view_fill_as_training_goes(make_window, qtbot):
    """The gradient-norm plot gets a curve per layer; the layer view maps the plane when shown."""
    window = make_window()
    step(window, qtbot, 20)
    window._draw_pending()
    cycles, norms = window.latest.gradient_norms
    assert norms.shape[1] == 2 and len(cycles) > 0
    window.heatmap_tabs.setCurrentWidget(window.layer_view)
    qtbot.waitUntil(lambda: window.latest.layer_view is not None, timeout=TIMEOUT)
    assert window.latest.layer_view.points.shape[1] == 2


def test_the_guide_demonstrates_each_step(make_window, qtbot):
    """Help › How a network learns opens the guide; 'Show me' under gradient descent runs to the update."""
    window = make_window()
    window.guide_action.trigger()
    guide = window.learning.guide
    assert guide.isVisible()
    buttons = guide.findChildren(QPushButton)
    assert sum(b.objectName().startswith("guideButton_") for b in buttons) == 8
    guide.findChild(QPushButton, "guideButton_gradient_descent").click()
    qtbot.waitUntil(lambda: window.latest.phase == ("update", None), timeout=TIMEOUT)
    guide.findChild(QPushButton, "guideButton_chain_rule").click()
    qtbot.waitUntil(lambda: window.latest.phase == ("backward", 0), timeout=TIMEOUT)
    guide.close()
