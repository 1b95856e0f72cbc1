"""Tests for the views shown instead of the decision boundary: digits, confusion matrix, prediction scatter."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton
from support.widgets import owned, shown

from nnstudio.ui.data.digit_pad import MAX_INK, DrawPad
from nnstudio.ui.data.insight_views import (
    ConfusionMatrixView,
    DigitView,
    InsightStack,
    PredictionScatter,
    confusion_lut,
)
from nnstudio.ui.plotting.colormaps import CLASS_COLORS, NEGATIVE_COLOR, POSITIVE_COLOR, TEST_COLOR

# A hand-made "3" in the digits dataset's style: 8x8, ink 0..16, row 0 at the top.
THREE = np.array([
    [0, 2, 13, 16, 16, 11, 1, 0],
    [0, 6, 12, 4, 6, 16, 5, 0],
    [0, 0, 0, 0, 8, 15, 2, 0],
    [0, 0, 3, 12, 16, 8, 0, 0],
    [0, 0, 1, 6, 11, 15, 4, 0],
    [0, 0, 0, 0, 0, 12, 10, 0],
    [0, 5, 8, 4, 7, 15, 9, 0],
    [0, 3, 13, 16, 16, 10, 1, 0],
], dtype=float)
PROBS = np.array([0.005, 0.01, 0.02, 0.93, 0.001, 0.015, 0.002, 0.007, 0.006, 0.004])


@pytest.fixture
def digit_view(qtbot):
    return shown(qtbot, DigitView(), 620, 260)


@pytest.fixture
def pad_emitted(digit_view):
    """Every pixel array the digit view's pad emits, in order."""
    arrays: list[np.ndarray] = []
    digit_view.sig_pad_changed.connect(arrays.append)
    return arrays


def _stroke(qtbot, pad: DrawPad, cells, button=Qt.MouseButton.LeftButton) -> None:
    """Press on the first (row, col) cell, move through the others, release on the last."""
    points = [pad.cell_centre(r, c).toPoint() for r, c in cells]
    qtbot.mousePress(pad, button, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, button, pos=points[-1])


# ---------------------------------------------------------------- DigitView: sample and probabilities


def test_digit_view_and_pad_are_found_by_object_name(digit_view):
    """The view, its pad and the pad's Clear button carry their objectNames."""
    assert digit_view.objectName() == "digitView"
    assert digit_view.findChild(DrawPad, "digitDrawPad") is digit_view.draw_pad
    assert digit_view.findChild(QPushButton, "digitPadClearButton") is digit_view.pad_clear_button


def test_sample_image_holds_the_sample_with_levels_0_to_16(digit_view):
    """The image item gets the 8x8 sample unchanged, on fixed levels 0..16."""
    digit_view.set_sample(THREE, PROBS, 3)
    np.testing.assert_array_equal(digit_view.sample_image.image, THREE)
    assert tuple(digit_view.sample_image.levels) == (0.0, MAX_INK)


def test_sample_pixel_r_c_is_drawn_at_row_r_col_c_from_the_top_left_in_black_on_white(digit_view, qtbot):
    """Ink at pixel (1, 6) shows black near the top right of the image; empty pixels show white."""
    image = np.zeros((8, 8))
    image[1, 6] = 16
    digit_view.set_sample(image, PROBS, None)
    grab = digit_view.sample_plot.grab().toImage()
    ratio = grab.devicePixelRatio()

    def colour(row: int, col: int) -> QColor:
        scene = digit_view.sample_image.mapToScene(QPointF(col + 0.5, row + 0.5))
        point = digit_view.sample_plot.mapFromScene(scene)
        return grab.pixelColor(round(point.x() * ratio), round(point.y() * ratio))

    top_right, bottom_left = (digit_view.sample_plot.mapFromScene(digit_view.sample_image.mapToScene(p))
                              for p in (QPointF(6.5, 1.5), QPointF(1.5, 6.5)))
    assert top_right.x() > bottom_left.x() and top_right.y() < bottom_left.y()
    assert colour(1, 6).lightness() < 30
    assert colour(6, 1).lightness() > 240 and colour(1, 1).lightness() > 240


def test_titles_name_the_true_and_the_predicted_class(digit_view):
    """The captions read "sample — true: 3" and "predicted: 3 (93%)"."""
    digit_view.set_sample(THREE, PROBS, 3)
    assert digit_view.sample_title.text() == "sample \u2014 true: 3"
    assert digit_view.prediction_title.text() == "predicted: 3 (93%)"
    digit_view.set_sample(THREE.ravel(), PROBS, None)  # (64,) works too
    assert digit_view.sample_title.text() == "sample"


