"""Feedforward and backprop as the seed tells them, one sample and one layer at a time.

Written for reading and not used by the app: a test holds the fast path (``Network`` and
``Trainer``) to these loops, so this page is the maths the app runs. Weights follow the
app's layout: ``W[l]`` is (fan_in, fan_out), so a layer's sums are ``z = a @ W[l] + b[l]``.
"""

from __future__ import annotations

import numpy as np

from nnstudio.engine.nn.activations import LEAKY_RELU_ALPHA

__all__ = ["FUNCTIONS", "ReferenceNet"]

#: Each activation f(z) and its derivative f'(z), written from z or from a = f(z).
FUNCTIONS = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: np.where(z > 0, 1.0, 0.0)),
    "leaky_relu": (lambda z: np.where(z > 0, z, LEAKY_RELU_ALPHA * z),
                   lambda z, a: np.where(z > 0, 1.0, LEAKY_RELU_ALPHA)),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "softmax": (lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(), None),  # with cross-entropy only
}


class ReferenceNet:
    """A network as lists of weights, biases and activation names, trained by plain gradient descent."""

    def __init__(self, weights, biases, activations, loss: str = "mse") -> None:
        self.W = [np.array(w, dtype=float) for w in weights]
        self.b = [np.array(b, dtype=float) for b in biases]
        self.activations, self.loss = list(activations), loss
        self.velocity = [np.zeros_like(p) for p in self.W + self.b]

    def feedforward(self, x):
        """Every layer's sums z and activations a for one sample (a[0] is the input)."""
        sums, acts = [], [np.asarray(x, dtype=float)]
        for W, b, name in zip(self.W, self.b, self.activations):
            z = acts[-1] @ W + b  # each neuron: Σ weights × inputs, plus its bias
            sums.append(z)
            acts.append(FUNCTIONS[name][0](z))
        return sums, acts

    def sample_loss(self, output, target) -> float:
        error = target - output
        if self.loss == "mse":
            return float(np.sum(error**2) / len(output))  # Σ error² / number of outputs
        if self.activations[-1] == "softmax":
            return float(-np.sum(target * np.log(output)))
        return float(-np.mean(target * np.log(output) + (1 - target) * np.log(1 - output)))

    def backprop(self, x, target):
        """∂loss/∂W and ∂loss/∂b of one sample: the chain rule from the output layer down."""
        sums, acts = self.feedforward(x)
        output = acts[-1]
        error = target - output  # the seed's error; the loss falls as the output moves along it
        if self.loss == "mse":
            delta = -2 * error / len(output) * FUNCTIONS[self.activations[-1]][1](sums[-1], output)
        elif self.activations[-1] == "softmax":
            delta = -error  # softmax and cross-entropy: their derivatives cancel to a − t
        else:
            delta = -error / len(output)  # each sigmoid output's cross-entropy, averaged
        grad_W, grad_b = [None] * len(self.W), [None] * len(self.b)
        for index in reversed(range(len(self.W))):
            grad_W[index] = np.outer(acts[index], delta)  # ∂loss/∂W = the layer's input × its delta
            grad_b[index] = delta
            if index > 0:  # the upper delta back through the weights, times the lower f'
                delta = (self.W[index] @ delta) * FUNCTIONS[self.activations[index - 1]][1](
                    sums[index - 1], acts[index]
                )
        return grad_W, grad_b

    def train_cycle(self, X, T, learning_rate: float, momentum: float = 0.0) -> float:
        """One gradient-descent step on the batch's mean gradient; returns the batch's mean loss.

        Momentum as PyTorch's SGD: v ← μ·v + g, w ← w − lr·v.
        """
        grads = [np.zeros_like(p) for p in self.W + self.b]
        loss = 0.0
        for x, t in zip(X, T):
            loss += self.sample_loss(self.feedforward(x)[1][-1], t) / len(X)
            grad_W, grad_b = self.backprop(x, t)
            for total, g in zip(grads, grad_W + grad_b):
                total += g / len(X)
        for p, v, g in zip(self.W + self.b, self.velocity, grads):
            v *= momentum
            v += g
            p -= learning_rate * v
        return loss
