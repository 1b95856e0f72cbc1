"""Tests for Heatmap (nnstudio.ui.plotting.heatmap) and LayerHeatmaps (nnstudio.ui.plotting.layer_heatmaps)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from nnstudio.ui.plotting.colormaps import NEGATIVE_COLOR, POSITIVE_COLOR
from nnstudio.ui.plotting.heatmap import Heatmap
from nnstudio.ui.plotting.heatmap_items import NOT_COMPUTED, IndexAxis
from nnstudio.ui.plotting.heatmap_levels import EPSILON, auto_levels
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps


@pytest.fixture
def heatmap(shown) -> Heatmap:
    widget = shown(Heatmap(mode="sequential", title="layer 1", row_label="sample", col_label="neuron"), 400, 300)
    return widget


def _scene_pos(widget: Heatmap, x: float, y: float) -> QPointF:
    return widget.plot_item.getViewBox().mapViewToScene(QPointF(x, y))


def test_image_data_equals_float32_matrix_in_row_major_order(heatmap):
    """The ImageItem holds the float32 matrix as-is: row i is image row i, column j image column j."""
    matrix = np.arange(15, dtype=np.float64).reshape(3, 5) / 15
    heatmap.set_matrix(matrix)
    image = heatmap.image_item.image
    assert image.dtype == np.float32
    np.testing.assert_array_equal(image, matrix.astype(np.float32))
    assert heatmap.image_item.axisOrder == "row-major"
    assert heatmap.image_item.width() == 5  # columns run along x
    assert heatmap.image_item.height() == 3
    assert heatmap.plot_item.getViewBox().yInverted()  # row 0 at the top


def rendered_colours(heatmap: Heatmap, cells) -> list[tuple[int, int, int]]:
    """The rendered RGB at the centre of each (row, col) cell."""
    view = heatmap.plot_item.getViewBox()
    grab = heatmap.graphics.grab().toImage()
    colours = []
    for row, col in cells:
        point = heatmap.graphics.mapFromScene(view.mapViewToScene(QPointF(col + 0.5, row + 0.5)))
        colours.append(grab.pixelColor(point.x(), point.y()).getRgb()[:3])
    return colours


def close_to(rgb, color: str, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, QColor(color).getRgb()[:3]))


def test_row_zero_is_drawn_at_the_top(heatmap):
    """Rendered pixels: row 0 (the low level) orange at the top, row 1 (the high level) blue below."""
    heatmap.set_matrix(np.array([[0.0, 0.0], [1.0, 1.0]]), levels=(0.0, 1.0))
    top, bottom = rendered_colours(heatmap, [(0, 1), (1, 1)])
    assert close_to(top, NEGATIVE_COLOR) and close_to(bottom, POSITIVE_COLOR)


def test_the_middle_of_the_levels_is_white(heatmap):
    """A sigmoid's 0.5 on levels (0, 1) is drawn white; 0.25 an orange tint, 0.75 a blue tint."""
    heatmap.set_matrix(np.array([[0.25, 0.5, 0.75]]), levels=(0.0, 1.0))
    low, middle, high = rendered_colours(heatmap, [(0, 0), (0, 1), (0, 2)])
    assert min(middle) >= 250
    assert low[0] > low[2] + 40 and high[2] > high[0] + 40  # orange has more red, blue more blue
    # halfway: tints lighter than the end colours
    assert QColor(*low).lightness() > QColor(NEGATIVE_COLOR).lightness() + 20
    assert QColor(*high).lightness() > QColor(POSITIVE_COLOR).lightness() + 20


def test_diverging_levels_are_symmetric(qtbot):
    """Diverging mode centres the levels on zero: (-max|m|, +max|m|)."""
    widget = Heatmap(mode="diverging")
    qtbot.addWidget(widget)
    widget.set_matrix(np.array([[-0.2, 0.1], [0.5, 0.0]]))
    low, high = widget.levels()
    assert low == pytest.approx(-0.5) and high == pytest.approx(0.5)
    assert widget.color_bar.levels() == pytest.approx((-0.5, 0.5))
    assert tuple(widget.image_item.levels) == pytest.approx((-0.5, 0.5))