def test_probability_bars_have_the_probabilities_and_highlight_the_prediction(digit_view):
    """Bar i is as long as p_i; the predicted bar takes class 1's colour, or the test colour when wrong."""
    digit_view.set_sample(THREE, PROBS, 3)
    bars = digit_view.probability_bars.opts
    np.testing.assert_allclose(bars["width"], PROBS)
    np.testing.assert_array_equal(bars["y"], np.arange(10))
    colours = [QColor(b).name() for b in bars["brushes"]]
    assert colours[3] == QColor(CLASS_COLORS[1]).name() and len(set(colours[:3] + colours[4:])) == 1
    wrong = np.roll(PROBS, 5)  # predicts 8
    digit_view.set_sample(THREE, wrong, 3)
    colours = [QColor(b).name() for b in digit_view.probability_bars.opts["brushes"]]
    assert digit_view.prediction_title.text() == "predicted: 8 (93%)"
    assert colours[8] == QColor(TEST_COLOR).name()
    assert digit_view.probability_texts[8].toPlainText() == "93%"


def test_no_probabilities_show_a_dash(digit_view):
    """set_sample with probabilities None empties the bars and dashes the caption."""
    digit_view.set_sample(THREE, None, 3)
    assert digit_view.prediction_title.text() == "predicted: \u2014"
    assert not np.any(digit_view.probability_bars.opts["width"])


@pytest.mark.parametrize("image, probs", [(np.zeros((7, 8)), PROBS), (THREE, np.zeros((2, 5)))])
def test_set_sample_rejects_bad_shapes(digit_view, image, probs):
    """A non-8x8 image or a non-vector of probabilities raises ValueError."""
    with pytest.raises(ValueError):
        digit_view.set_sample(image, probs, 1)


# ---------------------------------------------------------------- DigitView: the draw pad


def test_left_drag_paints_the_cells_under_the_stroke_and_emits_64_pixels(digit_view, pad_emitted, qtbot):
    """A left drag along row 2 from column 1 to 6 inks that row fully and leaves far rows blank."""
    with qtbot.waitSignal(digit_view.sig_pad_changed, timeout=1000):
        _stroke(qtbot, digit_view.draw_pad, [(2, 1), (2, 3), (2, 6)])
    pixels = pad_emitted[-1]
    assert pixels.shape == (64,) and pixels.dtype == np.float64
    assert pixels.min() >= 0 and pixels.max() <= MAX_INK
    grid = pixels.reshape(8, 8)
    np.testing.assert_allclose(grid[2, 1:7], MAX_INK)
    assert 0 < grid[1, 3] < MAX_INK and 0 < grid[3, 3] < MAX_INK  # the soft edge
    assert not grid[5:].any() and not grid[:1].any()
    assert grid[2, 0] < MAX_INK and grid[2, 7] < MAX_INK  # the stroke's ends fade out
    np.testing.assert_array_equal(digit_view.pad_pixels(), pixels)


def test_a_second_stroke_adds_ink_up_to_16(digit_view, pad_emitted, qtbot):
    """Painting over a stroke's soft edge darkens it; nothing exceeds 16."""
    pad = digit_view.draw_pad
    _stroke(qtbot, pad, [(2, 1), (2, 6)])
    edge = pad_emitted[-1].reshape(8, 8)[3, 3]
    _stroke(qtbot, pad, [(4, 1), (4, 6)])
    after = pad_emitted[-1].reshape(8, 8)
    assert after[3, 3] > edge and after.max() <= MAX_INK


def test_right_drag_erases(digit_view, pad_emitted, qtbot):
    """A right drag over inked cells takes the ink away."""
    digit_view.set_pad_pixels(np.full(64, MAX_INK))
    _stroke(qtbot, digit_view.draw_pad, [(4, 0), (4, 7)], button=Qt.MouseButton.RightButton)
    grid = pad_emitted[-1].reshape(8, 8)
    np.testing.assert_array_equal(grid[4], 0.0)
    np.testing.assert_array_equal(grid[0], MAX_INK)


def test_a_fast_drag_emits_once_on_release(digit_view, pad_emitted, qtbot):
    """Moves that come faster than the rate limit are reported together when the button is released."""
    pad = digit_view.draw_pad
    points = [pad.cell_centre(3, c).toPoint() for c in range(8)]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(pad, point)
    assert pad_emitted == []  # no event loop has run, so the rate-limit timer has not fired
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])
    assert len(pad_emitted) == 1
    assert not pad._timer.isActive()  # nothing pending: the stroke is not reported a second time


