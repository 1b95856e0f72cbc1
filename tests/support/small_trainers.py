"""Small trainers on random data for the trainer's tests: a 2-3-1 sigmoid net on 10 rows unless asked otherwise."""

from __future__ import annotations

import numpy as np

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer

#: Every setting that makes an update more than a plain gradient step.
NOISY = Hyperparameters(learning_rate=0.3, momentum=0.8, l1=1e-3, l2=1e-2, noise=0.05)


def random_data(n=10, n_in=2, n_out=1, seed=0):
    """``n`` rows of normal inputs and targets in [0, 1)."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.random((n, n_out))


def small_trainer(sizes=(2, 3, 1), activations=("sigmoid", "sigmoid"), n=10, net_seed=1, **kwargs) -> Trainer:
    X, Y = random_data(n, sizes[0], sizes[-1])
    net = Network.from_spec(NetworkSpec(sizes, activations), seed=net_seed)
    return Trainer(net, X, Y, **kwargs)


def phases_per_cycle(trainer: Trainer) -> int:
    """Feedforward and backpropagation through each layer, then the loss and the update."""
    return 2 * trainer.network.spec.n_layers + 2


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))
