"""Check backprop against finite differences, layer by layer.

For each weight layer, ∂L/∂W and ∂L/∂b from ``Network.backward`` are compared with
central differences (L(θ+h) − L(θ−h)) / 2h of the loss on the same batch. The relative
error ‖g_backprop − g_numeric‖ / (‖g_backprop‖ + ‖g_numeric‖) is around 1e-9 in float64
when backprop is right, and of order 1 when it is wrong. Big layers are checked on a
seeded sample of their parameters, which keeps the check quick for any network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.network import Network

__all__ = ["LayerCheck", "check_gradients"]

Array = npt.NDArray[np.floating]


@dataclass(frozen=True)
class LayerCheck:
    """The result for one weight layer."""

    layer: int
    relative_error: float
    checked: int  # parameters compared
    total: int  # parameters in the layer


def check_gradients(network: Network, X, Y, *, step: float = 1e-6, max_per_layer: int = 200,
                    seed: int = 0) -> list[LayerCheck]:
    """Compare backprop's gradients with central differences on the batch (X, Y).

    Parameters
    ----------
    network
        Left unchanged (a float64 copy is probed).
    X, Y
        Inputs (batch, n_inputs) and targets (batch, n_outputs), as the trainer sees them.
    step
        The finite-difference step h.
    max_per_layer
        At most this many parameters of a layer are probed (a seeded sample).
    """
    net = Network(network.spec, network.weights, network.biases, np.float64)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    grads = net.backward(net.forward(X), Y)
    rng = np.random.default_rng(seed)
    results = []
    for layer_index, layer in enumerate(net.layers):
        params = [(layer.W, grads.weights[layer_index]), (layer.b, grads.biases[layer_index])]
        total = sum(p.size for p, _ in params)
        # Flat positions over W then b, sampled once so W and b share the budget fairly.
        positions = (
            np.arange(total) if total <= max_per_layer else np.sort(rng.choice(total, max_per_layer, replace=False))
        )
        analytic, numeric = [], []
        for pos in positions:
            array, grad = params[0] if pos < layer.W.size else params[1]
            flat_index = pos if pos < layer.W.size else pos - layer.W.size
            index = np.unravel_index(flat_index, array.shape)
            keep = array[index]
            array[index] = keep + step
            up = net.loss_value(X, Y)
            array[index] = keep - step
            down = net.loss_value(X, Y)
            array[index] = keep
            numeric.append((up - down) / (2 * step))
            analytic.append(grad[index])
        analytic, numeric = np.array(analytic), np.array(numeric)
        scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
        error = float(np.linalg.norm(analytic - numeric) / scale) if scale > 0 else 0.0
        results.append(LayerCheck(layer_index, error, len(positions), total))
    return results
