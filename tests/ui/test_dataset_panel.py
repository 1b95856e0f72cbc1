"""Tests for the Data panel: controls, spec signal, scatter of points and the boundary heatmap."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox

from nnstudio.engine.datasets import GENERATOR_NAMES, generate, plane_bounds, train_test_split
from nnstudio.ui.boundary_plot import CLASS_COLORS, boundary_lut, boundary_rect
from nnstudio.ui.dataset_panel import MAX_SEED, DatasetPanel, boundary_grid

BOUNDS = (-2.0, 4.0, -1.0, 3.0)


@pytest.fixture
def panel(qtbot):
    widget = DatasetPanel()
    qtbot.addWidget(widget)
    widget.resize(420, 520)
    return widget


@pytest.fixture
def emitted(panel):
    """Every spec the panel emits, in order."""
    specs: list[dict] = []
    panel.sig_data_spec_changed.connect(specs.append)
    return specs


def _colors(objects) -> list[str]:
    return [QColor(o.color()).name() for o in objects]


# ---------------------------------------------------------------- controls


def test_dataset_combo_lists_the_four_generators_with_cli_names_as_data(panel):
    """The combo is found by objectName and shows display names over CLI names."""
    combo = panel.findChild(QComboBox, "datasetCombo")
    assert combo is panel.dataset_combo
    items = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
    assert items == [("XOR", "xor"), ("Circle", "circle"), ("Two Gaussians", "gaussians"), ("Spiral", "spiral")]
    assert [data for _, data in items] == list(GENERATOR_NAMES)


def test_controls_have_their_object_names_ranges_and_defaults(panel):
    """Each control is reachable by objectName and has the documented range and default."""
    for name in ("noiseSpin", "samplesSpin", "testFractionSpin", "dataSeedSpin", "regenerateButton"):
        assert panel.findChild(object, name) is not None, name
    assert (panel.noise_spin.minimum(), panel.noise_spin.maximum(), panel.noise_spin.singleStep()) == (0.0, 1.0, 0.05)
    assert (panel.samples_spin.minimum(), panel.samples_spin.maximum(), panel.samples_spin.value()) == (4, 2000, 200)
    assert (panel.test_fraction_spin.minimum(), panel.test_fraction_spin.maximum()) == (0, 90)
    assert (panel.seed_spin.minimum(), panel.seed_spin.maximum()) == (0, MAX_SEED)
    for spin in (panel.noise_spin, panel.samples_spin, panel.test_fraction_spin, panel.seed_spin):
        assert not spin.keyboardTracking()


def test_data_spec_reports_all_keys_with_plain_types(panel):
    """data_spec() holds name, n_samples, noise, seed and test_fraction as a fraction."""
    spec = panel.data_spec()
    assert spec == {"name": "xor", "n_samples": 200, "noise": 0.1, "seed": 0, "test_fraction": 0.2}
    assert [type(spec[k]) for k in ("name", "n_samples", "noise", "seed", "test_fraction")] == [str, int, float, int, float]


def test_changing_the_dataset_emits_the_spec_once(panel, emitted, qtbot):
    """Picking another dataset emits one spec with the new CLI name."""
    with qtbot.waitSignal(panel.sig_data_spec_changed, timeout=1000) as blocker:
        panel.dataset_combo.setCurrentIndex(3)
    assert blocker.args == [{"name": "spiral", "n_samples": 200, "noise": 0.1, "seed": 0, "test_fraction": 0.2}]
    assert len(emitted) == 1


def test_changing_the_noise_emits_the_spec_once(panel, emitted, qtbot):
    """A new noise value emits one spec carrying it."""
    with qtbot.waitSignal(panel.sig_data_spec_changed, timeout=1000) as blocker:
        panel.noise_spin.setValue(0.35)
    assert blocker.args[0]["noise"] == 0.35
    assert len(emitted) == 1


def test_changing_the_seed_emits_the_spec_once(panel, emitted, qtbot):
    """A new seed emits one spec carrying it."""
    with qtbot.waitSignal(panel.sig_data_spec_changed, timeout=1000) as blocker:
        panel.seed_spin.setValue(42)
    assert blocker.args[0] == {"name": "xor", "n_samples": 200, "noise": 0.1, "seed": 42, "test_fraction": 0.2}
    assert len(emitted) == 1


def test_changing_samples_and_test_share_emit_their_values(panel, emitted):
    """Samples and the test percentage each emit once; the percentage arrives as a fraction."""
    panel.samples_spin.setValue(500)
    panel.test_fraction_spin.setValue(35)
    assert [(s["n_samples"], s["test_fraction"]) for s in emitted] == [(500, 0.2), (500, 0.35)]


def test_typing_a_number_emits_once_on_enter_not_per_digit(panel, emitted, qtbot):
    """Keyboard tracking is off: typing "350" emits nothing until Enter, then one spec."""
    panel.show()
    qtbot.waitExposed(panel)
    panel.samples_spin.setFocus()
    panel.samples_spin.selectAll()
    qtbot.keyClicks(panel.samples_spin, "350")
    assert emitted == []
    qtbot.keyClick(panel.samples_spin, Qt.Key.Key_Return)
    assert [s["n_samples"] for s in emitted] == [350]


def test_set_data_spec_shows_the_values_without_emitting(panel, emitted):
    """set_data_spec updates every control and emits nothing."""
    spec = {"name": "circle", "n_samples": 300, "noise": 0.25, "seed": 7, "test_fraction": 0.3}
    panel.set_data_spec(spec)
    assert emitted == []
    assert panel.data_spec() == spec
    assert panel.dataset_combo.currentText() == "Circle"


def test_set_data_spec_keeps_missing_keys(panel):
    """A partial spec changes only the keys it names."""
    panel.set_data_spec({"seed": 5})
    assert panel.data_spec() == {"name": "xor", "n_samples": 200, "noise": 0.1, "seed": 5, "test_fraction": 0.2}


@pytest.mark.parametrize("spec", [{"name": "moons"}, {"colour": "red"}, {"noise": "lots"}, {"n_samples": float("nan")}])
def test_set_data_spec_rejects_unknown_names_and_keys_without_changing_anything(panel, spec):
    """An unknown dataset or key raises ValueError and leaves the controls alone."""
    before = panel.data_spec()
    with pytest.raises(ValueError):
        panel.set_data_spec({"seed": 9, **spec})
    assert panel.data_spec() == before


def test_set_data_spec_clamps_out_of_range_numbers(panel):
    """Values beyond a control's range (even beyond a C int) are clamped, not an overflow."""
    panel.set_data_spec({"seed": 10**12, "n_samples": 1, "noise": 3.0, "test_fraction": 0.95})
    assert panel.data_spec() == {"name": "xor", "n_samples": 4, "noise": 1.0, "seed": MAX_SEED, "test_fraction": 0.9}


