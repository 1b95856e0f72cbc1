"""The canvas and the heatmaps show each phase's own quantity, from real snapshots of the engine.

A 2-4-1 sigmoid network under MSE (the seed's XOR set-up), stepped phase by phase in a
``TrainingSession`` without the window: the expected numbers (error, δ) are worked out
here from the snapshot's activations, target and weights with the chain rule, not taken
from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.diagram import same_hue_family
from support.widgets import shown

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.ui.network.network_canvas import NetworkCanvas
from nnstudio.ui.plotting.colormaps import NEGATIVE_COLOR, POSITIVE_COLOR
from nnstudio.ui.plotting.heatmap_items import NOT_COMPUTED
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps
from nnstudio.ui.plotting.numbers import format_short, format_value


@pytest.fixture
def session() -> TrainingSession:
    return TrainingSession(SessionConfig())


@pytest.fixture
def canvas(qtbot) -> NetworkCanvas:
    widget = NetworkCanvas()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.set_spec((2, 4, 1), ("sigmoid", "sigmoid"))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def heatmaps(qtbot, kind: str) -> LayerHeatmaps:
    return shown(qtbot, LayerHeatmaps(kind), 600, 320)


def phases(session: TrainingSession, n: int):
    for _ in range(n):
        session.step_phase()
    return session.snapshot()


def expected_deltas(snapshot) -> tuple[np.ndarray, np.ndarray]:
    """δ of the first sample by the chain rule: MSE over k outputs, averaged over a batch of B.

    L = (1/B) Σ_batch (1/k) Σ_j (t_j − a_j)², so ∂L/∂z_out = (2/(B·k)) (a − t) a (1 − a) for a
    sigmoid output, and δ_hidden = (δ_out · W1ᵀ) ⊙ a_h (1 − a_h).
    """
    trace = snapshot.trace
    a_hidden, a_out = snapshot.sample_activations[1], snapshot.sample_activations[2]
    batch, k = trace.batch_size, a_out.size
    delta_out = 2.0 / (batch * k) * (a_out - trace.target) * a_out * (1 - a_out)
    delta_hidden = (delta_out @ trace.weights[1].T) * a_hidden * (1 - a_hidden)
    return delta_hidden, delta_out


# ---------------------------------------------------------------------------- canvas


def test_feedforward_phase_leaves_unreached_layers_blank(canvas, session):
    """After feedforward through layer 1 the hidden neurons show their activations, the output is pending."""
    snapshot = phases(session, 1)
    canvas.show_snapshot(snapshot)
    for k, value in enumerate(snapshot.sample_activations[1]):
        neuron = canvas.neuron_item(1, k)
        assert not neuron.is_pending() and neuron.value_text() == format_short(value)
    output = canvas.neuron_item(2, 0)
    assert output.is_pending() and output.value_text() is None
    assert "not computed yet" in output.toolTip()
    assert canvas.caption_texts() == ["input x", "activation a", "not computed yet"]


def test_loss_phase_shows_target_error_and_loss_beside_the_output(canvas, session):
    """At "error and loss": target, error = target − output, and the batch's loss, beside the output."""
    snapshot = phases(session, 3)
    assert snapshot.phase == ("loss", None)
    canvas.show_snapshot(snapshot)
    output = float(snapshot.sample_activations[2][0])
    target = float(snapshot.trace.target[0])
    error = target - output
    note = canvas.output_note_item(0)
    assert note.isVisible()
    assert note.lines() == (f"target {int(target)}", f"error {error:+.2f}")
    assert canvas.loss_item().isVisible() and canvas.loss_item().text() == f"loss {snapshot.trace.loss:.4f}"
    tip = canvas.neuron_item(2, 0).toolTip()
    assert f"error t − a = {error:+.4f}" in tip and f"target t = {target:.4f}" in tip
    assert "mean over the batch of 10" in tip
    # the note sits beside the neuron, not on it
    assert not note.sceneBoundingRect().intersects(canvas.neuron_item(2, 0).sceneBoundingRect().adjusted(4, 4, -4, -4))


