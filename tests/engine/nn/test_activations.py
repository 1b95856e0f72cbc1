"""Tests for nnstudio.engine.nn.activations: formulas, derivatives, out= buffers, dtypes."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from support.slopes import central_differences

from nnstudio.engine.nn.activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    LEAKY_RELU_ALPHA,
    Activation,
    LeakyReLU,
    Sigmoid,
    Softmax,
    get_activation,
)
from nnstudio.engine.nn.network import Network, NetworkSpec

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
GRID = np.linspace(-6.0, 6.0, 121).reshape(11, 11)


def _textbook(name: str, z: float) -> float:
    """The textbook definition of each elementwise activation, in plain Python."""
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z))
    if name == "tanh":
        return (math.exp(z) - math.exp(-z)) / (math.exp(z) + math.exp(-z))
    if name == "relu":
        return z if z > 0 else 0.0
    if name == "leaky_relu":
        return z if z > 0 else 0.01 * z
    if name == "linear":
        return z
    raise AssertionError(name)


def _grid_without_kinks() -> np.ndarray:
    """GRID shifted so no entry is within 1e-3 of 0 (ReLU's kink)."""
    return GRID + 0.0371


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_forward_matches_textbook_formula(name):
    """Each elementwise activation equals its textbook formula on a grid of z."""
    act = get_activation(name)
    got = act.forward(GRID)
    expected = np.array([[_textbook(name, float(z)) for z in row] for row in GRID])
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-15)


def test_leaky_relu_default_alpha_is_one_hundredth():
    """leaky_relu keeps 0.01·z for negative z."""
    act = get_activation("leaky_relu")
    assert act.alpha == 0.01
    np.testing.assert_array_equal(act.forward(np.array([[-3.0, 0.0, 2.5]])), [[-0.03, 0.0, 2.5]])


def test_softmax_rows_sum_to_one_and_match_exp_over_sum():
    """Softmax rows sum to 1 and equal exp(z_k)/Σ_j exp(z_j) computed directly."""
    rng = np.random.default_rng(1)
    z = rng.normal(0.0, 3.0, size=(7, 4))
    got = Softmax().forward(z)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    expected = np.array([[math.exp(v) / sum(math.exp(u) for u in row) for v in row] for row in z])
    np.testing.assert_allclose(got, expected, rtol=1e-13)


def test_softmax_of_huge_logits_is_finite():
    """Softmax subtracts the row max, so logits of ±1e4 give probabilities, not NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = Softmax().forward(np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 0.0]]))
    np.testing.assert_allclose(got, [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], atol=1e-300)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_finite_differences(name):
    """f'(z) equals (f(z+h) − f(z−h)) / 2h away from any kink."""
    act = get_activation(name)
    z = _grid_without_kinks()
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z, act.forward(z)), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_backprop_is_upstream_gradient_times_derivative(name):
    """backprop(g) = g ⊙ f'(z) for an elementwise activation, f' by finite differences."""
    act = get_activation(name)
    z = _grid_without_kinks()
    g = np.random.default_rng(2).normal(size=z.shape)
    h = 1e-6
    numeric = g * (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.backprop(g, z, act.forward(z)), numeric, rtol=1e-7, atol=1e-9)


def test_softmax_backprop_matches_finite_differences_of_a_scalar_function():
    """Softmax backprop gives ∂(Σ g⊙softmax(z))/∂z, checked by central differences."""
    rng = np.random.default_rng(3)
    z = rng.normal(size=(3, 4))
    g = rng.normal(size=(3, 4))
    act = Softmax()
    got = act.backprop(g, z, act.forward(z))
    numeric = central_differences(lambda zz: np.sum(g * act.forward(zz)), z.copy())
    np.testing.assert_allclose(got, numeric, rtol=1e-7, atol=1e-10)


def test_softmax_derivative_is_jacobian_diagonal():
    """Softmax.derivative is the Jacobian's diagonal a_k(1 − a_k)."""
    z = np.array([[0.3, -1.2, 2.0]])
    act = Softmax()
    a = act.forward(z)
    h = 1e-6
    diag = []
    for k in range(3):
        zp, zm = z.copy(), z.copy()
        zp[0, k] += h
        zm[0, k] -= h
        diag.append((act.forward(zp)[0, k] - act.forward(zm)[0, k]) / (2 * h))
    np.testing.assert_allclose(act.derivative(z, a)[0], diag, rtol=1e-8)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_forward_and_backprop_with_out_equal_without(name):
    """Writing into preallocated out= arrays gives the same numbers bit for bit."""
    act = get_activation(name)
    rng = np.random.default_rng(4)
    z = rng.normal(size=(5, 3))
    g = rng.normal(size=(5, 3))
    a = act.forward(z)
    out_a = np.full_like(z, np.nan)
    returned = act.forward(z, out=out_a)
    assert returned is out_a
    np.testing.assert_array_equal(out_a, a)
    expected = act.backprop(g, z, a)
    out_g = np.full_like(z, np.nan)
    returned = act.backprop(g, z, a, out=out_g)
    assert returned is out_g
    np.testing.assert_array_equal(out_g, expected)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_forward_leaves_its_input_untouched(name):
    """forward without out= does not overwrite z."""
    z = np.random.default_rng(5).normal(size=(4, 3))
    before = z.copy()
    get_activation(name).forward(z)
    np.testing.assert_array_equal(z, before)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_float32_activation_stays_float32(name):
    """An activation built for float32 returns float32 from forward, derivative and backprop."""
    act = get_activation(name, np.float32)
    z = np.random.default_rng(6).normal(size=(4, 3)).astype(np.float32)
    g = np.ones_like(z)
    a = act.forward(z)
    assert a.dtype == np.float32
    assert act.derivative(z, a).dtype == np.float32
    assert act.backprop(g, z, a).dtype == np.float32
    assert act.forward(z, out=np.empty_like(z)).dtype == np.float32


