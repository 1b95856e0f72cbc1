"""The words on the diagram (nnstudio.ui.network.diagram_text): names, cards and tooltips, no scene needed."""

from __future__ import annotations

import numpy as np

from nnstudio.ui.network import diagram_text as text


def test_columns_and_connections_are_named_for_people():
    """Columns are Input, Hidden k, Output; neurons count from 1."""
    assert [text.layer_name(c, 4) for c in range(4)] == ["Input", "Hidden 1", "Hidden 2", "Output"]
    assert text.column_title(1, (2, 4, 1)) == "Hidden 1 (4)"
    assert text.connection_name(0, 0, 3, 3) == "Weight from Input neuron 1 to Hidden 1 neuron 4"
    assert text.weight_dialog_heading(1, 2, 0, 3) == "Hidden 1 neuron 3 → Output neuron 1\n"
    assert text.weight_tooltip("W", None) == "W\nno value yet"


def test_class_targets_read_as_whole_numbers():
    assert text.target_text(1.0) == "1" and text.target_text(0.0) == "0"
    assert text.target_text(0.25) != "0"


def test_output_card_spells_out_target_and_error_or_abbreviates_them():
    """Target 1, output 0.25: error t − a = +0.75."""
    state = {"target": np.array([1.0]), "activations": [np.zeros(2), np.array([0.25])]}
    full = text.note_lines(state, 0, compact=False)
    short = text.note_lines(state, 0, compact=True)
    assert full[0] == "target 1" and full[1].startswith("error +0.75")
    assert short[0] == "t 1" and short[1].startswith("e +0.75")


def test_a_neuron_not_reached_says_so_instead_of_a_number():
    state = {"activations": [np.zeros(2), np.zeros(4), np.zeros(1)]}
    tip = text.neuron_tooltip(state, (2, 4, 1), 2, 0, "pending_forward", "sigmoid")
    assert tip.splitlines()[0] == "Output · neuron 1 · sigmoid"
    assert "not computed yet" in tip and "=" not in tip
