"""The numbers of one phase of a cycle, as a learner stepping by phases sees them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.layer_passes import Workspace
from nnstudio.engine.nn.network import Network
from nnstudio.engine.nn.optim import SGD
from nnstudio.engine.nn.trainer_state import read_only_copy

__all__ = ["PHASE_KINDS", "PhaseRecord", "phase_record", "cycle_phase_order"]

Array = npt.NDArray[np.floating]

#: The kinds of phase of a cycle, in order (forward and backward once per weight layer).
PHASE_KINDS = ("forward", "loss", "backward", "update")


def cycle_phase_order(n_layers: int) -> tuple[tuple[str, int | None], ...]:
    """Every (kind, layer) of one cycle in the order ``Trainer.step_phase`` does them."""
    return (*(("forward", index) for index in range(n_layers)), ("loss", None),
            *(("backward", index) for index in reversed(range(n_layers))), ("update", None))


@dataclass(frozen=True)
class PhaseRecord:
    """The numbers of one phase of a cycle, as the seed names them (read-only copies).

    ``kind`` is one of ``PHASE_KINDS``; ``layer`` is the weight layer for forward and
    backward phases (0 = input → first hidden), None otherwise. ``values``:

    - forward: ``input`` a[l], ``weights`` W[l], ``bias`` b[l], ``sum`` z, ``activation`` a[l+1]
    - loss: ``output``, ``target``, ``error`` (target − output), ``loss``
    - backward: ``delta`` δ[l], ``derivative`` f'(z[l]), ``grad_weights`` ∂L/∂W[l],
      ``grad_bias`` ∂L/∂b[l]
    - update: ``weight_updates``/``bias_updates`` (new − old, per layer), ``weights``,
      ``biases`` after the update, ``learning_rate``, ``noise_std``
    """

    cycle: int
    kind: str
    layer: int | None
    values: Mapping[str, Any]


def phase_record(cycle: int, kind: str, layer: int | None, network: Network, ws: Workspace, targets: Array,
                 optimizer: SGD) -> PhaseRecord:
    """The record of phase (``kind``, ``layer``) of cycle ``cycle``, just done in workspace ``ws``."""
    values: dict[str, Any]
    if kind == "forward":
        lay = network.layers[layer]
        values = {
            "input": ws.acts[layer], "weights": lay.W, "bias": lay.b,
            "sum": ws.sums[layer], "activation": ws.acts[layer + 1],
        }
    elif kind == "loss":
        values = {"output": ws.acts[-1], "target": targets, "error": -ws.err, "loss": ws.loss}
    elif kind == "backward":
        lay = network.layers[layer]
        values = {
            "delta": ws.deltas[layer],
            "derivative": lay.activation.derivative(ws.sums[layer], ws.acts[layer + 1]),
            "grad_weights": ws.grad_W[layer], "grad_bias": ws.grad_b[layer],
        }
    else:
        weight_updates, bias_updates = network.views(optimizer.updates)
        values = {
            "weight_updates": tuple(read_only_copy(u) for u in weight_updates),
            "bias_updates": tuple(read_only_copy(u) for u in bias_updates),
            "weights": tuple(read_only_copy(W) for W in network.weights),
            "biases": tuple(read_only_copy(b) for b in network.biases),
            "learning_rate": optimizer.hyper.learning_rate,
            "noise_std": optimizer.last_noise_std,
        }
    frozen = {k: read_only_copy(v) if isinstance(v, np.ndarray) else v for k, v in values.items()}
    return PhaseRecord(cycle, kind, layer, MappingProxyType(frozen))