def test_all_zero_diverging_matrix_gets_epsilon_levels(qtbot):
    """An all-zero delta matrix never yields levels (0, 0)."""
    widget = Heatmap(mode="diverging")
    qtbot.addWidget(widget)
    widget.set_matrix(np.zeros((2, 3)))
    low, high = widget.levels()
    assert low < 0.0 < high
    assert high == pytest.approx(EPSILON)


def test_explicit_levels_are_used(heatmap):
    """Levels passed by the caller override the automatic ones."""
    heatmap.set_matrix(np.array([[0.2, 0.4]]), levels=(0.0, 1.0))
    assert heatmap.levels() == (0.0, 1.0)
    assert heatmap.color_bar.levels() == (0.0, 1.0)


def test_sequential_auto_levels_span_data_range():
    """Sequential auto levels are the finite data range; constant data is padded."""
    assert auto_levels(np.array([[0.2, -1.0], [np.nan, 3.0]]), "sequential") == (-1.0, 3.0)
    low, high = auto_levels(np.full((2, 2), 0.5), "sequential")
    assert low < 0.5 < high


def test_lookup_table_is_uint8_with_at_most_256_entries(heatmap):
    """The image uses a compact uint8 LUT (fast path) for both modes."""
    heatmap.set_matrix(np.random.default_rng(0).random((4, 4)))
    for mode in ("sequential", "diverging"):
        heatmap.set_mode(mode)
        lut = heatmap.image_item.lut
        assert lut.dtype == np.uint8
        assert len(lut) <= 256


def test_hover_text_reports_cell_value(heatmap):
    """Hovering a cell reads out its sample and neuron, numbered from 1, and its value."""
    matrix = np.arange(12, dtype=float).reshape(3, 4) / 100.0
    matrix[2, 1] = 0.8123
    heatmap.set_matrix(matrix)
    heatmap._on_mouse_moved((_scene_pos(heatmap, 1.5, 2.5),))
    assert heatmap.readout.text() == "sample 3, neuron 2: 0.8123"
    heatmap._on_mouse_moved((_scene_pos(heatmap, 3.2, 0.1),))
    assert heatmap.readout.text() == "sample 1, neuron 4: 0.0300"


def test_hover_text_is_signed_in_diverging_mode(shown):
    """Diverging values carry an explicit sign, tiny ones in scientific notation."""
    widget = shown(Heatmap(mode="diverging"), 300, 300)
    widget.set_matrix(np.array([[0.004, -2e-5]]))
    widget._on_mouse_moved((_scene_pos(widget, 0.5, 0.5),))
    assert widget.readout.text() == "row 1, column 1: +0.0040"
    widget._on_mouse_moved((_scene_pos(widget, 1.5, 0.5),))
    assert widget.readout.text() == "row 1, column 2: -2.000e-05"


def test_hover_outside_image_shows_shape(heatmap):
    """Outside the cells the read-out falls back to the matrix shape."""
    heatmap.set_matrix(np.ones((3, 4)) * 0.5)
    heatmap._on_mouse_moved((QPointF(-20.0, -20.0),))
    assert heatmap.readout.text() == "3 × 4"


def test_empty_matrix_shows_blank_image(heatmap):
    """A matrix with zero rows clears the image without errors."""
    heatmap.set_matrix(np.random.default_rng(1).random((3, 3)))
    heatmap.set_matrix(np.zeros((0, 4)))
    assert heatmap.image_item.image is None
    assert heatmap.readout.text() == "empty"
    heatmap._on_mouse_moved((_scene_pos(heatmap, 0.5, 0.5),))
    heatmap.graphics.grab()  # renders without raising


