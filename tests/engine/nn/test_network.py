"""Tests for nnstudio.engine.nn.network: specs, construction, forward, and backprop gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.slopes import central_differences

from nnstudio.engine.nn.activations import HIDDEN_ACTIVATIONS
from nnstudio.engine.nn.layer_passes import n_parameters
from nnstudio.engine.nn.network import MAX_NEURONS, Network, NetworkSpec, SpecError
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer

OUTPUT_LOSS_PAIRS = [(out, "mse") for out in ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")] + [
    ("sigmoid", "cross_entropy"),
    ("softmax", "cross_entropy"),
]
KINKED = ("relu", "leaky_relu")


def _gradcheck_cases():
    cases = []
    for sizes in ((3, 5, 2), (2, 4, 4, 3)):
        for hidden in HIDDEN_ACTIVATIONS:
            for out, loss in OUTPUT_LOSS_PAIRS:
                acts = (hidden,) * (len(sizes) - 2) + (out,)
                cases.append(pytest.param(sizes, acts, loss, id=f"{'-'.join(map(str, sizes))}-{'/'.join(acts)}-{loss}"))
    for out, loss in OUTPUT_LOSS_PAIRS:
        if out != "softmax":  # softmax needs two outputs
            cases.append(pytest.param((4, 1), (out,), loss, id=f"4-1-{out}-{loss}"))
    # mixed hidden activations, including both kinked ones in one net
    for acts in (("relu", "tanh", "softmax"), ("leaky_relu", "relu", "linear"), ("linear", "sigmoid", "sigmoid")):
        loss = "cross_entropy" if acts[-1] == "softmax" else "mse"
        cases.append(pytest.param((2, 4, 4, 3), acts, loss, id=f"2-4-4-3-{'/'.join(acts)}-{loss}"))
    return cases


def _targets(rng, spec: NetworkSpec, batch: int) -> np.ndarray:
    n_out = spec.sizes[-1]
    if spec.activations[-1] == "softmax":
        return np.eye(n_out)[rng.integers(0, n_out, batch)]  # rows are distributions
    if spec.activations[-1] in ("linear", "tanh", "leaky_relu"):
        return rng.uniform(-1.0, 1.0, (batch, n_out))
    return rng.uniform(0.0, 1.0, (batch, n_out))


def _flat_gradient(grads) -> np.ndarray:
    return np.concatenate([p.ravel() for W, b in zip(grads.weights, grads.biases) for p in (W, b)])


def _numeric_gradient(net: Network, X, Y, h: float = 1e-6) -> np.ndarray:
    numeric = np.empty_like(net.flat)
    for i in range(net.flat.size):
        old = net.flat[i]
        net.flat[i] = old + h
        plus = net.loss_value(X, Y)
        net.flat[i] = old - h
        minus = net.loss_value(X, Y)
        net.flat[i] = old
        numeric[i] = (plus - minus) / (2 * h)
    return numeric


def _well_conditioned_problem(spec: NetworkSpec, batch: int = 6):
    """A net and data whose kinked layers have every |z| ≥ 1e-3 and a non-trivial gradient."""
    for seed in range(500):
        rng = np.random.default_rng(seed)
        net = Network.from_spec(spec, seed=seed)
        for b in net.biases:
            b[:] = rng.normal(0.0, 0.3, b.shape)
        X = rng.normal(0.0, 1.0, (batch, spec.sizes[0]))
        Y = _targets(rng, spec, batch)
        trace = net.forward(X)
        near_kink = any(
            name in KINKED and np.min(np.abs(z)) < 1e-3 for name, z in zip(spec.activations, trace.sums)
        )
        if near_kink:
            continue
        grads = net.backward(trace, Y)
        if np.linalg.norm(_flat_gradient(grads)) > 1e-3:
            return net, X, Y
    raise AssertionError("no well-conditioned sample found")


@pytest.mark.parametrize(("sizes", "activations", "loss"), _gradcheck_cases())
def test_backward_matches_finite_differences(sizes, activations, loss):
    """Network.backward's ∂L/∂W and ∂L/∂b equal central differences of loss_value (rel. err < 1e-6)."""
    spec = NetworkSpec(sizes, activations, loss)
    net, X, Y = _well_conditioned_problem(spec)
    grads = net.backward(net.forward(X), Y)
    analytic = _flat_gradient(grads)
    numeric = _numeric_gradient(net, X, Y)
    rel = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-300)
    assert rel < 1e-6, f"relative error {rel:.3g}"
    assert grads.loss == pytest.approx(net.loss_value(X, Y), rel=1e-15)


