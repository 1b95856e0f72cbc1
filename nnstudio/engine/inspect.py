"""One neuron's numbers, in the seed's own terms, for one sample of one cycle.

``SampleTrace`` is what a cycle did to one sample: its activations and sums going
forward, its deltas coming back, and the weights as they were before the update.
``neuron_report`` picks one neuron out of it and works out every term a learner reads in
the inspector: the weighted sum, the activation, the error and the loss at the output,
the delta by the chain rule, and each incoming weight's step −lr·δ·a.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .activations import get_activation

__all__ = ["SampleTrace", "NeuronReport", "neuron_report"]

Array = npt.NDArray[np.floating]


@dataclass(frozen=True, eq=False)
class SampleTrace:
    """One sample (row ``row`` of the batch) through one cycle.

    ``activations[0]`` is the (normalised) input and ``activations[l+1] = f(sums[l])``;
    ``deltas[l]`` is δ of weight layer l for this sample (None until backprop has run);
    ``weights``/``biases`` are those the cycle used, before its update; ``weight_updates``
    is the whole batch's update to W (None until the update has run).
    """

    row: int
    batch_size: int
    activation_names: tuple[str, ...]
    loss_name: str
    activations: tuple[Array, ...]
    sums: tuple[Array, ...]
    weights: tuple[Array, ...]
    biases: tuple[Array, ...]
    target: Array | None
    loss: float | None
    deltas: tuple[Array, ...] | None
    weight_updates: tuple[Array, ...] | None
    learning_rate: float
    momentum: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    noise_std: float = 0.0


@dataclass(frozen=True, eq=False)
class NeuronReport:
    """Every number behind one neuron's part in one cycle (for one sample).

    ``layer`` counts layers with the input as 0, so the neuron's incoming weights are
    column ``index`` of ``W[layer − 1]``.
    """

    layer: int
    index: int
    activation: str
    is_output: bool
    inputs: Array
    weights: Array
    bias: float
    weighted_sum: float
    output: float
    derivative: float | None
    target: float | None = None
    error: float | None = None
    loss: float | None = None
    upper_deltas: Array | None = None
    upper_weights: Array | None = None
    back_sum: float | None = None
    delta: float | None = None
    gradient_step: Array | None = None
    applied_update: Array | None = None
    learning_rate: float = 0.0
    momentum: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    noise_std: float = 0.0
    batch_size: int = 1


def neuron_report(trace: SampleTrace, layer: int, index: int) -> NeuronReport:
    """The numbers of neuron ``index`` of ``layer`` (1 = first hidden layer) for ``trace``.

    Raises
    ------
    ValueError
        For the input layer (it computes nothing) or an index out of range.
    """
    n_layers = len(trace.weights)
    if not 1 <= layer <= n_layers:
        raise ValueError(f"layer {layer} has no incoming weights; pick a layer from 1 to {n_layers}")
    l = layer - 1  # weight layer feeding this neuron
    W = trace.weights[l]
    if not 0 <= index < W.shape[1]:
        raise ValueError(f"layer {layer} has {W.shape[1]} neurons, not {index + 1}")
    name = trace.activation_names[l]
    z = float(trace.sums[l][index])
    a = float(trace.activations[layer][index])
    derivative = None
    if name != "softmax":
        derivative = float(get_activation(name).derivative(np.array([z]), np.array([a]))[0])
    is_output = layer == n_layers
    fields: dict = {}
    if is_output and trace.target is not None:
        target = float(trace.target[index])
        fields.update(target=target, error=target - a, loss=trace.loss)
    if trace.deltas is not None:
        fields["delta"] = float(trace.deltas[l][index])
        if not is_output:
            upper_deltas = np.array(trace.deltas[l + 1], copy=True)
            upper_weights = np.array(trace.weights[l + 1][index, :], copy=True)
            fields.update(upper_deltas=upper_deltas, upper_weights=upper_weights,
                          back_sum=float(upper_deltas @ upper_weights))
        fields["gradient_step"] = -trace.learning_rate * fields["delta"] * np.asarray(trace.activations[l], dtype=float)
    if trace.weight_updates is not None:
        fields["applied_update"] = np.array(trace.weight_updates[l][:, index], copy=True)
    return NeuronReport(
        layer=layer, index=index, activation=name, is_output=is_output,
        inputs=np.array(trace.activations[l], copy=True), weights=np.array(W[:, index], copy=True),
        bias=float(trace.biases[l][index]), weighted_sum=z, output=a, derivative=derivative,
        learning_rate=trace.learning_rate, momentum=trace.momentum, l1=trace.l1, l2=trace.l2,
        noise_std=trace.noise_std, batch_size=trace.batch_size, **fields,
    )