def test_a_slow_drag_reports_while_drawing(digit_view, pad_emitted, qtbot):
    """During a slow drag the pad reports at the rate limit, before the release."""
    pad = digit_view.draw_pad
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=pad.cell_centre(1, 1).toPoint())
    qtbot.mouseMove(pad, pad.cell_centre(1, 4).toPoint())
    qtbot.waitUntil(lambda: len(pad_emitted) == 1, timeout=1000)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=pad.cell_centre(1, 4).toPoint())
    assert len(pad_emitted) == 2


def test_clear_button_wipes_the_pad_and_emits_zeros(digit_view, pad_emitted, qtbot):
    """Clear empties the pad and its read-out and emits an all-zero array; clear_pad() emits nothing."""
    digit_view.set_pad_pixels(THREE)
    digit_view.set_pad_probabilities(np.roll(PROBS, 4))
    assert digit_view.pad_title.text() == "you drew: 7 (93%)"
    qtbot.mouseClick(digit_view.pad_clear_button, Qt.MouseButton.LeftButton)
    assert len(pad_emitted) == 1 and not pad_emitted[0].any()
    assert digit_view.pad_title.text() == "you drew: \u2014"
    digit_view.set_pad_pixels(THREE)
    digit_view.clear_pad()
    assert not digit_view.pad_pixels().any() and len(pad_emitted) == 1


def test_set_pad_pixels_round_trips_row_major(digit_view, pad_emitted):
    """set_pad_pixels takes (8, 8) or (64,); pad_pixels returns p0..p63 row-major, silently."""
    digit_view.set_pad_pixels(THREE)
    np.testing.assert_array_equal(digit_view.pad_pixels(), THREE.ravel())
    assert digit_view.pad_pixels()[1 * 8 + 5] == THREE[1, 5]
    digit_view.set_pad_pixels(np.arange(64.0) / 4)
    np.testing.assert_array_equal(digit_view.pad_pixels(), np.arange(64.0) / 4)
    assert pad_emitted == []


# ---------------------------------------------------------------- confusion matrix


@pytest.fixture
def confusion(qtbot):
    return owned(qtbot, ConfusionMatrixView(), 380, 360)


def test_confusion_matrix_writes_each_count_in_its_cell(confusion):
    """Cell (i, j) shows counts[i, j] at column j + 0.5, row i + 0.5; the image holds the counts."""
    counts = np.array([[10, 0, 0], [0, 9, 1], [0, 1, 9]])
    confusion.set_matrix(counts, ["setosa", "versicolor", "virginica"])
    assert confusion.objectName() == "confusionMatrix"
    shown = [t for t in confusion.cell_texts if t.isVisible()]
    assert [t.toPlainText() for t in shown] == [str(c) for c in counts.ravel()]
    assert (shown[5].pos().x(), shown[5].pos().y()) == (2.5, 1.5)  # row 1, column 2
    np.testing.assert_array_equal(confusion.image.image, counts)
    ticks = confusion.plot_widget.getPlotItem().getAxis("left")._tickLevels[0]
    assert [name for _, name in ticks] == ["setosa", "versicolor", "virginica"]


def test_confusion_title_reports_the_accuracy(confusion):
    """The title names the split and the share of the diagonal."""
    confusion.set_matrix(np.array([[10, 0, 0], [0, 9, 1], [0, 1, 9]]), ["a", "b", "c"])
    assert confusion.title.text() == "Confusion matrix \u2014 test split (accuracy 93.3%)"
    confusion.set_matrix(np.zeros((2, 2), int), ["a", "b"], title_suffix="training split")
    assert confusion.title.text() == "Confusion matrix \u2014 training split (no samples)"


def test_cell_text_is_light_on_dark_cells_and_dark_on_light_ones(confusion):
    """The largest count gets white text, an empty cell dark text."""
    confusion.set_matrix(np.array([[50, 0], [3, 40]]), ["0", "1"])
    texts = [t for t in confusion.cell_texts if t.isVisible()]
    assert texts[0].color.name() == "#ffffff"
    assert QColor(texts[1].color).lightness() < 80
    lut = confusion_lut()
    assert tuple(lut[0]) == (255, 255, 255) and lut[-1].sum() < 300


def test_counts_are_grey_not_a_class_colour():
    """Every entry of the count scale is a grey (r = g = b within a few units): blue means class 1 here."""
    lut = confusion_lut().astype(int)
    assert (lut.max(axis=1) - lut.min(axis=1) <= 8).all()
    assert (np.diff(lut.sum(axis=1)) <= 0).all()  # more samples, darker