def test_non_finite_cells_become_nan_and_do_not_affect_levels(heatmap):
    """inf/NaN cells are stored as NaN (transparent) and ignored by auto levels."""
    heatmap.set_matrix(np.array([[0.1, np.inf], [np.nan, 0.3]]))
    image = heatmap.image_item.image
    assert np.isnan(image[0, 1]) and np.isnan(image[1, 0])
    assert heatmap.levels() == pytest.approx((0.1, 0.3))


def test_index_axis_numbers_cells_from_one_and_thins_ticks_for_many_cells():
    """Ticks sit at cell centres labelled 1, 2, ...; crowded, they show 1 and multiples of a 1-2-5 step."""
    axis = IndexAxis("bottom")
    axis.count = 4
    ((step, values),) = axis.tickValues(0.0, 4.0, 300.0)
    assert step == 1 and values == [0.5, 1.5, 2.5, 3.5]
    assert axis.tickStrings(values, 1.0, step) == ["1", "2", "3", "4"]
    axis.count = 256
    ((step, values),) = axis.tickValues(0.0, 256.0, 200.0)
    assert step in (50, 100)
    labels = axis.tickStrings(values, 1.0, step)
    assert labels[0] == "1" and all(int(label) % step == 0 for label in labels[1:])


def test_invalid_mode_raises(qtbot):
    """Unknown modes are rejected."""
    with pytest.raises(ValueError):
        Heatmap(mode="rainbow")


# --------------------------------------------------------------------------- LayerHeatmaps


def test_layer_heatmaps_reuse_children_on_same_count(qtbot):
    """Updating with the same number of layers keeps the same Heatmap objects."""
    widget = LayerHeatmaps(kind="activations")
    qtbot.addWidget(widget)
    rng = np.random.default_rng(3)
    widget.set_matrices([rng.random((8, 4)), rng.random((8, 1))], ["layer 1 (4 neurons)", "layer 2 (1 neuron)"])
    first = widget.heatmaps
    widget.set_matrices([rng.random((8, 4)), rng.random((8, 1))], ["layer 1 (4 neurons)", "layer 2 (1 neuron)"])
    assert widget.heatmaps == first
    assert all(a is b for a, b in zip(widget.heatmaps, first))


def test_layer_heatmaps_rebuild_on_count_change(qtbot):
    """A different layer count replaces the heatmaps."""
    widget = LayerHeatmaps(kind="activations")
    qtbot.addWidget(widget)
    widget.set_matrices([np.zeros((2, 2))] * 2, ["a", "b"])
    before = widget.heatmaps
    widget.set_matrices([np.zeros((2, 2))] * 3, ["a", "b", "c"])
    assert len(widget.heatmaps) == 3
    assert not set(map(id, widget.heatmaps)) & set(map(id, before))


def test_layer_heatmaps_show_matrices_and_titles(qtbot):
    """Each heatmap gets its matrix and title; only the first carries the row label."""
    widget = LayerHeatmaps(kind="activations")
    qtbot.addWidget(widget)
    a, b = np.full((8, 4), 0.25), np.full((8, 1), 0.75)
    widget.set_matrices([a, b], ["layer 1 (4 neurons)", "layer 2 (1 neuron)"])
    first, second = widget.heatmaps
    np.testing.assert_array_equal(first.matrix(), a.astype(np.float32))
    np.testing.assert_array_equal(second.matrix(), b.astype(np.float32))
    assert first._labels == ("layer 1 (4 neurons)", "sample", "")
    assert second._labels == ("layer 2 (1 neuron)", "", "")
    assert first.title() == "layer 1 (4 neurons)"


def test_activation_levels_centre_on_the_midpoint(qtbot):
    """Activations in [0, 1] use levels (0, 1), white at 0.5; others are centred on 0."""
    widget = LayerHeatmaps(kind="activations")
    qtbot.addWidget(widget)
    widget.set_matrices([np.array([[0.2, 0.4]]), np.array([[-0.5, 2.0]])], ["sigmoid", "linear"])
    sigmoid, linear = widget.heatmaps
    assert sigmoid.levels() == (0.0, 1.0)
    assert linear.levels() == pytest.approx((-2.0, 2.0))


