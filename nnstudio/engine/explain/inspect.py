"""One neuron's numbers, in the seed's own terms, for one sample of one cycle.

``SampleTrace`` is what a cycle did to one sample: its activations and sums going
forward, its deltas coming back, and the weights as they were before the update.
``neuron_report`` picks one neuron out of it and works out every term a learner reads in
the inspector: the weighted sum, the activation, the error and the loss at the output,
the delta by the chain rule, and each incoming weight's step −lr·δ·a. A cycle stepped by
phases has computed only part of this; what it has not computed yet is None in the
report, never a zero that could be read as a result.

A regression network with a linear output learns standardised targets (the snapshot's
``target_scaling``, ``experiment.TargetScaling``): its output, target and error are on that
scale, and the report gives each in the data's own units beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.activations import get_activation

__all__ = ["SampleTrace", "NeuronReport", "neuron_report", "sample_loss", "DELTA_RULES"]

Array = npt.NDArray[np.floating]

#: How δ of a neuron follows from the chain rule (``NeuronReport.delta_rule``):
#: ``"mse"``: output, δ = ∂L/∂y · f′(z) with ∂L/∂y = 2·(y − t)/(batch·outputs);
#: ``"mse_softmax"``: softmax output under MSE, δ = y·(∂L/∂y − Σ_j ∂L/∂y_j · y_j);
#: ``"cross_entropy"``: softmax or sigmoid output, δ = (y − t)/batch (also /outputs for sigmoid);
#: ``"hidden"``: δ = (Σ_k δ_k·w_k) · f′(z) over the next layer's neurons k.
DELTA_RULES = ("mse", "mse_softmax", "cross_entropy", "hidden")


@dataclass(frozen=True, eq=False)
class SampleTrace:
    """One sample (row ``row`` of the batch) through one cycle.

    ``activations[0]`` is the (normalised) input and ``activations[l+1] = f(sums[l])`` for
    the weight layers l < ``forward_layers`` (None: all of them); the layers beyond are
    zeros, not computed yet in this cycle. ``deltas`` is None until backprop starts, then
    holds δ of each weight layer for this sample, None for a layer backprop has not reached
    yet. ``target`` and ``loss`` (the batch's) are None until the loss is computed;
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
    deltas: tuple[Array | None, ...] | None
    weight_updates: tuple[Array, ...] | None
    learning_rate: float
    momentum: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    noise_std: float = 0.0
    forward_layers: int | None = None

    def layers_fed_forward(self) -> int:
        """How many weight layers the forward pass has computed in this cycle."""
        return len(self.weights) if self.forward_layers is None else self.forward_layers

    def delta_of(self, weight_layer: int) -> Array | None:
        """δ of ``weight_layer`` for this sample, or None before backprop reaches it."""
        if self.deltas is None:
            return None
        return self.deltas[weight_layer]


@dataclass(frozen=True, eq=False)
class NeuronReport:
    """Every number behind one neuron's part in one cycle (for one sample).

    ``layer`` counts layers with the input as 0, so the neuron's incoming weights are
    column ``index`` of ``W[layer − 1]``; ``index`` counts from 0 (people read index + 1).
    ``computed`` is False while the cycle's forward pass has not reached the layer: the
    sum, the activation and all that follows are then None. ``inputs`` is None when the
    layer feeding this one is not computed either.

    At the output, once the loss is computed: ``target``, ``error`` = target − output,
    ``sample_loss`` (this sample's own loss) and ``loss`` (the batch's mean). Once
    backprop has reached the neuron: ``delta`` and its chain-rule terms, chosen by
    ``delta_rule`` (see ``DELTA_RULES``): ``loss_gradient`` = ∂L/∂y and, for a softmax
    output under MSE, ``softmax_pull`` = Σ_j ∂L/∂y_j · y_j; for a hidden neuron
    ``upper_deltas``, ``upper_weights`` and their ``back_sum``. ``gradient_step`` is
    this sample's −lr·δ·a for each incoming weight and ``bias_step`` its −lr·δ;
    ``applied_update`` is what the update did to those weights (the whole batch).

    ``target_scaling`` (mean, std) is set at the output of a network that learns
    standardised targets, with ``target_name`` the target's column: ``output_in_units``
    and ``target_in_units`` are then ``value × std + mean`` and ``error_in_units`` is
    ``error × std``, in the data's units (None where the scaled value is).
    """

    layer: int
    index: int
    activation: str
    is_output: bool
    computed: bool
    inputs: Array | None
    weights: Array
    bias: float
    weighted_sum: float | None
    output: float | None
    derivative: float | None
    loss_name: str = "mse"
    n_outputs: int = 1
    delta_rule: str = "hidden"
    target: float | None = None
    error: float | None = None
    sample_loss: float | None = None
    loss: float | None = None
    loss_gradient: float | None = None
    softmax_pull: float | None = None
    upper_deltas: Array | None = None
    upper_weights: Array | None = None
    back_sum: float | None = None
    delta: float | None = None
    gradient_step: Array | None = None
    bias_step: float | None = None
    applied_update: Array | None = None
    learning_rate: float = 0.0
    momentum: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    noise_std: float = 0.0
    batch_size: int = 1
    target_scaling: tuple[float, float] | None = None
    target_name: str = ""
    output_in_units: float | None = None
    target_in_units: float | None = None
    error_in_units: float | None = None


def sample_loss(loss_name: str, output_activation: str, outputs: Array, target: Array, sums: Array) -> float:
    """One sample's own loss, as the batch loss averages it.

    MSE: Σ (t − y)² / outputs. Cross-entropy: −Σ t·log y for softmax (from the sums, so a
    saturated output gives a large finite number), the mean binary cross-entropy of the
    outputs for sigmoid.
    """
    outputs, target, sums = (np.asarray(v, dtype=float) for v in (outputs, target, sums))
    if loss_name == "mse":
        error = target - outputs
        return float(error @ error) / error.size
    if output_activation == "softmax":
        shifted = sums - sums.max()
        return float(-(target @ (shifted - np.log(np.exp(shifted).sum()))))
    per_output = np.maximum(sums, 0.0) - sums * target + np.log1p(np.exp(-np.abs(sums)))
    return float(per_output.mean())


def _delta_rule(loss_name: str, activation: str, is_output: bool) -> str:
    if not is_output:
        return "hidden"
    if loss_name == "cross_entropy":
        return "cross_entropy"
    return "mse_softmax" if activation == "softmax" else "mse"


def neuron_report(trace: SampleTrace, layer: int, index: int, target_scaling: tuple[float, float] | None = None,
                  target_name: str = "") -> NeuronReport:
    """The numbers of neuron ``index`` of ``layer`` (1 = first hidden layer) for ``trace``.

    ``target_scaling`` is the snapshot's (mean, std) of standardised regression targets, or
    None; ``target_name`` names the target. They matter at the output only.

    Raises
    ------
    ValueError
        For the input layer (it computes nothing) or an index out of range.
    """
    n_layers = len(trace.weights)
    if not 1 <= layer <= n_layers:
        raise ValueError(f"layer {layer} has no incoming weights; pick a layer from 1 to {n_layers}")
    weight_layer = layer - 1  # the input layer has no weights, so they count from layer 1
    W = trace.weights[weight_layer]
    if not 0 <= index < W.shape[1]:
        raise ValueError(f"layer {layer} has {W.shape[1]} neurons, not {index + 1}")
    name = trace.activation_names[weight_layer]
    is_output = layer == n_layers
    fed = trace.layers_fed_forward()
    computed = layer <= fed
    n_outputs = int(trace.weights[-1].shape[1])
    common = dict(
        layer=layer, index=index, activation=name, is_output=is_output, computed=computed,
        inputs=np.array(trace.activations[weight_layer], copy=True) if weight_layer <= fed else None,
        weights=np.array(W[:, index], copy=True), bias=float(trace.biases[weight_layer][index]),
        loss_name=trace.loss_name, n_outputs=n_outputs, delta_rule=_delta_rule(trace.loss_name, name, is_output),
        learning_rate=trace.learning_rate, momentum=trace.momentum, l1=trace.l1, l2=trace.l2,
        noise_std=trace.noise_std, batch_size=trace.batch_size,
    )
    if is_output and target_scaling is not None:
        common.update(target_scaling=(float(target_scaling[0]), float(target_scaling[1])), target_name=target_name)
    if not computed:
        return NeuronReport(weighted_sum=None, output=None, derivative=None, **common)
    z = float(trace.sums[weight_layer][index])
    a = float(trace.activations[layer][index])
    fields: dict = {}
    if name != "softmax":
        fields["derivative"] = float(get_activation(name).derivative(np.array([z]), np.array([a]))[0])
    if is_output and trace.target is not None:
        outputs, target = np.asarray(trace.activations[-1], dtype=float), np.asarray(trace.target, dtype=float)
        t = float(target[index])
        fields.update(target=t, error=t - a, loss=trace.loss,
                      sample_loss=sample_loss(trace.loss_name, name, outputs, target, trace.sums[-1]))
        if trace.loss_name == "mse":
            gradients = 2.0 * (outputs - target) / (trace.batch_size * n_outputs)
            fields["loss_gradient"] = float(gradients[index])
            if name == "softmax":
                fields["softmax_pull"] = float(gradients @ outputs)
    delta = trace.delta_of(weight_layer)
    if delta is not None:
        fields["delta"] = d = float(delta[index])
        if not is_output:
            upper_deltas = np.array(trace.delta_of(weight_layer + 1), copy=True)
            upper_weights = np.array(trace.weights[weight_layer + 1][index, :], copy=True)
            fields.update(upper_deltas=upper_deltas, upper_weights=upper_weights,
                          back_sum=float(upper_deltas @ upper_weights))
        fields["gradient_step"] = -trace.learning_rate * d * np.asarray(trace.activations[weight_layer], dtype=float)
        fields["bias_step"] = -trace.learning_rate * d
    if trace.weight_updates is not None:
        fields["applied_update"] = np.array(trace.weight_updates[weight_layer][:, index], copy=True)
    fields.setdefault("derivative", None)
    scaling = common.get("target_scaling")
    if scaling is not None:
        mean, std = scaling
        fields["output_in_units"] = a * std + mean
        if "target" in fields:
            fields.update(target_in_units=fields["target"] * std + mean, error_in_units=fields["error"] * std)
    return NeuronReport(weighted_sum=z, output=a, **common, **fields)