def test_backward_deltas_are_dloss_dsum():
    """Gradients.deltas[l] equals ∂L/∂z[l], checked by perturbing the output sums directly."""
    spec = NetworkSpec((3, 4, 2), ("tanh", "sigmoid"))
    net, X, Y = _well_conditioned_problem(spec)
    trace = net.forward(X)
    grads = net.backward(trace, Y)
    z = trace.sums[-1]
    numeric = central_differences(lambda zz: np.mean((1 / (1 + np.exp(-zz)) - Y) ** 2), z.copy())
    np.testing.assert_allclose(grads.deltas[-1], numeric, rtol=1e-6, atol=1e-12)


def _sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_one_sgd_step_on_2_2_1_net_matches_hand_computation():
    """One cycle (lr 0.5, one sample, MSE) on a fixed 2-2-1 sigmoid net gives the hand-computed weights."""
    x0, x1, y = 0.35, 0.9, 0.5
    W0 = [[0.1, 0.8], [0.4, 0.6]]  # W0[i][j]: input i → hidden j
    b0 = [0.05, -0.1]
    W1 = [[0.3], [0.9]]  # W1[j][0]: hidden j → output
    b1 = [0.2]
    lr = 0.5
    # forward
    h = [_sig(x0 * W0[0][j] + x1 * W0[1][j] + b0[j]) for j in range(2)]
    o = _sig(h[0] * W1[0][0] + h[1] * W1[1][0] + b1[0])
    # backward: L = (o − y)² over 1 output and 1 sample, so dL/do = 2(o − y)
    delta_o = 2.0 * (o - y) * o * (1.0 - o)
    delta_h = [delta_o * W1[j][0] * h[j] * (1.0 - h[j]) for j in range(2)]
    new_W1 = [[W1[j][0] - lr * h[j] * delta_o] for j in range(2)]
    new_b1 = [b1[0] - lr * delta_o]
    new_W0 = [[W0[i][j] - lr * (x0, x1)[i] * delta_h[j] for j in range(2)] for i in range(2)]
    new_b0 = [b0[j] - lr * delta_h[j] for j in range(2)]

    spec = NetworkSpec((2, 2, 1), ("sigmoid", "sigmoid"))
    net = Network(spec, [W0, W1], [b0, b1])
    trainer = Trainer(net, [[x0, x1]], [[y]], hyper=Hyperparameters(learning_rate=lr))
    trainer.step_cycle()
    np.testing.assert_allclose(net.weights[0], new_W0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.biases[0], new_b0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.weights[1], new_W1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.biases[1], new_b1, rtol=0, atol=1e-12)
    # the batch loss recorded for the cycle is the loss before the update
    assert trainer.history.batch_loss.last()[1] == pytest.approx((y - o) ** 2, abs=1e-15)


def test_forward_trace_holds_sums_and_activations_layer_by_layer():
    """forward's sums[l] = a[l] @ W[l] + b[l] and activations[l+1] = f(sums[l]), a[0] the input."""
    spec = NetworkSpec((3, 4, 2), ("tanh", "sigmoid"))
    net = Network.from_spec(spec, seed=3)
    net.biases[0][:] = [0.1, -0.2, 0.3, 0.0]
    X = np.random.default_rng(0).normal(size=(5, 3))
    trace = net.forward(X)
    np.testing.assert_array_equal(trace.activations[0], X)
    z0 = X @ net.weights[0] + net.biases[0]
    np.testing.assert_allclose(trace.sums[0], z0, rtol=1e-15)
    np.testing.assert_allclose(trace.activations[1], np.tanh(z0), rtol=1e-14)
    z1 = np.tanh(z0) @ net.weights[1] + net.biases[1]
    np.testing.assert_allclose(trace.output, 1 / (1 + np.exp(-z1)), rtol=1e-14)
    np.testing.assert_array_equal(net.predict(X), trace.output)