def test_pending_layers_are_hatched_with_a_note_not_coloured(shown):
    """A layer marked pending shows no image (no colour that reads as a value) and says so."""
    widget = shown(LayerHeatmaps(kind="activations"), 600, 300)
    widget.set_matrices([np.full((3, 2), 0.5), np.zeros((3, 1))], ["a", "b"], pending=[False, True])
    ready, pending = widget.heatmaps
    assert not ready.is_pending() and ready.image_item.image is not None
    assert pending.is_pending() and pending.note() == NOT_COMPUTED
    assert pending.image_item.image is None and pending._cover.box.isVisible()
    (colour,) = rendered_colours(pending, [(1, 0)])
    assert max(colour) - min(colour) <= 12 and max(colour) < 250  # grey, not the white of a zero
    widget.set_matrices([np.full((3, 2), 0.5), np.zeros((3, 1))], ["a", "b"])
    assert not pending.is_pending() and pending.image_item.image is not None


def test_delta_heatmaps_are_diverging_and_labelled(qtbot):
    """Deltas use diverging colours, symmetric levels and fan-in/fan-out labels."""
    widget = LayerHeatmaps(kind="deltas")
    qtbot.addWidget(widget)
    widget.set_matrices([np.array([[0.01, -0.03], [0.0, 0.02]]), np.array([[0.001], [-0.002]])], ["l1", "l2"])
    first, second = widget.heatmaps
    assert first.mode == "diverging"
    assert first.levels() == pytest.approx((-0.03, 0.03))
    assert second.levels() == pytest.approx((-0.002, 0.002))
    assert first._labels == ("l1", "from neuron", "")
    assert widget.heading_label.text() == "Weight deltas of the last update"


def test_object_name_comes_from_constructor_argument(qtbot):
    """object_name sets the Qt object name; without it the name stays empty for the caller."""
    named = LayerHeatmaps(kind="activations", object_name="activationHeatmap")
    unnamed = LayerHeatmaps(kind="deltas")
    qtbot.addWidget(named)
    qtbot.addWidget(unnamed)
    assert named.objectName() == "activationHeatmap"
    assert unnamed.objectName() == ""


def test_heading_can_be_given(qtbot):
    """A heading passed to the constructor replaces the default."""
    widget = LayerHeatmaps(kind="activations", heading="Activations — test set")
    qtbot.addWidget(widget)
    assert widget.heading_label.text() == "Activations — test set"


def test_no_layers_shows_the_empty_state_message(qtbot):
    """An empty list removes the heatmaps and shows the empty-state message."""
    widget = LayerHeatmaps(kind="deltas")
    qtbot.addWidget(widget)
    widget.set_matrices([np.zeros((2, 2))], ["a"])
    assert widget.empty_message.isHidden()
    widget.set_matrices([], [])
    assert widget.heatmaps == ()
    assert not widget.empty_message.isHidden()


def test_empty_layer_matrix_is_ok(shown):
    """A layer with an empty matrix renders alongside normal ones."""
    widget = shown(LayerHeatmaps(kind="activations"), 600, 300)
    widget.set_matrices([np.zeros((0, 4)), np.ones((3, 2)) * 0.5], ["empty", "full"])
    widget.grab()
    assert widget.heatmaps[0].image_item.image is None


def test_mismatched_titles_raise(qtbot):
    """matrices and titles must have the same length."""
    widget = LayerHeatmaps(kind="activations")
    qtbot.addWidget(widget)
    with pytest.raises(ValueError):
        widget.set_matrices([np.zeros((1, 1))], [])


def test_unknown_kind_raises(qtbot):
    """Only 'activations' and 'deltas' are accepted."""
    with pytest.raises(ValueError):
        LayerHeatmaps(kind="weights")
