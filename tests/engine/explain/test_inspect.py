"""The inspector's numbers for one neuron, against hand-computed values."""

import math

import numpy as np
import pytest
from cycle_by_hand import ACTIVATION, NETWORKS, SLOPE
from support.phase_walk import neurons_at_every_phase

from nnstudio.engine.explain.inspect import SampleTrace, neuron_report, sample_loss
from nnstudio.engine.nn.losses import get_loss


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def hand_trace():
    """A 2-2-1 sigmoid net, one sample x = (1, 0.5), target 1, lr 0.5, MSE (batch 1, one output)."""
    W0 = np.array([[0.1, -0.2], [0.4, 0.3]])
    b0 = np.array([0.05, -0.1])
    W1 = np.array([[0.7], [-0.6]])
    b1 = np.array([0.2])
    x = np.array([1.0, 0.5])
    z0 = [1.0 * 0.1 + 0.5 * 0.4 + 0.05, 1.0 * -0.2 + 0.5 * 0.3 - 0.1]
    a0 = [sigmoid(z) for z in z0]
    z1 = a0[0] * 0.7 + a0[1] * -0.6 + 0.2
    y = sigmoid(z1)
    d1 = 2 * (y - 1.0) * y * (1 - y)  # dL/dz at the output for L = (t − y)²
    d0 = [d1 * 0.7 * a0[0] * (1 - a0[0]), d1 * -0.6 * a0[1] * (1 - a0[1])]
    trace = SampleTrace(
        row=0, batch_size=1, activation_names=("sigmoid", "sigmoid"), loss_name="mse",
        activations=(x, np.array(a0), np.array([y])), sums=(np.array(z0), np.array([z1])),
        weights=(W0, W1), biases=(b0, b1), target=np.array([1.0]), loss=(1.0 - y) ** 2,
        deltas=(np.array(d0), np.array([d1])), weight_updates=None, learning_rate=0.5,
    )
    return trace, {"z0": z0, "a0": a0, "z1": z1, "y": y, "d1": d1, "d0": d0, "x": x}


def test_output_neuron_sum_activation_error_and_delta():
    """At the output: sum, sigmoid, error = target − output, loss, delta and each Δw = −lr·δ·a."""
    trace, h = hand_trace()
    r = neuron_report(trace, 2, 0)
    assert r.is_output and r.activation == "sigmoid"
    assert r.weighted_sum == pytest.approx(h["z1"], abs=1e-15)
    assert r.output == pytest.approx(h["y"], abs=1e-15)
    assert r.error == pytest.approx(1.0 - h["y"], abs=1e-15)
    assert r.loss == pytest.approx((1.0 - h["y"]) ** 2, abs=1e-15)
    assert r.derivative == pytest.approx(h["y"] * (1 - h["y"]), abs=1e-15)
    assert r.delta == pytest.approx(h["d1"], abs=1e-15)
    assert np.allclose(r.gradient_step, [-0.5 * h["d1"] * a for a in h["a0"]], atol=1e-15)


def test_hidden_neuron_delta_comes_back_through_the_upper_weights():
    """A hidden neuron's delta is (Σ upper δ·w) · y(1−y), with the terms shown."""
    trace, h = hand_trace()
    r = neuron_report(trace, 1, 1)
    assert not r.is_output and r.error is None
    assert np.allclose(r.inputs, h["x"]) and np.allclose(r.weights, [-0.2, 0.3])
    assert r.back_sum == pytest.approx(h["d1"] * -0.6, abs=1e-15)
    assert r.delta == pytest.approx(h["d0"][1], abs=1e-15)
    assert np.allclose(r.gradient_step, [-0.5 * h["d0"][1] * xi for xi in h["x"]], atol=1e-15)


def test_before_backprop_only_the_forward_terms_exist():
    """Mid-cycle (forward done, backprop not yet): no delta, no steps."""
    trace, _ = hand_trace()
    forward_only = SampleTrace(**{**trace.__dict__, "deltas": None, "target": None, "loss": None})
    r = neuron_report(forward_only, 2, 0)
    assert r.delta is None and r.gradient_step is None and r.error is None


def test_input_layer_and_bad_index_are_refused():
    """The input layer computes nothing; an index past the layer is an error."""
    trace, _ = hand_trace()
    with pytest.raises(ValueError):
        neuron_report(trace, 0, 0)
    with pytest.raises(ValueError):
        neuron_report(trace, 1, 5)


# -- every phase of several cycles, through the session, against plain numpy ------------

def _close(actual, expected):
    assert actual == pytest.approx(expected, rel=1e-10, abs=1e-13)


