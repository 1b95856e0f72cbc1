"""Large layer pairs on the canvas: one weight-matrix item, not a line item per weight, still hoverable and editable."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from nnstudio.ui.network.connection_items import ConnectionItem
from nnstudio.ui.network.connection_layer import WEIGHT_IMAGE_ABOVE, WeightImageItem
from nnstudio.ui.network.network_canvas import NetworkCanvas
from nnstudio.ui.plotting.colormaps import CLASS_COLORS

DIGITS = (64, 32, 10)


@pytest.fixture
def canvas(qtbot):
    widget = NetworkCanvas()
    qtbot.addWidget(widget)
    widget.resize(600, 700)
    widget.set_spec(DIGITS, ("tanh", "softmax"))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def weights(rng=None):
    rng = rng or np.random.default_rng(3)
    return [rng.normal(size=(a, b)) for a, b in zip(DIGITS[:-1], DIGITS[1:])]


def colour_at(canvas, scene_point):
    return canvas.grab().toImage().pixelColor(canvas.mapFromScene(scene_point))


def test_a_large_pair_is_one_item_and_a_small_one_keeps_its_lines(canvas):
    items = canvas.scene().items()
    lines = [item for item in items if isinstance(item, ConnectionItem)]
    images = [item for item in items if isinstance(item, WeightImageItem)]
    assert 64 * 32 > WEIGHT_IMAGE_ABOVE >= 32 * 10
    assert len(lines) == 32 * 10 and {item.layer for item in lines} == {1}
    assert len(images) == 1 and images[0].layer == 0
    assert canvas.weight_image_item(0) is images[0] and canvas.weight_image_item(1) is None


def test_rows_lie_level_with_the_left_neurons_and_cells_between_the_columns(canvas):
    for i in (0, 17, 63):
        for j in (0, 31):
            point = canvas.connection_item(0, i, j).hover_point()
            assert point.y() == pytest.approx(canvas.neuron_item(0, i).scenePos().y(), abs=1.0)
            assert canvas.neuron_item(0, i).scenePos().x() < point.x() < canvas.neuron_item(1, j).scenePos().x()
    left = canvas.connection_item(0, 5, 0).hover_point().x()
    right = canvas.connection_item(0, 5, 31).hover_point().x()
    assert left < right  # column j: into neuron j of the next layer, left to right


def test_cells_are_coloured_by_sign_and_follow_new_weights(canvas, qtbot):
    w = weights()
    w[0][:] = 0.0
    w[1] *= 0.1
    w[0][10, 3], w[0][20, 7] = 2.0, -2.0  # the network's largest |w|: full colour
    canvas.set_state(w)
    positive = colour_at(canvas, canvas.connection_item(0, 10, 3).hover_point())
    negative = colour_at(canvas, canvas.connection_item(0, 20, 7).hover_point())
    zero = colour_at(canvas, canvas.connection_item(0, 30, 3).hover_point())
    blue, orange = QColor(CLASS_COLORS[1]), QColor(CLASS_COLORS[0])
    assert positive.blue() > positive.red() and negative.red() > negative.blue()
    assert min(zero.red(), zero.green(), zero.blue()) > 240  # white: no weight
    assert abs(positive.hue() - blue.hue()) < 25 and abs(negative.hue() - orange.hue()) < 25
    w[0][10, 3] = -2.0
    canvas.set_state(w)
    qtbot.waitUntil(lambda: canvas._pending is None, timeout=1000)
    assert colour_at(canvas, canvas.connection_item(0, 10, 3).hover_point()).red() > 200


def test_a_cell_tells_its_weight_numbered_from_one(canvas):
    w = weights()
    w[0][63, 31] = 0.4312
    canvas.set_state(w)
    tip = canvas.connection_item(0, 63, 31).toolTip()
    assert tip.startswith("Weight from Input neuron 64 to Hidden 1 neuron 32\n")
    assert "w = 0.4312" in tip and "Click to edit" in tip
    line = canvas.connection_item(0, 63, 31).line()
    assert line.p1() == canvas.neuron_item(0, 63).scenePos() and line.p2() == canvas.neuron_item(1, 31).scenePos()


def test_hovering_a_cell_highlights_that_weight_and_names_it(canvas, qtbot):
    canvas.set_state(weights())
    cell = canvas.connection_item(0, 40, 12)
    qtbot.mouseMove(canvas.viewport(), canvas.mapFromScene(cell.hover_point()))
    qtbot.waitUntil(cell.is_hovered, timeout=1000)
    assert canvas.weight_image_item(0).toolTip() == cell.toolTip()
    assert not canvas.connection_item(0, 40, 13).is_hovered()


def test_clicking_a_cell_edits_that_weight(canvas, qtbot, monkeypatch):
    w = weights()
    canvas.set_state(w)
    asked = []
    monkeypatch.setattr(canvas, "_ask_weight", lambda current: asked.append(current) or 0.75)
    point = canvas.mapFromScene(canvas.connection_item(0, 7, 29).hover_point())
    with qtbot.waitSignal(canvas.sig_weight_edited, timeout=1000) as blocker:
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == [0, 7, 29, 0.75]
    assert asked == [w[0][7, 29]]


def test_with_neuron_maps_the_matrix_leaves_their_room(qtbot):
    widget = NetworkCanvas()
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    sizes = (2, 32, 32, 1)
    widget.set_spec(sizes, ("tanh", "tanh", "sigmoid"))
    widget.show()
    rng = np.random.default_rng(0)
    widget.set_state([rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])],
                     neuron_maps=[rng.uniform(size=(n, 12, 12)) for n in sizes[1:]])
    image = widget.weight_image_item(1)
    right_edge = widget.connection_item(1, 0, 31).hover_point().x()
    map_item = widget.neuron_map_item(2, 0)
    assert map_item.isVisible() and right_edge < map_item.sceneBoundingRect().left()
    assert image is not None and widget.weight_image_item(0) is None