@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "linear", "leaky_relu"])
def test_float32_network_stays_float32(hidden, output):
    """A float32 network's forward pass, outputs and gradients are all float32."""
    spec = NetworkSpec((3, 4, 2), (hidden, output))
    net = Network.from_spec(spec, seed=0, dtype=np.float32)
    X = np.random.default_rng(7).normal(size=(5, 3))
    trace = net.forward(X)
    assert all(z.dtype == np.float32 for z in trace.sums)
    assert all(a.dtype == np.float32 for a in trace.activations)
    assert net.predict(X).dtype == np.float32
    grads = net.backward(trace, np.full((5, 2), 0.5))
    assert all(g.dtype == np.float32 for g in (*grads.weights, *grads.biases, *grads.deltas))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_of_plus_minus_1000_is_exactly_one_and_zero_without_warnings(dtype):
    """sigmoid(±1000) is 1 / 0 and raises no overflow warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        act = Sigmoid(dtype)
        a = act.forward(np.array([[1000.0, -1000.0, 0.0]], dtype=dtype))
        d = act.derivative(None, a)
    np.testing.assert_array_equal(a, [[1.0, 0.0, 0.5]])
    np.testing.assert_array_equal(d, [[0.0, 0.0, 0.25]])


def test_saturated_activations_give_finite_values_without_warnings():
    """Every activation handles z = ±1000 without overflow warnings or non-finite output."""
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ACTIVATIONS:
            act = get_activation(name)
            a = act.forward(z)
            assert np.isfinite(a).all(), name
            assert np.isfinite(act.backprop(np.ones_like(z), z, a)).all(), name


def test_get_activation_refuses_unknown_name_listing_valid_ones():
    """An unknown name raises ValueError naming the valid activations."""
    with pytest.raises(ValueError, match="sigmoid"):
        get_activation("swish")


def test_leaky_relu_alpha_is_configurable():
    """LeakyReLU(alpha=0.2) scales negative inputs and its derivative by 0.2."""
    act = LeakyReLU(alpha=0.2)
    z = np.array([[-2.0, 3.0]])
    np.testing.assert_allclose(act.forward(z), [[-0.4, 3.0]])
    np.testing.assert_allclose(act.derivative(z, act.forward(z)), [[0.2, 1.0]])


def test_an_activation_must_define_its_function_and_derivative():
    """The base cannot be built, nor a subclass missing its derivative; one defining both can."""
    with pytest.raises(TypeError):
        Activation()

    class ForwardOnly(Activation):
        def forward(self, z, out=None):
            return np.multiply(z, 2.0, out=out)

    with pytest.raises(TypeError, match="derivative"):
        ForwardOnly()

    class Double(ForwardOnly):
        def derivative(self, z, a):
            return np.full_like(z, 2.0)

    z = np.array([[1.0, -3.0]])
    np.testing.assert_array_equal(Double().backprop(np.ones_like(z), z, Double().forward(z)), [[2.0, 2.0]])


def test_leaky_relu_uses_the_shared_alpha_by_default():
    """LeakyReLU() slopes by LEAKY_RELU_ALPHA (0.01) below zero, the number the exports write."""
    assert LEAKY_RELU_ALPHA == 0.01
    np.testing.assert_allclose(LeakyReLU().forward(np.array([[-5.0]])), [[-0.05]])


def test_bounds_hold_every_output_and_only_squashing_functions_have_them():
    """Sigmoid and softmax stay in (0, 1), tanh in (−1, 1); ReLU, leaky ReLU and linear are unbounded."""
    z = np.linspace(-30.0, 30.0, 60).reshape(-1, 3)
    bounded = {name: cls.bounds for name, cls in ACTIVATIONS.items() if cls.bounds is not None}
    assert bounded == {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softmax": (0.0, 1.0)}
    for name, (low, high) in bounded.items():
        a = get_activation(name).forward(z)
        assert low <= a.min() and a.max() <= high
    for name in ("relu", "leaky_relu", "linear"):
        assert get_activation(name).forward(z).max() == 30.0