def test_regenerate_bumps_the_seed_and_emits_once(panel, emitted, qtbot):
    """The Regenerate button advances the seed by one and emits exactly one spec."""
    panel.set_data_spec({"seed": 41})
    with qtbot.waitSignal(panel.sig_data_spec_changed, timeout=1000) as blocker:
        qtbot.mouseClick(panel.regenerate_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0]["seed"] == 42
    assert len(emitted) == 1
    assert panel.seed_spin.value() == 42


def test_regenerate_wraps_the_seed_at_its_maximum(panel, emitted):
    """Past the largest seed, Regenerate starts again at 0."""
    panel.set_data_spec({"seed": MAX_SEED})
    panel.regenerate()
    assert [s["seed"] for s in emitted] == [0]


def test_emitted_spec_generates_a_dataset(panel, emitted):
    """The emitted spec feeds generate() and train_test_split() unchanged."""
    panel.set_data_spec({"name": "spiral", "n_samples": 120})
    panel.noise_spin.setValue(0.2)
    spec = emitted[-1]
    dataset = generate(spec["name"], spec["n_samples"], spec["noise"], spec["seed"])
    train, test = train_test_split(dataset, spec["test_fraction"], spec["seed"])
    assert dataset.n_samples == 120 and train.size + test.size == 120


# ---------------------------------------------------------------- points


def _split_spiral():
    dataset = generate("spiral", 100, 0.1, 1)
    train, test = train_test_split(dataset, 0.2, 1)
    return dataset, train, test


