"""Tests for the network diagram's neuron colours: activations and neuron maps around each activation's centre."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor
from support.diagram import SIZES, same_hue_family, weights_for

from nnstudio.ui.plotting.colormaps import CLASS_COLORS, NEGATIVE_COLOR, POSITIVE_COLOR


def test_neuron_maps_are_drawn_as_pixmaps(canvas):
    """neuron_maps become visible pixmaps; the toggle hides them."""
    rng = np.random.default_rng(1)
    maps = [rng.uniform(size=(4, 12, 10)), rng.normal(size=(1, 12, 10))]
    canvas.set_state(weights_for(SIZES), neuron_maps=maps)
    item = canvas.neuron_map_item(1, 3)
    assert not item.pixmap().isNull()
    assert (item.pixmap().width(), item.pixmap().height()) == (10, 12)
    assert item.isVisible()
    canvas.set_show_neuron_maps(False)
    assert not canvas.neuron_map_item(2, 0).isVisible()


def test_activations_colour_neurons_and_show_values(canvas):
    """Inputs and tanh centre on 0, sigmoid on 0.5: below orange, at the centre white, above blue."""
    canvas.set_state(weights_for(SIZES), activations=[np.array([2.0, -2.0]), np.zeros(4), np.array([0.9])])
    above = canvas.neuron_item(0, 0).fill_color()
    below = canvas.neuron_item(0, 1).fill_color()
    zero = canvas.neuron_item(1, 0).fill_color()
    assert above.getRgb()[:3] == QColor(POSITIVE_COLOR).getRgb()[:3]  # 2 is the largest |input|: the end
    assert below.getRgb()[:3] == QColor(NEGATIVE_COLOR).getRgb()[:3]
    assert zero.getRgb()[:3] == (255, 255, 255)
    assert canvas.neuron_item(2, 0).value_text() == "0.90"
    assert same_hue_family(canvas.neuron_item(2, 0).fill_color(), CLASS_COLORS[1])


def test_a_sigmoid_output_of_a_third_reads_as_class_0_not_pink(canvas):
    """0.33 from a sigmoid is below its midpoint 0.5: a light tint of class 0's orange; 0.5 is white."""
    for output, family in ((0.33, CLASS_COLORS[0]), (0.67, CLASS_COLORS[1])):
        canvas.set_state(weights_for(SIZES), activations=[np.zeros(2), np.zeros(4), np.array([output])])
        fill = canvas.neuron_item(2, 0).fill_color()
        assert same_hue_family(fill, family), (output, fill.name())
        assert fill.lightness() > 150  # a third of the way: a tint, not the full class colour
    canvas.set_state(weights_for(SIZES), activations=[np.zeros(2), np.zeros(4), np.array([0.5])])
    assert canvas.neuron_item(2, 0).fill_color().getRgb()[:3] == (255, 255, 255)


def test_sigmoid_maps_are_centred_on_one_half(canvas):
    """A sigmoid neuron's map draws 0.5 white, 0.1 orange and 0.9 blue, so its boundary shows."""
    plane = np.full((1, 3, 3), 0.5)
    plane[0, 0, :] = 0.1
    plane[0, 2, :] = 0.9
    maps = [np.repeat(np.full((1, 3, 3), 0.5), 4, axis=0), plane]
    canvas.set_state(weights_for(SIZES), neuron_maps=maps)
    image = canvas.neuron_map_item(2, 0).pixmap().toImage()
    top, middle, bottom = (image.pixelColor(1, row) for row in range(3))
    assert middle.getRgb()[:3] == (255, 255, 255)
    assert same_hue_family(top, CLASS_COLORS[0]) and same_hue_family(bottom, CLASS_COLORS[1])
    # tanh (Hidden 1) centres on 0: a map of 0.5 everywhere is a blue tint, not white
    assert same_hue_family(canvas.neuron_map_item(1, 0).pixmap().toImage().pixelColor(1, 1), POSITIVE_COLOR)
