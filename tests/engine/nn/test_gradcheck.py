"""The gradient check: right backprop passes, broken backprop is caught."""

import numpy as np

from nnstudio.engine.nn import activations
from nnstudio.engine.nn.gradcheck import check_gradients
from nnstudio.engine.nn.network import Network, NetworkSpec


def _batch(spec, rows=8, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, spec.sizes[0])), rng.random((rows, spec.sizes[-1]))


def test_a_fresh_network_passes_below_1e_6():
    """Backprop on a fresh 2-4-4-1 sigmoid net agrees with finite differences per layer."""
    spec = NetworkSpec((2, 4, 4, 1), ("sigmoid", "tanh", "sigmoid"))
    X, Y = _batch(spec)
    results = check_gradients(Network.from_spec(spec, seed=3), X, Y)
    assert [r.layer for r in results] == [0, 1, 2]
    assert all(r.relative_error < 1e-6 for r in results)
    assert [r.total for r in results] == [12, 20, 5] and all(r.checked == r.total for r in results)


def test_big_layers_are_sampled():
    """A 64-32-10 layer is probed on at most max_per_layer parameters and still passes."""
    spec = NetworkSpec((64, 32, 10), ("tanh", "softmax"), "cross_entropy")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 64))
    Y = np.eye(10)[rng.integers(0, 10, 16)]
    results = check_gradients(Network.from_spec(spec, seed=1), X, Y, max_per_layer=50)
    assert [r.checked for r in results] == [50, 50]
    assert all(r.relative_error < 1e-6 for r in results)


def test_a_wrong_derivative_is_caught(monkeypatch):
    """With sigmoid's derivative sign flipped, the check reports errors of order one."""
    def wrong(self, grad_a, z, a, out=None):
        return np.multiply(grad_a, a * (a - 1.0), out=out)

    monkeypatch.setattr(activations.Sigmoid, "backprop", wrong)
    spec = NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))
    X, Y = _batch(spec)
    results = check_gradients(Network.from_spec(spec, seed=0), X, Y)
    assert max(r.relative_error for r in results) > 0.5


def test_the_network_is_left_unchanged():
    """Probing works on a copy."""
    spec = NetworkSpec((3, 2, 2), ("relu", "sigmoid"))
    net = Network.from_spec(spec, seed=5)
    before = net.flat.copy()
    check_gradients(net, *_batch(spec))
    assert np.array_equal(net.flat, before)