def test_forward_returns_copies():
    """Changing a returned trace changes neither the network nor a later trace."""
    net = Network.from_spec(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")), seed=0)
    X = np.ones((2, 2))
    trace = net.forward(X)
    before = net.flat.copy()
    trace.sums[0][:] = 99.0
    trace.activations[0][:] = 99.0
    np.testing.assert_array_equal(net.flat, before)
    np.testing.assert_array_equal(X, 1.0)
    assert not np.array_equal(net.forward(X).sums[0], trace.sums[0])


def test_parameters_are_views_into_flat_vector():
    """W and b are views of the flat vector laid out W0, b0, W1, b1."""
    spec = NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))
    W0 = np.arange(6.0).reshape(2, 3)
    b0 = np.array([10.0, 11.0, 12.0])
    W1 = np.array([[20.0], [21.0], [22.0]])
    b1 = np.array([30.0])
    net = Network(spec, [W0, W1], [b0, b1])
    np.testing.assert_array_equal(net.flat, [0, 1, 2, 3, 4, 5, 10, 11, 12, 20, 21, 22, 30])
    assert net.n_parameters() == n_parameters(spec.sizes) == 13
    net.flat[0] = -1.0
    assert net.weights[0][0, 0] == -1.0
    net.biases[1][0] = 7.0
    assert net.flat[-1] == 7.0
    W0[0, 0] = 123.0  # the constructor copied its inputs
    assert net.weights[0][0, 0] == -1.0


def test_copy_is_independent():
    """Network.copy has equal but separate parameters."""
    net = Network.from_spec(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")), seed=0)
    twin = net.copy()
    np.testing.assert_array_equal(twin.flat, net.flat)
    twin.flat[:] = 0.0
    assert np.any(net.flat != 0.0)


# -- spec validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "activations", "loss", "message"),
    [
        ((2, 0, 1), ("sigmoid", "sigmoid"), "mse", "neurons"),
        ((0, 3, 1), ("sigmoid", "sigmoid"), "mse", "neurons"),
        ((2, 3, 0), ("sigmoid", "sigmoid"), "mse", "neurons"),
        ((2, MAX_NEURONS + 1, 1), ("sigmoid", "sigmoid"), "mse", "neurons"),
        ((2, 3, 1), ("sigmoid", "softmax"), "mse", "softmax"),
        ((2, 3, 2), ("softmax", "sigmoid"), "mse", "hidden"),
        ((2, 3, 1), ("swish", "sigmoid"), "mse", "swish"),
        ((2, 3, 1), ("sigmoid", "swish"), "mse", "swish"),
        ((2, 3, 1), ("sigmoid",), "mse", "activations"),
        ((2, 3, 1), ("sigmoid", "sigmoid", "sigmoid"), "mse", "activations"),
        ((2,), (), "mse", "input"),
        ((2, 1), ("sigmoid",), "hinge", "hinge"),
        ((2, 1), ("tanh",), "cross_entropy", "cross_entropy"),
    ],
)
def test_spec_refuses_invalid_shapes(sizes, activations, loss, message):
    """NetworkSpec raises SpecError (a ValueError) naming what is wrong."""
    with pytest.raises(SpecError, match=message):
        NetworkSpec(sizes, activations, loss)
    assert issubclass(SpecError, ValueError)


def test_spec_build_uses_one_hidden_activation():
    """NetworkSpec.build repeats the hidden activation and appends the output one."""
    spec = NetworkSpec.build(3, [5, 4], 2, activation="relu", output_activation="softmax", loss="cross_entropy")
    assert spec.sizes == (3, 5, 4, 2)
    assert spec.activations == ("relu", "relu", "softmax")
    assert spec.n_layers == 3