def test_a_smaller_matrix_hides_the_spare_cell_texts(confusion):
    """After a 10x10 matrix, a 3x3 one shows 9 texts and reuses the items."""
    confusion.set_matrix(np.eye(10, dtype=int) * 5, [str(i) for i in range(10)])
    pool = list(confusion.cell_texts)
    confusion.set_matrix(np.eye(3, dtype=int), ["a", "b", "c"])
    assert confusion.cell_texts == pool
    assert sum(t.isVisible() for t in confusion.cell_texts) == 9


@pytest.mark.parametrize("counts, names", [(np.zeros((2, 3), int), ["a", "b"]), (np.eye(2), ["a"]),
                                           (-np.eye(2, dtype=int), ["a", "b"]), (np.full((2, 2), 0.5), ["a", "b"])])
def test_confusion_matrix_rejects_bad_input(confusion, counts, names):
    """Non-square, negative or fractional counts, or the wrong number of names, raise ValueError."""
    with pytest.raises(ValueError):
        confusion.set_matrix(counts, names)


# ---------------------------------------------------------------- prediction scatter


@pytest.fixture
def scatter(qtbot):
    return owned(qtbot, PredictionScatter(), 380, 380)


def test_prediction_scatter_reports_r_squared_in_its_title(scatter):
    """R² in the title matches 1 - SS_res / SS_tot computed here."""
    rng = np.random.default_rng(4)
    target = rng.uniform(-1, 1, 50)
    predicted = 0.8 * target + 0.15 * rng.standard_normal(50)
    scatter.set_points(target, predicted)
    expected = 1 - np.sum((target - predicted) ** 2) / np.sum((target - target.mean()) ** 2)
    assert scatter.r2 == pytest.approx(expected)
    assert scatter.title.text() == f"Predicted vs target \u2014 test split (R\u00b2 = {expected:.3f})"
    np.testing.assert_array_equal(scatter.scatter.data["x"], target)
    np.testing.assert_array_equal(scatter.scatter.data["y"], predicted)


def test_prediction_scatter_draws_a_dashed_identity_line_and_labels_the_axes(scatter):
    """The y = x line is dashed and spans both clouds; the axes read target and predicted."""
    scatter.set_points([0.0, 1.0, 2.0], [0.5, 1.0, 3.0])
    x, y = scatter.identity_line.getData()
    np.testing.assert_array_equal(x, y)
    assert x[0] < 0.0 and x[-1] > 3.0
    assert scatter.identity_line.opts["pen"].style() == Qt.PenStyle.DashLine
    item = scatter.plot_widget.getPlotItem()
    assert item.getAxis("bottom").labelText == "target" and item.getAxis("left").labelText == "predicted"
    assert scatter.objectName() == "predictionScatter"


def test_constant_targets_give_no_r_squared(scatter):
    """With no spread in the targets R² is undefined and the title shows a dash."""
    scatter.set_points([1.0, 1.0], [0.5, 2.0])
    assert np.isnan(scatter.r2) and scatter.title.text().endswith("(R\u00b2 \u2014)")


# ---------------------------------------------------------------- stack


def test_insight_stack_switches_between_its_views(qtbot):
    """show_view picks the digits, confusion, regression or empty page; other kinds raise."""
    stack = InsightStack()
    qtbot.addWidget(stack)
    assert stack.objectName() == "insightStack" and stack.current_kind() is None
    for kind, name in (("digits", "digitView"), ("confusion", "confusionMatrix"),
                       ("regression", "predictionScatter"), (None, "insightEmpty")):
        stack.show_view(kind)
        assert stack.currentWidget().objectName() == name and stack.current_kind() == kind
    with pytest.raises(ValueError):
        stack.show_view("boundary")


def test_points_are_filled_by_target_on_the_windows_scale(scatter):
    """The lowest target is orange (as negative values and class 0), zero white, the highest blue."""
    target = np.array([-2.0, 0.0, 2.0])
    scatter.set_points(target, target * 0.9)
    fills = [QColor(b.color()) for b in scatter.scatter.data["brush"]]
    assert fills[0].getRgb()[:3] == QColor(NEGATIVE_COLOR).getRgb()[:3]
    assert fills[2].getRgb()[:3] == QColor(POSITIVE_COLOR).getRgb()[:3]
    assert min(fills[1].getRgb()[:3]) >= 250
