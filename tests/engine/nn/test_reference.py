"""The fast path (Network, Trainer) against the plain reference loops of nnstudio.engine.nn.reference."""

from __future__ import annotations

import numpy as np
import pytest
from support.slopes import central_differences

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.reference import ReferenceNet
from nnstudio.engine.nn.trainer import Trainer

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
CYCLES = 6
TOLERANCE = 1e-12


def _classes(n, n_classes, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, np.eye(n_classes)[rng.integers(0, n_classes, n)]


def _regression(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, np.column_stack([np.sin(X[:, 0]), X[:, 0] * X[:, 1]])


# (sizes, activations, loss, data, learning rate)
NETS = {
    "sigmoid XOR 2-4-1": ((2, 4, 1), ("sigmoid", "sigmoid"), "mse", (XOR_X, XOR_Y), 2.0),
    "tanh two hidden layers": ((2, 5, 3, 2), ("tanh", "tanh", "linear"), "mse", _regression(12, 1), 0.1),
    "softmax cross-entropy": ((3, 4, 3), ("relu", "softmax"), "cross_entropy", _classes(10, 3, 2), 0.5),
    "sigmoid cross-entropy": ((3, 4, 2), ("leaky_relu", "sigmoid"), "cross_entropy", _classes(9, 2, 3), 0.5),
}


def _pair(name, momentum, seed=4):
    sizes, activations, loss, (X, Y), rate = NETS[name]
    net = Network.from_spec(NetworkSpec(sizes, activations, loss), seed=seed)
    reference = ReferenceNet(net.weights, net.biases, activations, loss)
    # Full batch: both sides see every row each cycle, in order.
    trainer = Trainer(net, X, Y, hyper=Hyperparameters(learning_rate=rate, momentum=momentum), batch_size=None)
    return trainer, reference, (X, Y, rate)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("name", list(NETS))
def test_fast_path_equals_the_reference_cycle_by_cycle(name, momentum):
    """Weights, biases and each cycle's batch loss agree to 1e-12 over several cycles."""
    trainer, reference, (X, Y, rate) = _pair(name, momentum)
    for cycle in range(CYCLES):
        before = [W.copy() for W in reference.W]
        reference_loss = reference.train_cycle(X, Y, rate, momentum)
        trainer.step_cycle()
        assert trainer.last_workspace.loss == pytest.approx(reference_loss, abs=TOLERANCE)
        for fast, plain in zip(trainer.network.weights + trainer.network.biases, reference.W + reference.b):
            np.testing.assert_allclose(fast, plain, rtol=0, atol=TOLERANCE, err_msg=f"cycle {cycle}")
        # The step is far larger than the tolerance, so the comparison sees the maths.
        assert max(np.abs(W - old).max() for W, old in zip(reference.W, before)) > 1e-4


@pytest.mark.parametrize("name", list(NETS))
def test_reference_gradient_is_the_slope_of_its_loss(name):
    """The reference's backprop equals central differences of its own loss (independent of the fast path)."""
    sizes, activations, loss, (X, Y), _rate = NETS[name]
    net = Network.from_spec(NetworkSpec(sizes, activations, loss), seed=5)
    reference = ReferenceNet(net.weights, net.biases, activations, loss)
    x, t = X[1], Y[1]
    grad_W, grad_b = reference.backprop(x, t)
    def loss(_params):  # the parameters are edited in place
        return reference.sample_loss(reference.feedforward(x)[1][-1], t)

    for analytic, params in zip(grad_W + grad_b, reference.W + reference.b):
        np.testing.assert_allclose(analytic, central_differences(loss, params), rtol=1e-5, atol=1e-8)


def test_a_changed_derivative_breaks_the_agreement():
    """A wrong f' on the reference side shows as a mismatch within one cycle."""
    trainer, reference, (X, Y, rate) = _pair("sigmoid XOR 2-4-1", 0.0)
    reference.activations[0] = "tanh"  # forward and derivative of another function
    reference.train_cycle(X, Y, rate)
    trainer.step_cycle()
    assert np.abs(trainer.network.weights[0] - reference.W[0]).max() > 1e-6
