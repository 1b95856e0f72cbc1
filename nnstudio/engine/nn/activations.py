"""Activation functions, each with its derivative beside it.

Every activation maps a layer's weighted sums ``z`` (batch, neurons) to its outputs ``a``
and carries a gradient back through itself (``backprop``: dL/da -> dL/dz). The ``out=``
arguments let the trainer reuse preallocated arrays: a tiny network's cycle is bound by
numpy's per-call overhead, not by arithmetic.
"""

from __future__ import annotations

import abc

import numpy as np
import numpy.typing as npt

__all__ = [
    "Activation",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "Linear",
    "Softmax",
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "LEAKY_RELU_ALPHA",
    "get_activation",
]

Array = npt.NDArray[np.floating]

#: Leaky ReLU's slope below zero; every export writes this same number.
LEAKY_RELU_ALPHA = 0.01


class Activation(abc.ABC):
    """A neuron's squashing function ``a = f(z)``.

    Subclasses set ``name`` and ``formula`` (how the learner sees it) and implement
    ``forward``, ``derivative`` and, where the derivative is not elementwise, ``backprop``.
    """

    name: str = ""
    formula: str = ""
    #: False for softmax, whose derivative is a Jacobian rather than elementwise.
    elementwise: bool = True
    #: The (low, high) its outputs lie in; None when unbounded.
    bounds: tuple[float, float] | None = None

    def __init__(self, dtype: npt.DTypeLike = np.float64) -> None:
        # 0-d array constants of the network's dtype: cheaper per ufunc call than Python
        # floats, and they keep float32 networks in float32.
        self._half = np.array(0.5, dtype=dtype)
        self._one = np.array(1.0, dtype=dtype)

    @abc.abstractmethod
    def forward(self, z: Array, out: Array | None = None) -> Array:
        """a = f(z), into ``out`` when given."""

    @abc.abstractmethod
    def derivative(self, z: Array, a: Array) -> Array:
        """Elementwise f'(z), given z and a = f(z) (whichever is cheaper to use)."""

    def backprop(self, grad_a: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        """dL/dz = dL/da * f'(z) for an elementwise activation. ``out`` must not alias ``grad_a``."""
        if out is None:
            return grad_a * self.derivative(z, a)
        np.multiply(grad_a, self.derivative(z, a), out=out)
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """The seed's neuron: a = 1 / (1 + e^(-z)), with f' = a(1 - a).

    Computed as 0.5 * (1 + tanh(z / 2)), which is the same function but never overflows
    for very negative z (exp(-z) would, and warn).
    """

    name = "sigmoid"
    formula = "1 / (1 + e^(−z))"
    bounds = (0.0, 1.0)

    def forward(self, z: Array, out: Array | None = None) -> Array:
        out = np.multiply(z, self._half, out=out)
        np.tanh(out, out=out)
        out += self._one
        out *= self._half
        return out

    def derivative(self, z: Array, a: Array) -> Array:
        return a * (1.0 - a)

    def backprop(self, grad_a: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        out = np.subtract(self._one, a, out=out)
        out *= a
        out *= grad_a
        return out


class Tanh(Activation):
    """a = tanh(z), with f' = 1 - a²."""

    name = "tanh"
    formula = "tanh(z)"
    bounds = (-1.0, 1.0)

    def forward(self, z: Array, out: Array | None = None) -> Array:
        return np.tanh(z, out=out)

    def derivative(self, z: Array, a: Array) -> Array:
        return 1.0 - a * a

    def backprop(self, grad_a: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        out = np.multiply(a, a, out=out)
        np.subtract(self._one, out, out=out)
        out *= grad_a
        return out


class ReLU(Activation):
    """a = max(0, z), with f' = 1 where z > 0, else 0."""

    name = "relu"
    formula = "max(0, z)"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        return np.maximum(z, 0.0, out=out)

    def derivative(self, z: Array, a: Array) -> Array:
        return (z > 0).astype(z.dtype)

    def backprop(self, grad_a: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        return np.multiply(grad_a, z > 0, out=out)


class LeakyReLU(Activation):
    """a = z for z > 0, else alpha·z; keeps a small gradient where ReLU would die."""

    name = "leaky_relu"

    def __init__(self, dtype: npt.DTypeLike = np.float64, alpha: float = LEAKY_RELU_ALPHA) -> None:
        super().__init__(dtype)
        self.alpha = float(alpha)
        self.formula = f"max({self.alpha:g}·z, z)"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        # max(alpha*z, z) equals the piecewise definition because 0 < alpha < 1.
        out = np.multiply(z, self.alpha, out=out)
        np.maximum(out, z, out=out)
        return out

    def derivative(self, z: Array, a: Array) -> Array:
        return np.where(z > 0, 1.0, self.alpha).astype(z.dtype)


class Linear(Activation):
    """a = z: no squashing (regression outputs)."""

    name = "linear"
    formula = "z"

    def forward(self, z: Array, out: Array | None = None) -> Array:
        if out is None:
            return z.copy()
        np.copyto(out, z)
        return out

    def derivative(self, z: Array, a: Array) -> Array:
        return np.ones_like(z)

    def backprop(self, grad_a: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        if out is None:
            return grad_a.copy()
        np.copyto(out, grad_a)
        return out


class Softmax(Activation):
    """a_k = e^(z_k) / Σ_j e^(z_j) over a row: class probabilities (output layer only).

    The row maximum is subtracted first so exp never overflows; it does not change the
    result. Its derivative is a Jacobian, not elementwise: dL/dz = a ⊙ (g − Σ g⊙a).
    """

    name = "softmax"
    formula = "e^(z_k) / Σ e^(z_j)"
    elementwise = False
    bounds = (0.0, 1.0)

    def forward(self, z: Array, out: Array | None = None) -> Array:
        out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def derivative(self, z: Array, a: Array) -> Array:
        """The diagonal of the Jacobian, a(1 - a): what one output does to itself."""
        return a * (1.0 - a)

    def backprop(self, grad_a: Array, z: Array, a: Array, out: Array | None = None) -> Array:
        weighted = (grad_a * a).sum(axis=1, keepdims=True)
        out = np.subtract(grad_a, weighted, out=out)
        out *= a
        return out


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Linear, Softmax)
}
#: Activations a hidden layer may use (softmax only makes sense on the output).
HIDDEN_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")


def get_activation(name: str, dtype: npt.DTypeLike = np.float64) -> Activation:
    """The activation called ``name``; ValueError listing the valid names otherwise."""
    try:
        return ACTIVATIONS[name](dtype)
    except KeyError:
        valid = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r} (choose from {valid})") from None