def test_set_points_puts_train_and_test_points_in_their_scatters_with_class_colours(panel):
    """Train points are filled in the class colour, test points ringed in it; counts match."""
    dataset, train, test = _split_spiral()
    panel.set_points(dataset.X[train], dataset.y[train], dataset.X[test], dataset.y[test], plane_bounds(dataset))
    plot = panel.plot
    assert len(plot.train_scatter.points()) == train.size == 80
    assert len(plot.test_scatter.points()) == test.size == 20
    train_colors = _colors(plot.train_scatter.data["brush"])
    test_colors = _colors(plot.test_scatter.data["pen"])
    orange, blue = (QColor(c).name() for c in CLASS_COLORS[:2])
    for colors, rows in ((train_colors, train), (test_colors, test)):
        labels = dataset.y[rows]
        assert colors.count(orange) == np.count_nonzero(labels == 0)
        assert colors.count(blue) == np.count_nonzero(labels == 1)
        assert colors == [orange if y == 0 else blue for y in labels]
    np.testing.assert_array_equal(plot.train_scatter.data["x"], dataset.X[train, 0])
    np.testing.assert_array_equal(plot.test_scatter.data["y"], dataset.X[test, 1])


def test_train_and_test_points_are_told_apart_by_fill(panel):
    """Test points get a white fill, so they read as rings next to the filled training points."""
    panel.set_points(np.zeros((1, 2)), [1], np.ones((1, 2)), [1], BOUNDS)
    train_fill = QColor(panel.plot.train_scatter.data["brush"][0].color())
    test_fill = QColor(panel.plot.test_scatter.opts["brush"].color())
    assert train_fill.name() == QColor(CLASS_COLORS[1]).name()
    assert test_fill.name() == "#ffffff"


def test_set_points_updates_the_legend_counts(panel):
    """The legend names the size of each split."""
    _, train, test = _split_spiral()
    panel.set_points(np.zeros((train.size, 2)), np.zeros(train.size, int), np.zeros((test.size, 2)),
                     np.ones(test.size, int), BOUNDS)
    labels = [label.text for _, label in panel.plot.legend.items]
    assert labels == ["class 0", "class 1", f"train ({train.size})", f"test ({test.size})"]


def test_set_points_shows_exactly_the_bounds(panel):
    """The view range is the bounds given, although the aspect ratio is locked."""
    panel.show()
    panel.set_points(np.zeros((2, 2)), [0, 1], np.zeros((0, 2)), [], BOUNDS)
    (x0, x1), (y0, y1) = panel.plot.plot_item.getViewBox().viewRange()
    assert (x0, x1, y0, y1) == pytest.approx(BOUNDS, abs=1e-6)
    assert panel.plot.plot_item.getViewBox().state["aspectLocked"] == 1.0


def test_set_points_with_more_features_draws_the_first_two(panel):
    """Wider inputs are drawn by their first two columns."""
    X = np.arange(12.0).reshape(3, 4)
    panel.set_points(X, [0, 1, 0], X[:1], [1], BOUNDS)
    np.testing.assert_array_equal(panel.plot.train_scatter.data["x"], X[:, 0])
    np.testing.assert_array_equal(panel.plot.train_scatter.data["y"], X[:, 1])


def test_set_points_with_one_feature_draws_it_on_the_x_axis(panel):
    """A single feature is drawn at x2 = 0 rather than failing."""
    panel.set_points(np.array([[1.0], [2.0]]), [0, 1], np.empty((0, 1)), [], BOUNDS)
    np.testing.assert_array_equal(panel.plot.train_scatter.data["y"], [0.0, 0.0])


def test_set_points_rejects_labels_of_the_wrong_length(panel):
    """Mismatched labels raise ValueError instead of drawing wrong colours."""
    with pytest.raises(ValueError):
        panel.set_points(np.zeros((3, 2)), [0, 1], np.zeros((0, 2)), [], BOUNDS)


# ---------------------------------------------------------------- boundary


def test_boundary_grid_points_cover_the_bounds_corners(panel):
    """The grid spans the bounds inclusively, row-major with x varying fastest."""
    xs, ys, points = boundary_grid(BOUNDS, resolution=5)
    assert points.shape == (25, 2)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == BOUNDS
    corners = {tuple(p) for p in points}
    assert {(-2.0, -1.0), (4.0, -1.0), (-2.0, 3.0), (4.0, 3.0)} <= corners
    np.testing.assert_array_equal(points[:5, 0], xs)  # row 0: y = ymin, x left to right
    np.testing.assert_array_equal(points[:5, 1], np.full(5, ys[0]))
    np.testing.assert_array_equal(points[::5, 1], ys)


@pytest.mark.parametrize("args", [((0, 0, 0, 1), 8), ((0, 1, 0, 1), 1), ((0, 1, 0), 8)])
def test_boundary_grid_rejects_bad_bounds_and_resolution(args):
    """Empty or malformed bounds and a resolution below 2 raise ValueError."""
    with pytest.raises(ValueError):
        boundary_grid(*args)


