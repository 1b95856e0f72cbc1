"""The network's values onto the diagram's items: line pens, neuron fills and texts, map images.

Colour convention: the window's one diverging scale (:mod:`nnstudio.ui.plotting.colormaps`),
orange below the centre, white at it, blue above it, the same in the data plot and
the heatmaps, so a colour means one thing everywhere on screen.

* Weights: line colour is the sign (orange negative, blue positive); line width
  is ``6 px * |w| / max|w|`` over the whole network, clamped to 0.5..6 px;
  weak lines are also fainter so big networks stay readable.
* Activations and neuron maps: centred on the activation's midpoint, over its
  range (:func:`~nnstudio.ui.plotting.colormaps.activation_levels`): a sigmoid's 0..1 runs
  orange-white-blue with white at 0.5, so its map shows where the neuron says
  "class 0" and "class 1"; tanh's -1..1 centres on 0; the input layer and ReLU,
  leaky ReLU and linear layers centre on 0 over ``max(1, max |value|)`` of the
  neuron values and maps of that column.
* Deltas δ (backward phases): centred on 0 over ``max |δ|`` of the layer's batch,
  as in the δ heatmap.
* Not computed yet (a layer the current phase has not reached): hatched grey,
  no number.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF
from PySide6.QtGui import QColor, QImage, QPen, QPixmap

from nnstudio.ui.network.canvas_state import CAPTIONS, column_levels, map_levels
from nnstudio.ui.network.column_items import CaptionItem
from nnstudio.ui.network.connection_items import ConnectionItem
from nnstudio.ui.network.connection_layer import WeightImageItem
from nnstudio.ui.network.diagram_text import neuron_tooltip, weight_tooltip
from nnstudio.ui.network.item_look import NAN_FILL
from nnstudio.ui.network.layout import VALUE_TEXT_MIN_RADIUS
from nnstudio.ui.network.neuron_item import NeuronItem
from nnstudio.ui.network.weight_pens import (
    LUT_SIZE,
    NEUTRAL_KEY,
    WeightPens,
    drawing_order,
    line_keys,
    lut_index,
    qcolor,
)
from nnstudio.ui.plotting.colormaps import PENDING_FILL, PENDING_HATCH, scale_position, signed_lut, text_color_on
from nnstudio.ui.plotting.numbers import format_short


def paint_connections(conns: list[list[ConnectionItem]], names: list[list[str]], images: dict[int, WeightImageItem],
                      weights: list[np.ndarray] | None, pens: WeightPens) -> tuple[list[list[tuple]], float]:
    """Give every connection its pen and tooltip for ``weights`` (None: no values yet).

    Returns the pen key of each line, as ``conns``, and the largest |w| (1.0 without weights).
    """
    if weights is None:
        for image in images.values():
            image.set_weights(None, 1.0)
        for items, layer_names in zip(conns, names):
            for item, name in zip(items, layer_names):
                item.set_base_pen(pens.pen(NEUTRAL_KEY), pens.hover_pen(NEUTRAL_KEY))
                item.setToolTip(weight_tooltip(name, None))
        return [[NEUTRAL_KEY] * len(items) for items in conns], 1.0
    keys_per_layer = []
    finite = [np.abs(w[np.isfinite(w)]) for w in weights]
    wmax = max((float(f.max()) for f in finite if f.size), default=0.0) or 1.0
    for layer, (w, items, layer_names) in enumerate(zip(weights, conns, names)):
        if layer in images:
            images[layer].set_weights(w, wmax)
            keys_per_layer.append([])
            continue
        flat = w.ravel()
        keys = line_keys(flat, wmax)
        for k, item in enumerate(items):
            key = keys[k]
            item.set_base_pen(pens.pen(key), pens.hover_pen(key))
            item.setToolTip(weight_tooltip(layer_names[k], flat[k]))
        keys_per_layer.append(keys)
    return keys_per_layer, wmax


def line_groups(
    keys: list[list[tuple]], conns: list[list[ConnectionItem]], pens: WeightPens
) -> list[tuple[QPen, list[QLineF]]]:
    """The lines for the batch painter: ``(pen, lines)`` grouped by pen key, weakest first."""
    groups: dict[tuple, list[QLineF]] = {}
    for layer_keys, items in zip(keys, conns):
        for key, item in zip(layer_keys, items):
            groups.setdefault(key, []).append(item._line)  # no copy: read-only here
    return [(pens.pen(key), groups[key]) for key in sorted(groups, key=drawing_order)]


def paint_neurons(neurons: list[list[NeuronItem]], captions: list[CaptionItem], state: dict, modes: list[str],
                  sizes: tuple[int, ...], acts: tuple[str, ...]) -> None:
    """Fill, text and tooltip of every neuron, and each column's caption, for what its column shows."""
    lut = signed_lut(LUT_SIZE)
    activations = state.get("activations")
    for c, items in enumerate(neurons):
        mode = modes[c] if c < len(modes) else "none"
        act_name = "input" if c == 0 else acts[c - 1]
        values = None
        if mode in ("input", "activation"):
            values = activations[c]
        elif mode == "delta":
            values = state["deltas"][c - 1][0]
        colours = None
        if values is not None:
            colours = lut[lut_index(scale_position(values, column_levels(state, mode, act_name, c)))]
        for k, item in enumerate(items):
            text_fits = item.radius >= VALUE_TEXT_MIN_RADIUS
            if mode == "none":
                item.set_look(QColor(PENDING_FILL), None, QColor(PENDING_HATCH))
            elif values is None:
                item.set_pending(QColor(PENDING_FILL), QColor(PENDING_HATCH))
            elif not np.isfinite(values[k]):
                item.set_look(NAN_FILL, format_short(values[k]) if text_fits else None, QColor("white"))
            else:
                text = format_short(values[k]) if text_fits else None
                item.set_look(qcolor(colours[k]), text, QColor(text_color_on(colours[k])))
            item.setToolTip(neuron_tooltip(state, sizes, c, k, mode, act_name))
    for c, caption in enumerate(captions):
        caption.set_texts(*CAPTIONS[modes[c] if c < len(modes) else "none"])


def paint_maps(neurons: list[list[NeuronItem]], state: dict, modes: list[str], acts: tuple[str, ...]) -> None:
    """Each hidden and output neuron's map as an image on its column's activation scale (None: no maps)."""
    maps = state.get("neuron_maps")
    lut = signed_lut(LUT_SIZE)
    for c, items in enumerate(neurons[1:], start=1):
        if maps is None:
            for item in items:
                item.set_map(None)
            continue
        levels = map_levels(state, modes[c], acts[c - 1], c)
        rgb = np.ascontiguousarray(lut[lut_index(scale_position(maps[c - 1], levels))])  # (n, H, W, 3) uint8
        _, h, w, _ = rgb.shape
        for k, item in enumerate(items):
            image = QImage(rgb[k].data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
            item.set_map(QPixmap.fromImage(image))