def test_backprop_phases_show_delta_in_the_signed_palette(canvas, session):
    """Backward through the output: δ_out by the chain rule, hidden pending; then the hidden δ."""
    snapshot = phases(session, 4)
    assert snapshot.phase == ("backward", 1)
    canvas.show_snapshot(snapshot)
    _, delta_out = expected_deltas(snapshot)
    output = canvas.neuron_item(2, 0)
    assert output.value_text() == format_short(delta_out[0])
    assert f"δ = ∂L/∂z = {format_value(delta_out[0], signed=True)}" in output.toolTip()
    # the only δ of its layer in this sample is also the batch's largest or close: a strong signed colour
    family = NEGATIVE_COLOR if delta_out[0] < 0 else POSITIVE_COLOR
    assert same_hue_family(output.fill_color(), family)
    assert all(canvas.neuron_item(1, k).is_pending() for k in range(4))
    assert not canvas.output_note_item(0).isVisible()  # the notes belong to the loss phase

    snapshot = phases(session, 1)
    assert snapshot.phase == ("backward", 0)
    canvas.show_snapshot(snapshot)
    delta_hidden, _ = expected_deltas(snapshot)
    for k, delta in enumerate(delta_hidden):
        neuron = canvas.neuron_item(1, k)
        assert not neuron.is_pending()
        assert f"δ = ∂L/∂z = {format_value(delta, signed=True)}" in neuron.toolTip()
        if abs(delta) > 1e-6:
            assert same_hue_family(neuron.fill_color(), NEGATIVE_COLOR if delta < 0 else POSITIVE_COLOR, tolerance=25)
    assert canvas.caption_texts()[1:] == ["δ = ∂L/∂z", "δ = ∂L/∂z"]


def test_after_the_update_the_neurons_show_activations_again(canvas, session):
    """The update phase ends the cycle: activations, no pending neurons, no notes."""
    snapshot = phases(session, 6)
    assert snapshot.phase == ("update", None)
    canvas.show_snapshot(snapshot)
    for c, values in enumerate(snapshot.sample_activations):
        for k, value in enumerate(values):
            neuron = canvas.neuron_item(c, k)
            assert not neuron.is_pending() and neuron.value_text() == format_short(value)
    assert not canvas.loss_item().isVisible()


def test_tooltips_number_layers_and_neurons_from_one(canvas, session):
    """Neuron (1, 0) is "Hidden 1 · neuron 1"; its activation is written out in full."""
    snapshot = session.snapshot()
    canvas.show_snapshot(snapshot)
    tip = canvas.neuron_item(1, 0).toolTip()
    assert tip.startswith("Hidden 1 · neuron 1 · sigmoid\n")
    assert f"activation a = {snapshot.sample_activations[1][0]:.4f}" in tip
    assert canvas.neuron_item(0, 1).toolTip().startswith("Input · neuron 2\n")


def test_an_unknown_phase_is_refused(canvas):
    """A phase the engine never sends is a programming error, said as such."""
    with pytest.raises(ValueError, match="phase"):
        canvas.set_state(None, phase=("sideways", 0))
    with pytest.raises(ValueError, match="layer"):
        canvas.set_state(None, phase=("forward", 5))


# ---------------------------------------------------------------------------- heatmaps


def test_before_the_first_cycle_the_batch_heatmaps_say_there_is_no_batch(qtbot, session):
    """Cycle 0: no 64-row preview passed off as "the last batch"; no update either."""
    snapshot = session.snapshot()
    for kind, words in (("activations", "No batch yet"), ("backprop", "No batch yet"), ("deltas", "No update yet")):
        widget = heatmaps(qtbot, kind)
        widget.show_snapshot(snapshot)
        assert widget.is_unavailable() and words in widget.empty_message.text()
        assert all(not heatmap.isVisible() for heatmap in widget.heatmaps)


