"""Neurons are counted from 1 wherever a person reads them, as on the canvas."""

from nnstudio.ui.learning.layer_view import LayerView


def test_layer_view_combos_and_axes_count_neurons_from_one(qtbot):
    """A 3-neuron layer lists neuron 1, 2, 3 (item data: indices 0, 1, 2); the axes say the same."""
    view = LayerView()
    qtbot.addWidget(view)
    view.set_layers([2, 5, 3, 1])
    for combo in (view.neuron_x_combo, view.neuron_y_combo):
        assert [combo.itemText(k) for k in range(combo.count())] == ["neuron 1", "neuron 2", "neuron 3"]
        assert [combo.itemData(k) for k in range(combo.count())] == [0, 1, 2]
    assert view.choice() == (2, 0, 1)
    axis = view.plot.getPlotItem().getAxis
    assert axis("bottom").labelText == "Hidden 2 · neuron 1" and axis("left").labelText == "Hidden 2 · neuron 2"
