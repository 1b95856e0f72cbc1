"""What the diagram's edits ask for (nnstudio.ui.network.spec_edits): specs in, specs out, no Qt."""

from __future__ import annotations

import pytest

from nnstudio.engine.nn.network import NetworkSpec
from nnstudio.ui.network import spec_edits

XOR = ((2, 4, 1), ("tanh", "sigmoid"))


def test_neuron_buttons_stop_at_one_and_thirty_two():
    assert spec_edits.resized(XOR, 1, +1) == ((2, 5, 1), ("tanh", "sigmoid"))
    assert spec_edits.resized(((2, 1, 1), XOR[1]), 1, -1) is None
    assert spec_edits.resized(((2, 32, 1), XOR[1]), 1, +1) is None
    with pytest.raises(ValueError, match="hidden columns"):
        spec_edits.resized(XOR, 2, +1)


def test_layers_are_added_before_the_output_and_removed_from_its_left():
    deep = ((3, 5, 4, 2), ("relu", "tanh", "softmax"))
    # The new layer continues the last hidden layer's activation.
    assert spec_edits.with_hidden_layer(deep) == ((3, 5, 4, 4, 2), ("relu", "tanh", "tanh", "softmax"))
    assert spec_edits.with_hidden_layer(((2, 1), ("sigmoid",))) == ((2, 4, 1), ("sigmoid", "sigmoid"))
    assert spec_edits.with_hidden_layer(((), ())) is None
    assert spec_edits.without_hidden_layer(deep) == ((3, 5, 2), ("relu", "softmax"))
    assert spec_edits.without_hidden_layer(((2, 1), ("sigmoid",))) is None


def test_activation_changes_name_what_is_refused():
    assert spec_edits.with_activation(XOR, 1, "relu", None, "mse") == ((2, 4, 1), ("relu", "sigmoid"))
    assert spec_edits.with_activation(XOR, 1, "tanh", None, "mse") is None  # unchanged: nothing to ask
    with pytest.raises(ValueError, match="not offered"):
        spec_edits.with_activation(XOR, 1, "softmax", None, "mse")  # softmax is for the output only
    with pytest.raises(ValueError, match="not allowed"):
        spec_edits.with_activation(XOR, 2, "softmax", None, "mse")  # softmax over one neuron is the constant 1
    assert spec_edits.activation_refusal((2, 4, 1), 2, "linear", "regression", "mse") == ""
    assert spec_edits.activation_refusal((2, 4, 1), 1, "linear", "classification", "mse") == ""


def test_the_menus_list_the_engines_activations_in_order():
    """The menus' order is what the learner sees; every choice builds an engine network where it is offered."""
    hidden = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
    assert spec_edits.activation_choices((2, 4, 3), 1) == hidden
    assert spec_edits.activation_choices((2, 4, 3), 2) == hidden + ("softmax",)
    for name in hidden:
        NetworkSpec((2, 4, 3), (name, "sigmoid"))
    for name in hidden + ("softmax",):
        NetworkSpec((2, 4, 3), ("sigmoid", name))


@pytest.mark.parametrize("sizes, acts, problem", [
    ((2,), (), "at least two layers"),
    ((2, 0, 1), ("tanh", "sigmoid"), "at least one neuron"),
    ((2, 4, 1), ("tanh",), "need 2 activations"),
    ((2, 4, 1), ("softmax", "sigmoid"), "'softmax' is not allowed for layer 1"),
    ((2, 4, 1), ("tanh", "bogus"), "'bogus' is not allowed for layer 2"),
])
def test_a_bad_spec_is_refused_with_its_problem(sizes, acts, problem):
    with pytest.raises(ValueError, match=problem):
        spec_edits.checked_spec(sizes, acts)
