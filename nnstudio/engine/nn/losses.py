"""Loss functions: a value and the gradient that starts backprop at the output.

Both losses are averaged over the samples of a batch. ``err`` is always
``output − target``, the negative of the seed's ``error = target − output``: the sign is
carried here so that every gradient below reads as a plain derivative.
"""

from __future__ import annotations

import abc

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.activations import Activation

__all__ = ["Loss", "MSE", "CrossEntropy", "LOSSES", "CROSS_ENTROPY_OUTPUTS", "get_loss"]

Array = npt.NDArray[np.floating]

#: The output activations whose values are probabilities, so cross-entropy can sit on them.
CROSS_ENTROPY_OUTPUTS = ("sigmoid", "softmax")


class Loss(abc.ABC):
    """A loss L(output, target), averaged over the batch.

    ``value`` returns the loss; ``output_delta`` writes δ_L = ∂L/∂z_L of the output layer,
    the quantity backprop carries down.
    """

    name: str = ""

    @abc.abstractmethod
    def value(self, a: Array, y: Array, z: Array, err: Array) -> float:
        """The loss of outputs ``a`` (sums ``z``) against targets ``y``; ``err`` is a − y."""

    @abc.abstractmethod
    def output_delta(
        self, a: Array, y: Array, z: Array, err: Array, activation: Activation, scratch: Array, out: Array
    ) -> Array:
        """δ_L into ``out`` (``scratch`` is free to use), returned."""

    def check_output(self, activation_name: str, n_outputs: int) -> None:  # noqa: B027 (optional: any output by default)
        """Raise ValueError when this loss cannot sit on that output layer."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSE(Loss):
    """The seed's loss: Σ error² / number of outputs, averaged over the batch.

    That is the mean of the squared errors over all batch×outputs entries, the same number
    as PyTorch's ``MSELoss(reduction="mean")``. Its gradient with respect to the output is
    2·(output − target) / (batch·outputs); the activation's derivative then gives δ_L.
    """

    name = "mse"

    def value(self, a: Array, y: Array, z: Array, err: Array) -> float:
        return float(np.vdot(err, err)) / err.size

    def output_delta(self, a, y, z, err, activation, scratch, out):
        np.multiply(err, 2.0 / err.size, out=scratch)
        return activation.backprop(scratch, z, a, out=out)


class CrossEntropy(Loss):
    """Cross-entropy for probabilistic outputs.

    With a softmax output: −Σ_k y_k log a_k per sample. With sigmoid outputs: the binary
    cross-entropy of each output, averaged over the outputs. Both are averaged over the
    batch. The value is computed from the sums z (log-softmax, and softplus for sigmoid)
    rather than from log(a), so a saturated neuron gives a large finite loss instead of
    log(0). The gradient with respect to z is simply (a − y) / batch (divided also by the
    number of outputs for sigmoid), which is why this pairing learns fast.
    """

    name = "cross_entropy"

    def __init__(self, softmax: bool = False) -> None:
        self.softmax = softmax

    def check_output(self, activation_name: str, n_outputs: int) -> None:
        if activation_name not in CROSS_ENTROPY_OUTPUTS:
            raise ValueError(
                f"cross_entropy needs a sigmoid or softmax output layer, not {activation_name!r}"
            )

    def value(self, a: Array, y: Array, z: Array, err: Array) -> float:
        if self.softmax:
            shifted = z - z.max(axis=1, keepdims=True)
            log_prob = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            return float(-np.vdot(y, log_prob)) / z.shape[0]
        # softplus form of −[y log σ(z) + (1−y) log(1−σ(z))]
        per_entry = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return float(per_entry.sum()) / z.size

    def output_delta(self, a, y, z, err, activation, scratch, out):
        scale = 1.0 / z.shape[0] if self.softmax else 1.0 / z.size
        return np.multiply(err, scale, out=out)

    def __repr__(self) -> str:
        return f"CrossEntropy(softmax={self.softmax})"


LOSSES: dict[str, type[Loss]] = {"mse": MSE, "cross_entropy": CrossEntropy}


def get_loss(name: str, output_activation: str = "sigmoid") -> Loss:
    """The loss called ``name`` for an output layer using ``output_activation``."""
    if name == "mse":
        return MSE()
    if name == "cross_entropy":
        return CrossEntropy(softmax=output_activation == "softmax")
    valid = ", ".join(LOSSES)
    raise ValueError(f"unknown loss {name!r} (choose from {valid})")
