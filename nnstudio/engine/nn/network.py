"""A dense feedforward network built from a checked spec: its parameters and its passes.

The per-layer arithmetic and the index convention are in ``layer_passes``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, get_activation
from nnstudio.engine.nn.layer_passes import (
    Layer,
    Workspace,
    backward_layer,
    compute_loss,
    forward_layer,
    n_parameters,
    parameter_views,
)
from nnstudio.engine.nn.losses import LOSSES, Loss, get_loss

__all__ = ["SpecError", "NetworkSpec", "Network", "Trace", "Gradients", "DELTA_RULES", "MAX_NEURONS"]

Array = npt.NDArray[np.floating]

MAX_NEURONS = 4096
#: How backprop fills a hidden layer's δ: "set" (standard backprop, the seed's ``loss = dl/dw``)
#: or "accumulate" (the seed author's open question ``loss += dl/dw``; see
#: ``backward_layer_accumulating``).
DELTA_RULES = ("set", "accumulate")


class SpecError(ValueError):
    """A network shape or setting that cannot be built."""


@dataclass(frozen=True)
class NetworkSpec:
    """The shape of a network: layer sizes, one activation per non-input layer, the loss.

    ``sizes`` includes the input and the output layer: (2, 4, 1) is the seed's 2-4-1 net.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "mse"

    def __post_init__(self) -> None:
        if isinstance(self.sizes, (str, bytes)):
            raise SpecError(f"layer sizes must be a sequence of whole numbers, got {self.sizes!r}")
        for n in self.sizes:
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
                raise SpecError(f"layer sizes must be whole numbers, got {n!r}")
        object.__setattr__(self, "sizes", tuple(int(n) for n in self.sizes))
        object.__setattr__(self, "activations", tuple(self.activations))
        if len(self.sizes) < 2:
            raise SpecError("a network needs at least an input and an output layer")
        for position, n in enumerate(self.sizes):
            if not 1 <= n <= MAX_NEURONS:
                raise SpecError(f"layer {position} has {n} neurons; each layer needs 1 to {MAX_NEURONS}")
        if len(self.activations) != len(self.sizes) - 1:
            raise SpecError(
                f"{len(self.sizes) - 1} layers after the input need as many activations, "
                f"got {len(self.activations)}"
            )
        for name in self.activations[:-1]:
            if name not in HIDDEN_ACTIVATIONS:
                raise SpecError(
                    f"hidden activation {name!r} is not one of {', '.join(HIDDEN_ACTIVATIONS)}"
                )
        out_name = self.activations[-1]
        if out_name not in ACTIVATIONS:
            raise SpecError(f"output activation {out_name!r} is not one of {', '.join(ACTIVATIONS)}")
        if out_name == "softmax" and self.sizes[-1] < 2:
            raise SpecError("softmax needs at least two output neurons (use sigmoid for one)")
        if self.loss not in LOSSES:
            raise SpecError(f"unknown loss {self.loss!r} (choose from {', '.join(LOSSES)})")
        try:
            get_loss(self.loss, out_name).check_output(out_name, self.sizes[-1])
        except ValueError as exc:
            raise SpecError(str(exc)) from None

    @classmethod
    def build(
        cls,
        n_inputs: int,
        hidden: tuple[int, ...] | list[int],
        n_outputs: int,
        activation: str = "sigmoid",
        output_activation: str = "sigmoid",
        loss: str = "mse",
    ) -> NetworkSpec:
        """A spec with every hidden layer using ``activation``."""
        sizes = (n_inputs, *hidden, n_outputs)
        return cls(sizes, (activation,) * len(hidden) + (output_activation,), loss)

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + the output layer)."""
        return len(self.sizes) - 1


@dataclass(frozen=True)
class Trace:
    """What a forward pass computed, for a learner to read.

    ``sums[l]`` is z of weight layer l, (batch, fan_out); ``activations[0]`` is the input
    and ``activations[l+1] = f(sums[l])``.
    """

    sums: tuple[Array, ...]
    activations: tuple[Array, ...]

    @property
    def output(self) -> Array:
        return self.activations[-1]


@dataclass(frozen=True)
class Gradients:
    """What a backward pass computed: δ of each layer and ∂L/∂W, ∂L/∂b, plus the loss."""

    loss: float
    deltas: tuple[Array, ...]
    weights: tuple[Array, ...]
    biases: tuple[Array, ...]


class Network:
    """A dense network built from a ``NetworkSpec``.

    Parameters
    ----------
    spec
        Sizes, activations and loss.
    weights, biases
        ``weights[l]`` (sizes[l], sizes[l+1]) and ``biases[l]`` (sizes[l+1],); copied.
    dtype
        float64 by default, so a learner reads exact numbers; float32 for speed.
    """

    def __init__(self, spec: NetworkSpec, weights, biases, dtype=np.float64) -> None:
        self.spec = spec
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise SpecError(f"dtype must be float32 or float64, not {self.dtype}")
        if len(weights) != spec.n_layers or len(biases) != spec.n_layers:
            raise SpecError(f"expected {spec.n_layers} weight and bias arrays")
        #: Every parameter, W0, b0, W1, b1, ... in one array; layers hold views into it.
        self.flat = np.empty(n_parameters(spec.sizes), self.dtype)
        W_views, b_views = parameter_views(self.flat, spec.sizes)
        self.layers: list[Layer] = []
        for layer, (W, b) in enumerate(zip(weights, biases)):
            W = np.asarray(W, dtype=self.dtype)
            b = np.asarray(b, dtype=self.dtype).reshape(-1)
            if W.shape != W_views[layer].shape:
                raise SpecError(f"W{layer} has shape {W.shape}, the network needs {W_views[layer].shape}")
            if b.shape != b_views[layer].shape:
                raise SpecError(f"b{layer} has shape {b.shape}, the network needs {b_views[layer].shape}")
            np.copyto(W_views[layer], W)
            np.copyto(b_views[layer], b)
            self.layers.append(
                Layer(W_views[layer], b_views[layer], get_activation(spec.activations[layer], self.dtype))
            )
        self.loss: Loss = get_loss(spec.loss, spec.activations[-1])

    @classmethod
    def from_spec(cls, spec: NetworkSpec, seed: int = 0, dtype=np.float64) -> Network:
        """Fresh weights from ``seed``: He for (leaky) ReLU layers, Xavier for the rest.

        Both are normal with zero mean; He uses std √(2/fan_in) so ReLU's halved signal
        keeps its scale, Xavier std √(2/(fan_in+fan_out)). Biases start at zero.
        """
        rng = np.random.default_rng(seed)
        weights, biases = [], []
        for layer, name in enumerate(spec.activations):
            fan_in, fan_out = spec.sizes[layer], spec.sizes[layer + 1]
            if name in ("relu", "leaky_relu"):
                std = np.sqrt(2.0 / fan_in)
            else:
                std = np.sqrt(2.0 / (fan_in + fan_out))
            weights.append(rng.normal(0.0, std, size=(fan_in, fan_out)))
            biases.append(np.zeros(fan_out))
        return cls(spec, weights, biases, dtype)

    # -- parameters ---------------------------------------------------------------------
    @property
    def weights(self) -> list[Array]:
        return [layer.W for layer in self.layers]

    @property
    def biases(self) -> list[Array]:
        return [layer.b for layer in self.layers]

    def parameters(self) -> list[Array]:
        """W0, b0, W1, b1, ...: live views into ``flat``."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    def views(self, flat: Array) -> tuple[list[Array], list[Array]]:
        """Per-layer (weights, biases) views of any vector laid out like ``flat``."""
        return parameter_views(flat, self.spec.sizes)

    def copy(self) -> Network:
        return Network(self.spec, self.weights, self.biases, self.dtype)

    def n_parameters(self) -> int:
        return self.flat.size

    def is_finite(self) -> bool:
        return bool(np.isfinite(self.flat).all())

    # -- passes -------------------------------------------------------------------------
    def workspace(self, batch: int) -> Workspace:
        return Workspace(self.spec.sizes, batch, self.dtype)

    def _as_input(self, X) -> Array:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.spec.sizes[0]:
            raise ValueError(f"input has shape {X.shape}; the network takes (n, {self.spec.sizes[0]})")
        return X

    def run_forward(self, ws: Workspace, X: Array) -> None:
        """Forward pass into ``ws`` (no copies); ``X`` must already have the right dtype."""
        ws.set_input(X)
        for index, layer in enumerate(self.layers):
            forward_layer(layer, ws, index)

    def forward(self, X) -> Trace:
        """Feed ``X`` (batch, n_inputs) forward; return every layer's sums and activations."""
        X = self._as_input(X)
        ws = self.workspace(X.shape[0])
        self.run_forward(ws, X)
        return Trace(tuple(ws.sums), tuple([X.copy(), *ws.acts[1:]]))

    def predict(self, X) -> Array:
        """The network's outputs (batch, n_outputs)."""
        X = self._as_input(X)
        a = X
        for layer in self.layers:
            a = layer.activation.forward(a @ layer.W + layer.b)
        return a

    def backward(self, trace: Trace, Y) -> Gradients:
        """Backprop from a forward ``trace`` and targets ``Y`` (batch, n_outputs)."""
        Y = np.asarray(Y, dtype=self.dtype)
        if Y.shape != trace.output.shape:
            raise ValueError(f"targets have shape {Y.shape}; the outputs have {trace.output.shape}")
        ws = self.workspace(Y.shape[0])
        ws.acts = [a.copy() for a in trace.activations]
        ws.acts_T = [a.T for a in ws.acts]
        ws.sums = [z.copy() for z in trace.sums]
        loss = compute_loss(self.loss, ws, Y)
        for layer in reversed(range(len(self.layers))):
            backward_layer(self.layers, self.loss, ws, layer, Y)
        grad_W, grad_b = self.views(ws.grad.copy())
        return Gradients(loss, tuple(ws.deltas), tuple(grad_W), tuple(grad_b))

    def loss_value(self, X, Y) -> float:
        """The loss of the whole of ``X`` against ``Y``."""
        trace = self.forward(X)
        Y = np.asarray(Y, dtype=self.dtype)
        return self.loss.value(trace.output, Y, trace.sums[-1], trace.output - Y)