@pytest.mark.parametrize("name", NETWORKS)
def test_every_phase_reports_exactly_what_it_has_computed(name):
    """Each neuron at each phase: that phase's numbers, equal to plain numpy; nothing ahead of it, never zeros."""
    config = NETWORKS[name]
    n_layers = len(config.activations)
    checked = 0
    for kind, trace, e, layer, j, fed, lowest_delta in neurons_at_every_phase(config):
        index = layer - 1
        r = neuron_report(trace, layer, j)
        assert np.array_equal(r.weights, e["W"][index][:, j]) and r.bias == e["b"][index][j]
        if layer > fed:
            assert not r.computed and r.weighted_sum is None and r.output is None
            assert r.error is None and r.delta is None and r.gradient_step is None
            assert (r.inputs is None) == (layer > fed + 1)  # its inputs are computed or not either
            continue
        assert r.computed
        _close(r.weighted_sum, e["sums"][index][0, j])
        _close(r.output, e["acts"][layer][0, j])
        assert np.allclose(r.inputs, e["acts"][index][0], rtol=1e-10, atol=1e-13)
        if r.activation != "softmax":
            _close(r.derivative, SLOPE[r.activation](e["sums"][index][0, j], e["acts"][layer][0, j]))
        if layer == n_layers:
            if kind == "forward":
                assert r.target is None and r.error is None and r.loss is None and r.sample_loss is None
            else:
                t = e["T"][0, j]
                assert r.target == t
                _close(r.error, t - e["acts"][layer][0, j])
                _close(r.loss, e["loss"])
                _close(r.sample_loss, e["own_loss"])
                if config.loss == "mse":
                    _close(r.loss_gradient, e["grad"][0, j])
                    if r.activation == "softmax":
                        _close(r.softmax_pull, e["grad"][0] @ e["acts"][layer][0])
        if lowest_delta is None or index < lowest_delta:
            assert r.delta is None and r.gradient_step is None and r.back_sum is None
            continue
        delta = e["deltas"][index][0, j]
        _close(r.delta, delta)
        if layer < n_layers:
            _close(r.back_sum, e["deltas"][index + 1][0] @ e["W"][index + 1][j])
            _close(r.back_sum * r.derivative, delta)
        elif r.delta_rule == "mse":
            _close(r.loss_gradient * r.derivative, delta)
        assert np.allclose(r.gradient_step, -config.hyper.learning_rate * delta * e["acts"][index][0],
                           rtol=1e-10, atol=1e-15)
        _close(r.bias_step, -config.hyper.learning_rate * delta)
        if kind == "update":
            assert np.allclose(r.applied_update, e["updates"][index][:, j], rtol=1e-10, atol=1e-15)
        else:
            assert r.applied_update is None
        checked += 1
    assert checked > 0


def test_sample_loss_matches_the_batch_loss_of_a_one_sample_batch():
    """Each loss's own-sample value is the batch loss of that sample alone."""
    z = np.array([[0.3, -1.2, 2.0]])
    t = np.array([[0.0, 0.0, 1.0]])
    for loss_name, act in (("mse", "sigmoid"), ("mse", "softmax"), ("cross_entropy", "softmax"),
                           ("cross_entropy", "sigmoid")):
        y = ACTIVATION[act](z)
        expected = get_loss(loss_name, act).value(y, t, z, y - t)
        _close(sample_loss(loss_name, act, y[0], t[0], z[0]), expected)


def standardised_price_trace():
    """A 2-1 linear output learning standardised prices: x = (0.4, 0.2), W = (0.5, −0.25), b = 0.1, target 0.53."""
    trace = SampleTrace(
        row=0, batch_size=1, activation_names=("linear",), loss_name="mse",
        activations=(np.array([0.4, 0.2]), np.array([0.25])), sums=(np.array([0.25]),),
        weights=(np.array([[0.5], [-0.25]]),), biases=(np.array([0.1]),), target=np.array([0.53]),
        loss=0.28 ** 2, deltas=(np.array([2 * (0.25 - 0.53)]),), weight_updates=None, learning_rate=0.1,
    )
    return trace


def test_a_standardised_output_gives_its_values_in_the_datas_units():
    """mean 400 000, std 50 000: output 0.25 is 412 500, target 0.53 is 426 500, error 0.28 is 14 000."""
    r = neuron_report(standardised_price_trace(), 1, 0, (400_000.0, 50_000.0), "price")
    assert r.output == pytest.approx(0.25, abs=1e-15) and r.target == 0.53
    assert r.target_scaling == (400_000.0, 50_000.0) and r.target_name == "price"
    assert r.output_in_units == pytest.approx(412_500.0, abs=1e-8)
    assert r.target_in_units == pytest.approx(426_500.0, abs=1e-8)
    assert r.error_in_units == pytest.approx(14_000.0, abs=1e-8)


def test_without_a_scaling_or_off_the_output_there_are_no_units():
    plain = neuron_report(standardised_price_trace(), 1, 0)
    assert plain.target_scaling is None and plain.output_in_units is None and plain.error_in_units is None
    trace, _ = hand_trace()
    hidden = neuron_report(trace, 1, 0, (400_000.0, 50_000.0), "price")
    assert hidden.target_scaling is None and hidden.output_in_units is None
    before_loss = SampleTrace(**{**standardised_price_trace().__dict__, "target": None, "loss": None,
                                 "deltas": None})
    r = neuron_report(before_loss, 1, 0, (400_000.0, 50_000.0), "price")
    assert r.output_in_units == pytest.approx(412_500.0) and r.target_in_units is None and r.error_in_units is None
