"""Clicks as fast as a person can make them: none is lost or undone before the window redraws.

The trainer answers each command with a snapshot, which the window draws on its next
33 ms tick: for a few tens of milliseconds after a click the window still shows the old
state. Clicks in that window must not be lost or undone.
"""

from __future__ import annotations

import pytest
from support.acknowledged import settle
from support.burst import pick
from support.worker_signals import WorkerSignals


def settled(window, qtbot, heard: WorkerSignals) -> None:
    """Wait until the trainer has handled every command sent so far and the window has drawn the result."""
    settle(qtbot, window)
    assert not heard.errors, heard.errors


def test_two_quick_clicks_on_a_layers_plus_add_two_neurons(make_window, qtbot):
    """Clicking a hidden layer's + twice, faster than a redraw, gives two more neurons, not one."""
    window = make_window()
    heard = WorkerSignals(window.worker)
    assert window.latest.spec.sizes == (2, 4, 1)
    window.canvas.request_add_neuron(1)
    window.canvas.request_add_neuron(1)  # the second click, before the first one's snapshot is drawn
    settled(window, qtbot, heard)
    assert window.latest.spec.sizes == (2, 6, 1), "a click was lost: each request was built from the drawn network"


def test_two_quick_clicks_on_plus_layer_add_two_layers(make_window, qtbot):
    """'+ Layer' twice in quick succession adds two hidden layers."""
    window = make_window()
    heard = WorkerSignals(window.worker)
    window.add_layer_button.click()
    window.add_layer_button.click()
    settled(window, qtbot, heard)
    assert window.latest.spec.sizes == (2, 4, 4, 4, 1)


@pytest.mark.parametrize("first, then, output", [("xor", "plane", "linear"), ("plane", "xor", "sigmoid"),
                                                 ("plane", "iris", "sigmoid")])
def test_editing_the_network_right_after_picking_data_keeps_the_output_fitted_to_the_data(
        make_window, qtbot, first, then, output):
    """Pick a dataset, then click + neuron before the redraw: the output layer still suits the new data.

    Done slowly, picking regression data makes the output linear (and classification data
    makes it sigmoid) and the + then keeps it. Done quickly, the + re-sends the output
    activation of the network still drawn, the old data's, and the trainer takes it.
    """
    window = make_window()
    heard = WorkerSignals(window.worker)
    if first != "xor":
        pick(window, first)
        settled(window, qtbot, heard)
    pick(window, then)
    window.canvas.request_add_neuron(1)  # before the new data's snapshot is drawn
    settled(window, qtbot, heard)
    assert window.data_view.name == then
    assert window.latest.spec.sizes[1] == 5
    assert window.latest.spec.activations[-1] == output, (
        f"{then} data trains with a {window.latest.spec.activations[-1]} output layer; done slowly it gets {output}")

