"""A training cycle worked out by the textbook formulas, to check what the app shows.

Shared by the inspector's engine and window tests: ``walk_phases`` steps a session phase
by phase and pairs each phase's trace with the same cycle computed here in plain numpy
from the weights before the cycle and the batch's rows.
"""

import numpy as np

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession

#: Networks whose every phase is checked: the seed's XOR, two tanh layers, softmax outputs.
NETWORKS = {
    "xor 2-4-1 sigmoid, MSE": SessionConfig(
        data=DataSpec("xor"), hidden=(4,), activations=("sigmoid", "sigmoid"), loss="mse",
        hyper=Hyperparameters(learning_rate=2.0), batch_size=10),
    "moons 2-5-3-1 tanh, MSE": SessionConfig(
        data=DataSpec("moons"), hidden=(5, 3), activations=("tanh", "tanh", "sigmoid"), loss="mse",
        hyper=Hyperparameters(learning_rate=0.3), batch_size=8),
    "iris 4-6-3 softmax, cross-entropy": SessionConfig(
        data=DataSpec("iris"), hidden=(6,), activations=("sigmoid", "softmax"), loss="cross_entropy",
        hyper=Hyperparameters(learning_rate=0.5), batch_size=12),
    "iris 4-5-3 softmax, MSE": SessionConfig(
        data=DataSpec("iris"), hidden=(5,), activations=("tanh", "softmax"), loss="mse",
        hyper=Hyperparameters(learning_rate=0.5), batch_size=12),
    "iris 4-5-3 sigmoid, cross-entropy": SessionConfig(
        data=DataSpec("iris"), hidden=(5,), activations=("relu", "sigmoid"), loss="cross_entropy",
        hyper=Hyperparameters(learning_rate=0.5), batch_size=12),
}

ACTIVATION = {"sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0),
              "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)}
SLOPE = {"sigmoid": lambda z, a: a * (1 - a), "tanh": lambda z, a: 1 - a ** 2, "relu": lambda z, a: (z > 0) * 1.0}


def independent_cycle(W, b, X, T, activations, loss, lr):
    """One cycle by the textbook formulas: forward, the loss, δ per layer, −lr·aᵀδ."""
    acts, sums = [X], []
    for Wl, bl, name in zip(W, b, activations):
        sums.append(acts[-1] @ Wl + bl)
        acts.append(ACTIVATION[name](sums[-1]))
    y, z, out = acts[-1], sums[-1], activations[-1]
    n, k = T.shape
    if loss == "mse":
        batch_loss = np.mean((T - y) ** 2)
        own_loss = np.sum((T[0] - y[0]) ** 2) / k
        grad = 2 * (y - T) / (n * k)
        if out == "softmax":
            delta = y * (grad - np.sum(grad * y, axis=1, keepdims=True))
        else:
            delta = grad * SLOPE[out](z, y)
    elif out == "softmax":
        batch_loss = -np.sum(T * np.log(y)) / n
        own_loss = -np.sum(T[0] * np.log(y[0]))
        grad, delta = None, (y - T) / n
    else:
        bce = -(T * np.log(y) + (1 - T) * np.log(1 - y))
        batch_loss, own_loss = bce.mean(), bce[0].mean()
        grad, delta = None, (y - T) / (n * k)
    deltas = [None] * len(W)
    deltas[-1] = delta
    for index in range(len(W) - 2, -1, -1):
        deltas[index] = (deltas[index + 1] @ W[index + 1].T) * SLOPE[activations[index]](sums[index], acts[index + 1])
    updates = [-lr * acts[index].T @ deltas[index] for index in range(len(W))]
    return dict(
        T=T, acts=acts, sums=sums, loss=batch_loss, own_loss=own_loss, grad=grad, deltas=deltas, updates=updates
    )


def cycle_phases(n_layers):
    return ([("forward", layer) for layer in range(n_layers)] + [("loss", None)]
            + [("backward", layer) for layer in reversed(range(n_layers))] + [("update", None)])


def walk_phases(config, cycles_before=2, cycles=3):
    """Yield (phase, trace, expected) for every phase of ``cycles`` cycles stepped by phases."""
    session = TrainingSession(config)
    assert session.config == config  # the session kept the network asked for
    session.step("cycle", cycles_before)
    n_layers = len(config.activations)
    for _ in range(cycles):
        snap = session.snapshot()
        W, b = [w.copy() for w in snap.weights], [v.copy() for v in snap.biases]
        expected = None
        for phase in cycle_phases(n_layers):
            session.step_phase()
            snap = session.snapshot()
            assert snap.phase == phase
            if expected is None:  # the batch's rows are data: the numbers are computed here
                ws = session.trainer.workspace_in_progress
                expected = independent_cycle(W, b, ws.acts[0].copy(), ws.targets.copy(), config.activations,
                                             config.loss, config.hyper.learning_rate)
                expected.update(W=W, b=b)
            yield phase, snap.trace, expected
