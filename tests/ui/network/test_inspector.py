"""What the inspector shows at every phase of a cycle, read off its text like a learner would."""

import math
import re

import numpy as np
import pytest
from cycle_by_hand import NETWORKS, SLOPE
from support.phase_walk import neurons_at_every_phase

from nnstudio.engine.explain.inspect import neuron_report
from nnstudio.ui.network.inspector import NOT_COMPUTED, NOT_REACHED, NeuronInspector

TIMEOUT = 20_000
_TERM = re.compile(r"\(([^()×]+) × \(?([^()×]+?)\)?\)")


def number(text: str) -> float:
    return float(text.strip().replace("\u2212", "-"))


def shown(text: str) -> dict[str, list[float]]:
    """Each line 'label … = value' of the inspector as label → values (Δw lines: applied value too)."""
    values: dict[str, list[float]] = {}
    for line in text.splitlines():
        if " = " not in line:
            continue
        label = line.split(" = ")[0].strip()
        tail = line.rsplit(" = ", 1)[1]
        applied = re.search(r"\(applied this cycle: (\S+)\)", tail)
        values[label] = [number(tail.split("(applied")[0])] + ([number(applied.group(1))] if applied else [])
    return values


def near(displayed: float, expected: float) -> bool:
    """Equal to the four significant figures shown."""
    return math.isclose(displayed, expected, rel_tol=5.01e-4, abs_tol=1e-300)


@pytest.fixture
def inspector(qtbot):
    widget = NeuronInspector()
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize("name", NETWORKS)
def test_every_number_shown_at_every_phase_is_that_phases_number(inspector, name):
    """Walk several cycles phase by phase; every neuron's shown numbers equal plain numpy's."""
    config = NETWORKS[name]
    n_layers, lr = len(config.activations), config.hyper.learning_rate
    for kind, trace, e, layer, j, fed, lowest_delta in neurons_at_every_phase(config):
        index = layer - 1
        inspector.set_report(neuron_report(trace, layer, j))
        text = inspector.plain_text()
        values = shown(text)
        heading = "Output layer" if layer == n_layers else "Hidden layer"
        assert text.startswith(f"{heading} {layer}, neuron {j + 1} ")  # people count from 1
        if layer > fed:
            assert NOT_COMPUTED in text and not values  # words, not a zero
            continue
        z, a = e["sums"][index][0, j], e["acts"][layer][0, j]
        sum_line = next(line for line in text.splitlines() if line.startswith("sum ="))
        terms = [(number(w), number(x)) for w, x in _TERM.findall(sum_line)]
        assert len(terms) == len(e["acts"][index][0])
        for (w, x), w_true, x_true in zip(terms, e["W"][index][:, j], e["acts"][index][0]):
            assert near(w, w_true) and near(x, x_true)
        assert near(values["sum"][0], z) and near(values["act"][0], a)
        if layer == n_layers and kind == "forward":
            assert f"Error and loss: {NOT_COMPUTED}" in text and "target" not in values
        elif layer == n_layers:
            t = e["T"][0, j]
            assert near(values["target"][0], t) and near(values["error"][0], t - a)
            assert near(values["loss of this sample"][0], e["own_loss"])
            assert near(values["loss of the batch"][0], e["loss"])
        if lowest_delta is None or index < lowest_delta:
            assert NOT_REACHED in text and "delta" not in values
            continue
        delta = e["deltas"][index][0, j]
        assert near(values["delta"][0], delta)
        if layer < n_layers:
            assert near(values["Σ upper delta·w"][0], e["deltas"][index + 1][0] @ e["W"][index + 1][j])
        if layer < n_layers or (config.loss == "mse" and config.activations[-1] != "softmax"):
            assert near(values["f′"][0], SLOPE[config.activations[index]](z, a))
        if layer == n_layers and config.loss == "mse":
            assert near(values["∂L/∂y"][0], e["grad"][0, j])
        for i, x in enumerate(e["acts"][index][0]):
            step = values[f"Δw{i + 1}"]
            assert near(step[0], -lr * delta * x)
            if kind == "update":
                assert near(step[1], e["updates"][index][i, j])
            else:
                assert len(step) == 1  # nothing applied before the update
        assert near(values["Δb"][0], -lr * delta)


def test_stepping_phases_in_the_window_shows_each_phases_numbers(make_window, qtbot):
    """The learner's path: 3 cycles, click the output, F9 through a cycle and once more.

    At "feedforward through layer 1" of the new cycle the output says it is not computed
    yet (no sum of 0, no sigmoid(0) = 0); at layer 2 its sum and sigmoid are the sample's.
    """
    window = make_window()
    window.controls.step_count_spin.setValue(3)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == 3, timeout=TIMEOUT)
    window.canvas.sig_neuron_selected.emit(2, 0)
    qtbot.waitUntil(lambda: window.heatmap_tabs.currentWidget() is window.inspector, timeout=TIMEOUT)
    phases = [("forward", 0), ("forward", 1), ("loss", None), ("backward", 1), ("backward", 0),
              ("update", None), ("forward", 0), ("forward", 1)]
    W = b = None
    for expected in phases:
        if expected == ("forward", 0):
            W, b = [w.copy() for w in window.latest.weights], [v.copy() for v in window.latest.biases]
        window.step_phase_action.trigger()  # F9
        qtbot.waitUntil(lambda: window.latest.phase == expected, timeout=TIMEOUT)
        window._draw_pending()
        text, trace = window.inspector.plain_text(), window.latest.trace
        assert window.statusBar().currentMessage().startswith("Cycle ")
        if expected == ("forward", 0):
            assert NOT_COMPUTED in text and "sigmoid(0)" not in text and "sum =" not in text
            continue
        x, t = trace.activations[0], trace.target  # the sample's data
        hidden = 1 / (1 + np.exp(-(x @ W[0] + b[0])))
        z = float(hidden @ W[1][:, 0] + b[1][0])
        y = 1 / (1 + math.exp(-z))
        values = shown(text)
        assert near(values["sum"][0], z) and near(values["act"][0], y) and f"sigmoid({values['sum'][0]:.4g}"
        if expected[0] == "forward":
            assert f"Error and loss: {NOT_COMPUTED}" in text
            continue
        assert near(values["error"][0], t[0] - y)
        if expected == ("loss", None):
            assert NOT_REACHED in text
        else:
            batch = trace.batch_size
            assert near(values["delta"][0], 2 * (y - t[0]) / batch * y * (1 - y))