def test_set_boundary_sets_an_image_of_the_right_shape_and_rect(panel):
    """The image has the grid's shape, levels (0, 1), and pixels centred on the grid samples."""
    xs, ys, points = boundary_grid(BOUNDS, resolution=8)
    grid = 1 / (1 + np.exp(-points[:, 0])).reshape(ys.size, xs.size)
    panel.set_boundary(grid, BOUNDS)
    image = panel.plot.boundary_image
    assert image.isVisible()
    assert image.image.shape == (8, 8)
    assert tuple(image.levels) == (0.0, 1.0)
    rect = image.mapRectToParent(image.boundingRect())
    dx, dy = 6.0 / 7, 4.0 / 7
    expected = QRectF(-2.0 - dx / 2, -1.0 - dy / 2, 8 * dx, 8 * dy)
    assert [rect.x(), rect.y(), rect.width(), rect.height()] == pytest.approx(
        [expected.x(), expected.y(), expected.width(), expected.height()])
    assert boundary_rect(BOUNDS, (8, 8)) == expected


def test_boundary_pixel_i_j_lies_at_xs_j_ys_i(panel):
    """Row i is drawn at ys[i] (row 0 at the bottom) and column j at xs[j]."""
    xs, ys, _ = boundary_grid(BOUNDS, resolution=6)
    panel.set_boundary(np.zeros((6, 6)), BOUNDS)
    image = panel.plot.boundary_image
    for i, j in ((0, 0), (0, 5), (5, 0), (2, 3)):
        centre = image.mapToParent(QPointF(j + 0.5, i + 0.5))
        assert (centre.x(), centre.y()) == pytest.approx((xs[j], ys[i]))


def test_boundary_is_drawn_under_the_points(panel):
    """The heatmap's z value is below both scatters."""
    plot = panel.plot
    assert plot.boundary_image.zValue() < min(plot.train_scatter.zValue(), plot.test_scatter.zValue())


def test_set_boundary_none_hides_the_heatmap(panel):
    """None hides the image and its contour; a later grid shows it again."""
    panel.set_boundary(np.full((4, 4), 0.7), BOUNDS)
    panel.set_boundary(None)
    assert not panel.plot.boundary_image.isVisible()
    assert not panel.plot.boundary_contour.isVisible()
    panel.set_boundary(np.full((4, 4), 0.7), BOUNDS)
    assert panel.plot.boundary_image.isVisible()


def test_set_boundary_clips_values_and_neutralises_nan(panel):
    """Outputs outside [0, 1] are clipped and NaN shows as undecided (0.5)."""
    panel.set_boundary(np.array([[-1.0, 2.0], [np.nan, 0.25]]), BOUNDS)
    np.testing.assert_allclose(panel.plot.boundary_image.image, [[0.0, 1.0], [0.5, 0.25]])


def test_contour_follows_the_half_level(panel):
    """The isocurve gets the grid at level 0.5, and can be switched off."""
    grid = np.tile(np.linspace(0, 1, 10), (10, 1))
    panel.set_boundary(grid, BOUNDS)
    contour = panel.plot.boundary_contour
    assert contour.level == 0.5 and contour.data is not None
    panel.plot.set_contour_visible(False)
    assert not contour.isVisible()


@pytest.mark.parametrize("grid, bounds", [(np.zeros(5), BOUNDS), (np.zeros((2, 2)), None),
                                          (np.zeros((2, 2)), (1, 0, 0, 1))])
def test_set_boundary_rejects_bad_grids_and_bounds(panel, grid, bounds):
    """A non-2-D grid, missing or inverted bounds raise ValueError."""
    with pytest.raises(ValueError):
        panel.set_boundary(grid, bounds)


def test_boundary_lut_runs_from_class_0_through_white_to_class_1():
    """256 RGBA entries: class-0 hue at 0, clear white at the centre, class-1 hue at 1, translucent ends."""
    lut = boundary_lut()
    assert lut.shape == (256, 4) and lut.dtype == np.uint8
    for end, color in ((lut[0], CLASS_COLORS[0]), (lut[-1], CLASS_COLORS[1])):
        assert QColor(*end[:3]).name() == QColor(color).name()
        assert 0 < end[3] < 255
    centre = lut[127:129]
    assert np.all(centre[:, :3] >= 250) and np.all(centre[:, 3] < 40)