def test_activation_heatmaps_show_the_batch_rows_and_blank_unreached_layers(qtbot, session):
    """Feedforward through layer 1: 10 rows (the batch), layer 1's values, the output not computed yet."""
    widget = heatmaps(qtbot, "activations")
    snapshot = phases(session, 1)
    widget.show_snapshot(snapshot)
    hidden, output = widget.heatmaps
    assert hidden.matrix().shape == (10, 4)  # the batch size, not the 64-row cap
    np.testing.assert_array_equal(hidden.matrix(), snapshot.batch_activations[0].astype(np.float32))
    assert not hidden.is_pending() and hidden.levels() == (0.0, 1.0)  # sigmoid: white at 0.5
    assert output.is_pending() and output.note() == NOT_COMPUTED
    assert [h.title() for h in widget.heatmaps] == ["Hidden\u00a01 (4)", "Output (1)"]
    assert "this cycle's batch (10 samples" in widget.heading_label.text()
    widget.show_snapshot(phases(session, 1))
    assert not output.is_pending()


def test_delta_heatmaps_fill_from_the_output_back(qtbot, session):
    """Backward through the output: its δ shown on zero-centred levels, the hidden layer's not yet."""
    widget = heatmaps(qtbot, "backprop")
    widget.show_snapshot(phases(session, 3))
    assert widget.is_unavailable() and "No δ yet" in widget.empty_message.text()
    snapshot = phases(session, 1)
    widget.show_snapshot(snapshot)
    hidden, output = widget.heatmaps
    assert hidden.is_pending() and not output.is_pending()
    delta_out = snapshot.batch_deltas[1]
    bound = float(np.abs(delta_out).max())
    assert output.levels() == pytest.approx((-bound, bound))
    _, expected_out = expected_deltas(snapshot)
    assert output.matrix()[0, 0] == pytest.approx(expected_out[0], rel=1e-5)  # row 1 is the sample on the canvas
    widget.show_snapshot(phases(session, 1))
    assert not hidden.is_pending()


def test_weight_update_heatmaps_show_the_finished_cycles_update(qtbot, session):
    """After a whole cycle: ΔW of each layer, titled by the layer it feeds, centred on zero."""
    widget = heatmaps(qtbot, "deltas")
    session.step("cycle", 1)
    snapshot = session.snapshot()
    widget.show_snapshot(snapshot)
    assert not widget.is_unavailable()
    for heatmap, update in zip(widget.heatmaps, snapshot.weight_updates):
        np.testing.assert_array_equal(heatmap.matrix(), update.astype(np.float32))
        low, high = heatmap.levels()
        assert low == -high
    assert [h.title() for h in widget.heatmaps] == ["into Hidden\u00a01", "into Output"]


def test_many_layers_keep_their_titles_whole_and_a_colour_bar_each(qtbot):
    """Five layers in a narrow tab: each title wraps onto lines that fit, none is cut off."""
    widget = heatmaps(qtbot, "activations")
    widget.resize(460, 330)
    titles = [f"Hidden\u00a0{k} (16)" for k in range(1, 5)] + ["Output (10)"]
    widget.set_matrices([np.full((10, 4), 0.5)] * 5, titles)
    qtbot.waitUntil(lambda: all(h.title_label.width() > 0 for h in widget.heatmaps), timeout=2000)
    for heatmap, title in zip(widget.heatmaps, titles):
        label = heatmap.title_label
        metrics = label.fontMetrics()
        assert label.text() == title
        assert all(metrics.horizontalAdvance(word) <= label.width() for word in title.split(" "))
        assert label.height() >= label.heightForWidth(label.width())
        assert heatmap.color_bar.isVisible()
        assert [text for _, text in heatmap.color_bar.axis._tickLevels[0]] in (["0", "1"], ["0", "0.5", "1"])


def test_before_the_first_cycle_the_output_claims_no_target_or_loss(canvas, session):
    """Cycle 0 shows a preview of the first training rows: no batch, so no target, error or loss."""
    canvas.show_snapshot(session.snapshot())
    tip = canvas.neuron_item(2, 0).toolTip()
    assert "activation a = " in tip
    assert "target" not in tip and "loss" not in tip
    session.step("cycle", 1)
    canvas.show_snapshot(session.snapshot())
    assert "mean over the batch of 10" in canvas.neuron_item(2, 0).toolTip()
