"""The per-layer arithmetic of one cycle on preallocated arrays: forward, loss, backward.

Index convention (differs from some textbooks, so stated once): weight layer ``l`` maps
activations ``a[l]`` to sums ``z[l] = a[l] @ W[l] + b[l]`` and outputs ``a[l+1] = f(z[l])``.
``a[0]`` is the input batch. ``W[l]`` has shape (fan_in, fan_out), so a row is one input
neuron's outgoing weights, as the weights files store it.

``Workspace`` holds every intermediate array of one batch size. The trainer keeps one per
batch size and reuses it, which is what makes a tiny network's cycle fast; ``Network.forward``
and ``Network.backward`` use a fresh one and return copies for a learner to read. Both run
the same per-layer functions below, so they give the same numbers bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.activations import Activation
from nnstudio.engine.nn.losses import Loss

__all__ = [
    "Layer",
    "Workspace",
    "forward_layer",
    "backward_layer",
    "backward_layer_accumulating",
    "compute_loss",
    "parameter_views",
    "n_parameters",
]

Array = npt.NDArray[np.floating]


def n_parameters(sizes: tuple[int, ...]) -> int:
    return sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))


def parameter_views(flat: Array, sizes: tuple[int, ...]) -> tuple[list[Array], list[Array]]:
    """Views W[l] (fan_in, fan_out) and b[l] (fan_out,) into one flat parameter vector.

    Every parameter (and every gradient) lives in one contiguous array, laid out
    W0, b0, W1, b1, ...: the optimiser then updates the whole network in two numpy calls
    instead of two per array, which matters for a tiny network's cycle.
    """
    weights, biases, start = [], [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        stop = start + fan_in * fan_out
        weights.append(flat[start:stop].reshape(fan_in, fan_out))
        biases.append(flat[stop : stop + fan_out])
        start = stop + fan_out
    return weights, biases


class Layer:
    """One weight layer: W (fan_in, fan_out), b (fan_out,), and its activation."""

    __slots__ = ("W", "b", "activation", "W_T")

    def __init__(self, W: Array, b: Array, activation: Activation) -> None:
        self.W = W
        self.b = b
        self.activation = activation
        self.W_T = W.T  # a view made once: backprop needs it every cycle


@dataclass
class Workspace:
    """Preallocated arrays for one batch size (see the module docstring)."""

    sizes: tuple[int, ...]
    batch: int
    dtype: np.dtype
    acts: list = field(init=False)
    acts_T: list = field(init=False)
    sums: list = field(init=False)
    deltas: list = field(init=False)
    grad_acts: list = field(init=False)
    grad_W: list = field(init=False)
    grad_b: list = field(init=False)
    grad: Array = field(init=False)
    err: Array = field(init=False)
    #: The targets of the batch last set as input (the trainer sets both).
    targets: Array | None = None
    ones: Array = field(init=False)
    loss: float = float("nan")

    def __post_init__(self) -> None:
        batch, dt, sizes = self.batch, self.dtype, self.sizes
        outs = sizes[1:]
        self.acts = [np.empty((batch, sizes[0]), dt)] + [np.empty((batch, n), dt) for n in outs]
        self.acts_T = [a.T for a in self.acts]  # transposed views for ∂L/∂W = aᵀδ, made once
        self.sums = [np.empty((batch, n), dt) for n in outs]
        self.deltas = [np.empty((batch, n), dt) for n in outs]
        self.grad_acts = [np.empty((batch, n), dt) for n in outs]
        self.grad = np.empty(n_parameters(sizes), dt)
        self.grad_W, self.grad_b = parameter_views(self.grad, sizes)
        self.err = np.empty((batch, sizes[-1]), dt)
        self.ones = np.ones(batch, dt)

    def set_input(self, X: Array, X_T: Array | None = None) -> None:
        """Make ``X`` the input batch a[0] (by reference; ``X_T`` is its cached transpose)."""
        self.acts[0] = X
        self.acts_T[0] = X.T if X_T is None else X_T


def forward_layer(layer: Layer, ws: Workspace, index: int) -> None:
    """z[l] = a[l] @ W[l] + b[l]; a[l+1] = f(z[l]), into the workspace."""
    z = ws.sums[index]
    np.matmul(ws.acts[index], layer.W, out=z)
    z += layer.b
    layer.activation.forward(z, out=ws.acts[index + 1])


def compute_loss(loss: Loss, ws: Workspace, targets: Array) -> float:
    """err = output − target, and the loss value."""
    output = ws.acts[-1]
    np.subtract(output, targets, out=ws.err)
    ws.loss = loss.value(output, targets, ws.sums[-1], ws.err)
    return ws.loss


def backward_layer(layers: list[Layer], loss: Loss, ws: Workspace, index: int, targets: Array) -> None:
    """δ[l], then ∂L/∂W[l] = a[l]ᵀ δ[l] and ∂L/∂b[l] = Σ_batch δ[l].

    At the output δ comes from the loss; below it, δ[l] = (δ[l+1] W[l+1]ᵀ) ⊙ f'(z[l]): the
    chain rule carrying the upper layer's delta down through the weights.
    """
    layer = layers[index]
    delta = ws.deltas[index]
    if index == len(layers) - 1:
        loss.output_delta(
            ws.acts[index + 1], targets, ws.sums[index], ws.err, layer.activation, ws.grad_acts[index], delta
        )
    else:
        np.matmul(ws.deltas[index + 1], layers[index + 1].W_T, out=ws.grad_acts[index])
        layer.activation.backprop(ws.grad_acts[index], ws.sums[index], ws.acts[index + 1], out=delta)
    np.matmul(ws.acts_T[index], delta, out=ws.grad_W[index])
    # ones @ delta sums over the batch in one call, cheaper than delta.sum(axis=0).
    np.matmul(ws.ones, delta, out=ws.grad_b[index])


def backward_layer_accumulating(layers: list[Layer], loss: Loss, ws: Workspace, index: int, targets: Array,
                                kept: list[Array]) -> None:
    """``backward_layer`` under the "accumulate" rule, the seed author's ``loss += dl/dw``.

    A hidden layer's δ is not replaced each cycle: the error the chain rule brings down is
    added to the error the layer kept from the cycles before,
    δ[l](t) = kept[l] / batch + (δ[l+1] W[l+1]ᵀ) ⊙ f'(z[l]), and the layer then keeps
    kept[l] ← Σ_batch δ[l](t) (= ∂L/∂b[l]). For one sample a cycle that is exactly
    δ[l](t) = δ[l](t−1) + (δ[l+1] W[l+1]ᵀ) ⊙ f'(z[l]); a batch shares what was kept evenly
    among its rows, so the batch's total carries over whatever the batch size. The output
    layer's δ still comes from this cycle's error alone, and the summed δ is what the
    weight gradients and the layer below see. ``kept[l]`` (fan_out,) starts at zeros; the
    output layer's entry is unused.
    """
    if index == len(layers) - 1:
        backward_layer(layers, loss, ws, index, targets)
        return
    delta = ws.deltas[index]
    np.matmul(ws.deltas[index + 1], layers[index + 1].W_T, out=ws.grad_acts[index])
    layers[index].activation.backprop(ws.grad_acts[index], ws.sums[index], ws.acts[index + 1], out=delta)
    delta += kept[index] / len(delta)
    np.matmul(ws.acts_T[index], delta, out=ws.grad_W[index])
    np.matmul(ws.ones, delta, out=ws.grad_b[index])
    np.copyto(kept[index], ws.grad_b[index])
