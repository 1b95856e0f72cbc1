"""What a layer has learned: the input plane seen through two neurons of one layer.

After ConvNetJS's hidden-representation demo. A square grid of straight lines over the
2-D input plane, and the data points, are fed forward to a chosen layer; each point's
activations of two chosen neurons (i, j) place it in that layer's plane. Training bends
and stretches the grid until the classes can be cut apart by a straight line, which is
all the next layer can do.

Layers count as the window does: 1 is the first hidden layer, L (the number of weight
layers) the output layer. Neuron indices count from 0 here; messages name neurons as
people count them, from 1. A layer with one neuron may be viewed with i == j (the points
then lie on the diagonal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.network import Network

__all__ = ["LayerViewData", "LayerViewInputs", "grid_lines", "layer_view", "check_choice",
           "GRID_LINES", "GRID_POINTS"]

Array = npt.NDArray[np.floating]

#: Lines each way across the plane, and points along each line.
GRID_LINES = 15
GRID_POINTS = 40


@dataclass(frozen=True, eq=False)
class LayerViewData:
    """The plane mapped through neurons (i, j) of ``layer`` (read-only arrays).

    Attributes
    ----------
    grid
        The grid lines, each (GRID_POINTS, 2) of (a_i, a_j): first the horizontal lines
        (constant y, from y_min up), then the vertical ones (constant x, from x_min).
    points
        The data points (n, 2), mapped the same way, in the dataset's row order.
    labels
        Their class ids (n,), or None (regression).
    layer, i, j
        What is shown.
    """

    grid: tuple[Array, ...]
    points: Array
    labels: np.ndarray | None
    layer: int
    i: int
    j: int


def grid_lines(bounds, n_lines: int = GRID_LINES, n_points: int = GRID_POINTS) -> tuple[Array, ...]:
    """``n_lines`` horizontal then ``n_lines`` vertical lines across ``bounds`` (x_min, x_max, y_min, y_max)."""
    xmin, xmax, ymin, ymax = (float(v) for v in bounds)
    xs, ys = np.linspace(xmin, xmax, n_points), np.linspace(ymin, ymax, n_points)
    lines = [np.column_stack([xs, np.full(n_points, y)]) for y in np.linspace(ymin, ymax, n_lines)]
    lines += [np.column_stack([np.full(n_points, x), ys]) for x in np.linspace(xmin, xmax, n_lines)]
    return tuple(lines)


def check_choice(network: Network, layer: int, i: int, j: int) -> tuple[int, int, int]:
    """(layer, i, j) as ints; ValueError unless the network has that layer and those neurons."""
    for name, value in (("layer", layer), ("neuron i", i), ("neuron j", j)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"layer view {name} must be a whole number, got {value!r}")
    n_layers = network.spec.n_layers
    if not 1 <= layer <= n_layers:
        raise ValueError(f"layer view: pick a layer from 1 to {n_layers}, not {layer}")
    size = network.spec.sizes[layer]
    for value in (i, j):
        if not 0 <= value < size:
            raise ValueError(f"layer view: layer {layer} has {size} neuron{'s' * (size != 1)}, "
                             f"no neuron {value + 1}")
    return int(layer), int(i), int(j)


def _as_function(to_inputs) -> Callable[[Array], Array]:
    apply = getattr(to_inputs, "apply", None)  # a Normalizer
    return apply if apply is not None else to_inputs


class LayerViewInputs:
    """The grid and the points as network inputs, made once for many views.

    Parameters
    ----------
    to_inputs
        A ``Normalizer`` or a function from raw plane points (n, 2) to network inputs
        (the session's adds its extra input features, then normalises).
    bounds
        (x_min, x_max, y_min, y_max) of the plane.
    points
        Raw data points (n, 2); ``labels`` their class ids (n,) or None.
    """

    def __init__(self, to_inputs, bounds, points, labels=None, n_lines: int = GRID_LINES,
                 n_points: int = GRID_POINTS) -> None:
        to_inputs = _as_function(to_inputs)
        lines = grid_lines(bounds, n_lines, n_points)
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        self.line_length = n_points
        self.n_lines = len(lines)
        # One forward pass for grid and points together.
        self.inputs = np.asarray(to_inputs(np.concatenate([*lines, points])))
        self.n_grid = self.n_lines * n_points
        labels = None if labels is None else np.array(labels, copy=True).reshape(-1)
        if labels is not None:
            if len(labels) != len(points):
                raise ValueError(f"{len(labels)} labels for {len(points)} points")
            labels.setflags(write=False)
        self.labels = labels

    def view(self, network: Network, layer: int, i: int, j: int) -> LayerViewData:
        """The grid and the points mapped to (a_i, a_j) of ``layer`` (1..L) of ``network``."""
        layer, i, j = check_choice(network, layer, i, j)
        mapped = network.forward(self.inputs).activations[layer][:, (i, j)]
        mapped.setflags(write=False)
        grid = tuple(mapped[k * self.line_length:(k + 1) * self.line_length] for k in range(self.n_lines))
        return LayerViewData(grid, mapped[self.n_grid:], self.labels, layer, i, j)


def layer_view(network: Network, to_inputs, bounds, layer: int, i: int, j: int, points,
               labels=None) -> LayerViewData:
    """The input plane's grid lines and ``points`` mapped to neurons (i, j) of ``layer``.

    See ``LayerViewInputs`` for ``to_inputs``, ``bounds``, ``points`` and ``labels``.
    """
    return LayerViewInputs(to_inputs, bounds, points, labels).view(network, layer, i, j)