@pytest.mark.parametrize(
    ("weights", "biases"),
    [
        ([np.zeros((3, 2)), np.zeros((3, 1))], [np.zeros(3), np.zeros(1)]),  # W0 transposed
        ([np.zeros((2, 3)), np.zeros((3, 1))], [np.zeros(2), np.zeros(1)]),  # b0 too short
        ([np.zeros((2, 3)), np.zeros((1, 3))], [np.zeros(3), np.zeros(1)]),  # W1 transposed
        ([np.zeros((2, 3))], [np.zeros(3)]),  # one layer missing
        ([np.zeros((2, 3)), np.zeros((3, 1))], [np.zeros(3)]),  # one bias missing
    ],
)
def test_network_refuses_mismatched_weight_shapes(weights, biases):
    """Weights or biases of the wrong shape or count raise SpecError."""
    spec = NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))
    with pytest.raises(SpecError):
        Network(spec, weights, biases)


def test_network_refuses_other_dtypes():
    """Only float32 and float64 networks can be built."""
    spec = NetworkSpec((2, 1), ("sigmoid",))
    with pytest.raises(SpecError, match="dtype"):
        Network(spec, [np.zeros((2, 1))], [np.zeros(1)], dtype=np.float16)


def test_forward_and_backward_refuse_wrong_shapes():
    """Inputs with the wrong width and targets of the wrong shape raise ValueError."""
    net = Network.from_spec(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")))
    with pytest.raises(ValueError):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError):
        net.forward(np.zeros(2))
    trace = net.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError):
        net.backward(trace, np.zeros((4, 2)))


# -- initialisation ----------------------------------------------------------------------


def test_xavier_and_he_init_scales_and_zero_biases():
    """He std √(2/fan_in) for (leaky) ReLU layers, Xavier √(2/(fan_in+fan_out)) otherwise; biases 0."""
    spec = NetworkSpec((400, 300, 200, 100), ("relu", "leaky_relu", "tanh"))
    net = Network.from_spec(spec, seed=11)
    expected = [math.sqrt(2 / 400), math.sqrt(2 / 300), math.sqrt(2 / (200 + 100))]
    for W, std in zip(net.weights, expected):
        assert W.std() == pytest.approx(std, rel=0.03)
        assert abs(W.mean()) < 0.03 * std
    assert all(np.all(b == 0.0) for b in net.biases)


def test_init_is_seeded():
    """The same seed gives identical weights; another seed gives different ones."""
    spec = NetworkSpec((3, 5, 2), ("tanh", "sigmoid"))
    a = Network.from_spec(spec, seed=42)
    b = Network.from_spec(spec, seed=42)
    c = Network.from_spec(spec, seed=43)
    np.testing.assert_array_equal(a.flat, b.flat)
    assert not np.array_equal(a.flat, c.flat)


def test_float32_network_works_and_agrees_with_float64():
    """A float32 network computes the float64 network's numbers to float32 precision."""
    spec = NetworkSpec((3, 5, 2), ("tanh", "sigmoid"))
    net64 = Network.from_spec(spec, seed=5)
    net32 = Network.from_spec(spec, seed=5, dtype=np.float32)
    assert net32.flat.dtype == np.float32
    X = np.random.default_rng(0).normal(size=(8, 3))
    Y = np.random.default_rng(1).random((8, 2))
    np.testing.assert_allclose(net32.predict(X), net64.predict(X), rtol=1e-5, atol=1e-6)
    g32 = _flat_gradient(net32.backward(net32.forward(X), Y))
    g64 = _flat_gradient(net64.backward(net64.forward(X), Y))
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-6)
    trainer = Trainer(net32, X, Y, hyper=Hyperparameters(learning_rate=0.5, momentum=0.5, l1=1e-3, l2=1e-3, noise=0.01))
    trainer.step_cycle(5)
    assert net32.flat.dtype == np.float32 and net32.is_finite()
    assert trainer.optimizer.velocity.dtype == np.float32
