"""Tests for the Data panel: controls, spec signal, points, the boundary heatmap, regression colours and draw mode."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QMessageBox, QPushButton, QToolButton

from nnstudio.engine.data import datasets as engine_datasets
from nnstudio.engine.data.datasets import FEATURES, GENERATOR_NAMES, generate, load_csv, plane_bounds, train_test_split
from nnstudio.engine.run.seeds import MAX_SEED
from nnstudio.ui.data.boundary_items import boundary_rect
from nnstudio.ui.data.boundary_math import boundary_grid, boundary_lut, value_lut
from nnstudio.ui.data.dataset_combo import DATASET_LABELS
from nnstudio.ui.data.dataset_panel import SPEC_KEYS, DatasetPanel
from nnstudio.ui.data.draw_mode import DEFAULT_DRAW_BOUNDS
from nnstudio.ui.plotting.colormaps import CLASS_COLORS

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


def test_dataset_combo_lists_the_generators_first_with_cli_names_as_data(panel):
    """The combo is found by objectName and shows display names over CLI names, generators first."""
    combo = panel.findChild(QComboBox, "datasetCombo")
    assert combo is panel.dataset_combo
    items = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
    assert items[:4] == [("XOR", "xor"), ("Circle", "circle"), ("Two Gaussians", "gaussians"), ("Spiral", "spiral")]
    assert [data for _, data in items[:len(GENERATOR_NAMES)]] == list(GENERATOR_NAMES)


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
    """data_spec() holds name, n_samples, noise, seed, test_fraction as a fraction and features."""
    spec = panel.data_spec()
    assert spec == {"name": "xor", "n_samples": 200, "noise": 0.1, "seed": 0, "test_fraction": 0.2, "features": ()}
    assert list(spec) == list(SPEC_KEYS)
    assert [type(spec[k]) for k in SPEC_KEYS] == [str, int, float, int, float, tuple]


def test_changing_the_dataset_emits_the_spec_once(panel, emitted, qtbot):
    """Picking another dataset emits one spec with the new CLI name."""
    with qtbot.waitSignal(panel.sig_data_spec_changed, timeout=1000) as blocker:
        panel.dataset_combo.setCurrentIndex(3)
    assert blocker.args == [{"name": "spiral", "n_samples": 200, "noise": 0.1, "seed": 0, "test_fraction": 0.2,
                             "features": ()}]
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
    assert blocker.args[0] == {"name": "xor", "n_samples": 200, "noise": 0.1, "seed": 42, "test_fraction": 0.2,
                               "features": ()}
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
    spec = {"name": "circle", "n_samples": 300, "noise": 0.25, "seed": 7, "test_fraction": 0.3,
            "features": ("x1_squared", "x2_squared")}
    panel.set_data_spec(spec)
    assert emitted == []
    assert panel.data_spec() == spec
    assert panel.dataset_combo.currentText() == "Circle"


def test_set_data_spec_keeps_missing_keys(panel):
    """A partial spec changes only the keys it names."""
    panel.set_data_spec({"seed": 5})
    assert panel.data_spec() == {"name": "xor", "n_samples": 200, "noise": 0.1, "seed": 5, "test_fraction": 0.2,
                                 "features": ()}


@pytest.mark.parametrize("spec", [{"name": "no_such_data"}, {"colour": "red"}, {"noise": "lots"},
                                  {"n_samples": float("nan")}, {"features": ("x3_cubed",)}, {"features": "sin_x1"}])
def test_set_data_spec_rejects_unknown_names_and_keys_without_changing_anything(panel, spec):
    """An unknown dataset, key or extra input raises ValueError and leaves the controls alone."""
    before = panel.data_spec()
    with pytest.raises(ValueError):
        panel.set_data_spec({"seed": 9, **spec})
    assert panel.data_spec() == before


def test_set_data_spec_clamps_out_of_range_numbers(panel):
    """Values beyond a control's range (even beyond a C int) are clamped, not an overflow."""
    panel.set_data_spec({"seed": 10**12, "n_samples": 1, "noise": 3.0, "test_fraction": 0.95})
    assert panel.data_spec() == {"name": "xor", "n_samples": 4, "noise": 1.0, "seed": MAX_SEED, "test_fraction": 0.9,
                                 "features": ()}


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


# ---------------------------------------------------------------- regression colours


def test_values_colour_points_on_the_diverging_map_with_symmetric_levels(panel):
    """With values= the points take orange for the lowest, white for zero and blue for the highest value."""
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    panel.set_points(X, None, X[:1], None, BOUNDS, values=(np.array([-2.0, 0.0, 1.0]), np.array([2.0])))
    plot = panel.plot
    assert plot.value_levels == (-2.0, 2.0)
    lut = value_lut()
    fills = [QColor(b.color()).getRgb()[:3] for b in plot.train_scatter.data["brush"]]
    assert fills[0] == tuple(lut[0]) and QColor(*fills[0]).name() == QColor(CLASS_COLORS[0]).name()
    assert min(fills[1]) >= 250  # zero is (nearly) white
    ring = QColor(plot.test_scatter.data["pen"][0].color())
    assert ring.blue() > ring.red()  # the largest value is blue
    assert list(plot.train_scatter.data["data"]) == [-2.0, 0.0, 1.0]
    assert [label.text for _, label in plot.legend.items][:2] == ["-2", "+2"]


def test_explicit_levels_clip_point_colours(panel):
    """levels= sets the ends of the colour scale; values beyond them get the end colours."""
    X = np.zeros((2, 2))
    panel.set_points(X, None, np.zeros((0, 2)), None, BOUNDS, values=([5.0, -5.0], []), levels=(-1.0, 1.0))
    fills = [QColor(b.color()).name() for b in panel.plot.train_scatter.data["brush"]]
    assert fills == [QColor(CLASS_COLORS[1]).name(), QColor(CLASS_COLORS[0]).name()]


def test_classes_come_back_after_values(panel):
    """A later call without values colours by class again and restores the class legend."""
    X = np.zeros((2, 2))
    panel.set_points(X, None, X[:0], None, BOUNDS, values=([1.0, -1.0], []))
    panel.set_points(X, [0, 1], X[:0], [], BOUNDS)
    assert panel.plot.value_levels is None
    assert _colors(panel.plot.train_scatter.data["brush"]) == [QColor(c).name() for c in CLASS_COLORS[:2]]
    assert [label.text for _, label in panel.plot.legend.items][:2] == ["class 0", "class 1"]


def test_values_of_the_wrong_length_are_rejected(panel):
    """values= must hold one value per point of each split."""
    with pytest.raises(ValueError):
        panel.set_points(np.zeros((3, 2)), None, np.zeros((0, 2)), None, BOUNDS, values=([1.0, 2.0], []))


def test_boundary_levels_map_regression_outputs_without_a_contour(panel):
    """set_boundary(levels=) keeps outputs in (lo, hi) instead of clipping to (0, 1), and draws no contour."""
    grid = np.array([[-3.0, -1.0], [0.5, 2.5]])
    panel.set_boundary(grid, BOUNDS, levels=(-2.0, 2.0))
    image = panel.plot.boundary_image
    assert tuple(image.levels) == (-2.0, 2.0)
    np.testing.assert_allclose(image.image, [[-2.0, -1.0], [0.5, 2.0]])
    assert panel.plot.boundary_contour.data is None
    panel.set_boundary(np.array([[np.nan, 0.0]]), BOUNDS, levels=(-1.0, 3.0))
    np.testing.assert_allclose(panel.plot.boundary_image.image, [[1.0, 0.0]])  # NaN shows as the middle


@pytest.mark.parametrize("levels", [(1.0, 1.0), (2.0, 1.0), (0.0, np.inf), (1.0,)])
def test_bad_boundary_levels_are_rejected(panel, levels):
    """Levels must be two finite numbers, low before high."""
    with pytest.raises(ValueError):
        panel.set_boundary(np.zeros((2, 2)), BOUNDS, levels=levels)


# ---------------------------------------------------------------- dataset list and extra inputs


@pytest.fixture
def real_panel(qtbot, monkeypatch):
    """A panel built while the engine offers the four real datasets (whether or not it already does)."""
    monkeypatch.setattr(engine_datasets, "REAL_DATASETS", ("iris", "wine", "breast_cancer", "digits"), raising=False)
    widget = DatasetPanel()
    qtbot.addWidget(widget)
    return widget


def test_real_datasets_follow_the_generators_after_a_separator(real_panel):
    """After the generators comes a separator, then Iris, Wine, Breast cancer and Digits (8x8)."""
    combo = real_panel.dataset_combo
    n = len(GENERATOR_NAMES)
    assert combo.itemData(n, Qt.ItemDataRole.AccessibleDescriptionRole) == "separator"
    items = [(combo.itemText(i), combo.itemData(i)) for i in range(n + 1, combo.count())]
    assert items == [("Iris", "iris"), ("Wine", "wine"), ("Breast cancer", "breast_cancer"),
                     ("Digits (8\u00d78)", "digits")]


def test_new_generators_get_their_display_names():
    """The generators the engine adds are listed under readable names."""
    assert DATASET_LABELS["moons"] == "Two Moons" and DATASET_LABELS["checkerboard"] == "Checkerboard"
    assert DATASET_LABELS["plane"] == "Plane (regression)"
    assert DATASET_LABELS["multigauss"] == "Multi-Gaussian (regression)"


def test_a_real_dataset_disables_noise_samples_seed_and_the_extra_inputs(real_panel):
    """Noise, samples, seed, Regenerate and the extra inputs do not apply to a real dataset."""
    panel = real_panel
    specs: list[dict] = []
    panel.sig_data_spec_changed.connect(specs.append)
    panel.feature_checks["x1_squared"].setChecked(True)
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("iris"))
    assert specs[-1]["name"] == "iris" and specs[-1]["features"] == ()
    for widget in (panel.noise_spin, panel.samples_spin, panel.seed_spin, panel.regenerate_button,
                   *panel.feature_checks.values()):
        assert not widget.isEnabled()
    assert panel.test_fraction_spin.isEnabled()
    panel.set_data_spec({"name": "spiral"})
    assert all(w.isEnabled() for w in (panel.noise_spin, panel.samples_spin, panel.seed_spin))
    assert panel.data_spec()["features"] == ("x1_squared",)  # the choice is kept for 2-D data


def test_feature_toggles_have_their_names_and_labels_in_reading_order(panel):
    """Five check boxes x1², x2², x1·x2, sin x1, sin x2, found by objectName, unchecked, read left to right, top down."""
    checks = [panel.findChild(QCheckBox, f"featureCheck_{name}") for name in FEATURES]
    assert [c.text() for c in checks] == ["x1\u00b2", "x2\u00b2", "x1\u00b7x2", "sin x1", "sin x2"]
    assert not any(c.isChecked() for c in checks)
    panel.show()
    reading_order = sorted(checks, key=lambda c: (c.geometry().top(), c.geometry().left()))
    assert [c.objectName() for c in reading_order] == [c.objectName() for c in checks]


def test_panel_fits_a_narrow_side_panel_with_every_control_whole(panel, qtbot):
    """At its minimum width (the side panel of a 1024-pixel screen) no control is cut short, even while drawing."""
    panel.draw_button.setChecked(True)  # the drawing tools add a row
    panel.show()
    qtbot.waitExposed(panel)
    width = panel.minimumSizeHint().width()
    assert width <= 300
    panel.resize(width, panel.minimumSizeHint().height())
    qtbot.waitUntil(lambda: panel.width() == width)
    widgets = [panel.dataset_combo, panel.noise_spin, panel.samples_spin, panel.test_fraction_spin, panel.seed_spin,
               panel.regenerate_button, panel.draw_button, panel.draw_class_combo, panel.clear_drawn_button,
               panel.save_drawn_button, *panel.feature_checks.values()]
    for widget in widgets:
        assert widget.isVisible(), widget.objectName()
        assert widget.width() >= widget.minimumSizeHint().width(), widget.objectName()
        right = widget.mapTo(panel, widget.rect().topRight()).x()
        assert right < width, widget.objectName()


def test_feature_toggles_emit_the_spec_with_features_in_fixed_order(panel, emitted, qtbot):
    """Each click emits once; the spec lists the checked inputs in the fixed order, whatever the click order."""
    panel.show()
    qtbot.waitExposed(panel)
    for name in ("sin_x2", "x1_squared"):
        qtbot.mouseClick(panel.feature_checks[name], Qt.MouseButton.LeftButton)
    assert [s["features"] for s in emitted] == [("sin_x2",), ("x1_squared", "sin_x2")]
    assert panel.data_spec()["features"] == ("x1_squared", "sin_x2")


def test_set_data_spec_sets_the_feature_toggles_silently(panel, emitted):
    """A spec's features check exactly those boxes, emitting nothing."""
    panel.set_data_spec({"features": ["x1_x2", "x1_squared"]})
    assert emitted == []
    assert panel.data_spec()["features"] == ("x1_squared", "x1_x2")
    panel.set_data_spec({"features": ()})
    assert not any(c.isChecked() for c in panel.feature_checks.values())


# ---------------------------------------------------------------- draw mode


@pytest.fixture
def drawn(panel):
    """Every drawn set the panel emits, in order."""
    sets: list[tuple[np.ndarray, np.ndarray]] = []
    panel.sig_drawn_data_changed.connect(sets.append)
    return sets


def _shown(qtbot, panel) -> None:
    panel.show()
    qtbot.waitExposed(panel)


def _pixel(panel, x: float, y: float) -> QPoint:
    """The viewport pixel showing data coordinates (x, y)."""
    view = panel.plot.plot_item.getViewBox()
    return panel.plot.mapFromScene(view.mapViewToScene(QPointF(x, y)))


def _click_plot(qtbot, panel, x: float, y: float, button=Qt.MouseButton.LeftButton, offset=(0, 0)) -> None:
    pos = _pixel(panel, x, y) + QPoint(*offset)
    qtbot.mouseClick(panel.plot.viewport(), button, pos=pos)


def _data_per_pixel(panel) -> float:
    return max(panel.plot.plot_item.getViewBox().viewPixelSize())


def test_draw_tools_are_shown_only_in_draw_mode(panel, qtbot):
    """The class picker, Clear, Save and the hint appear with draw mode; the picker offers two coloured classes."""
    _shown(qtbot, panel)
    button = panel.findChild(QToolButton, "drawModeButton")
    assert button is panel.draw_button and button.isCheckable() and button.isVisible()
    tools = [panel.findChild(QComboBox, "drawClassCombo"), panel.findChild(QPushButton, "clearDrawnButton"),
             panel.findChild(QPushButton, "saveDrawnButton"), panel.draw_hint]
    assert not any(t.isVisible() for t in tools)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert panel.is_draw_mode() and all(t.isVisible() for t in tools)
    combo = panel.draw_class_combo
    assert [(combo.itemText(i), combo.itemData(i)) for i in range(2)] == [("class 0", 0), ("class 1", 1)]
    assert not combo.itemIcon(0).isNull() and not combo.itemIcon(1).isNull()
    assert panel.draw_hint.text() == "Click to add a point of the chosen class, right-click to remove the nearest"


def test_draw_mode_disables_the_generated_data_controls(panel, qtbot):
    """Noise, samples, seed and Regenerate are off while drawing; the test share and extra inputs stay on."""
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    for widget in (panel.noise_spin, panel.samples_spin, panel.seed_spin, panel.regenerate_button):
        assert not widget.isEnabled()
    assert panel.test_fraction_spin.isEnabled()
    assert all(c.isEnabled() for c in panel.feature_checks.values())
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert all(w.isEnabled() for w in (panel.noise_spin, panel.samples_spin, panel.seed_spin, panel.regenerate_button))


def test_entering_draw_mode_starts_from_the_points_shown(panel, drawn, emitted, qtbot):
    """Pressing Draw emits the shown training and test points as the drawn set, and no spec."""
    dataset, train, test = _split_spiral()
    panel.set_points(dataset.X[train], dataset.y[train], dataset.X[test], dataset.y[test], plane_bounds(dataset))
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert emitted == [] and len(drawn) == 1
    X, labels = drawn[0]
    np.testing.assert_array_equal(X, np.concatenate([dataset.X[train], dataset.X[test]]))
    np.testing.assert_array_equal(labels, np.concatenate([dataset.y[train], dataset.y[test]]))
    assert X.dtype == np.float64 and labels.dtype == np.int64
    assert len(panel.plot.train_scatter.points()) == 100 and len(panel.plot.test_scatter.points()) == 0


def test_draw_mode_starts_empty_when_nothing_is_shown(panel, drawn, qtbot):
    """Without points on show, drawing starts from an empty set on the default plane."""
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    X, labels = drawn[0]
    assert X.shape == (0, 2) and labels.shape == (0,)
    assert panel.plot.bounds == DEFAULT_DRAW_BOUNDS


def test_draw_mode_starts_empty_over_regression_data(panel):
    """Points coloured by value cannot become classes, so drawing starts empty."""
    panel.set_data_spec({"name": "plane"})
    panel.set_points(np.zeros((2, 2)), None, np.zeros((0, 2)), None, BOUNDS, values=([1.0, -1.0], []))
    panel.set_draw_mode(True)
    assert panel.drawn_points()[0].shape == (0, 2)


def test_left_click_adds_a_point_of_the_chosen_class_where_clicked(panel, drawn, qtbot):
    """A left click in draw mode adds a point at the clicked data coordinates, of the picked class."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    panel.draw_class_combo.setCurrentIndex(1)
    with qtbot.waitSignal(panel.sig_drawn_data_changed, timeout=1000) as blocker:
        _click_plot(qtbot, panel, 1.5, -2.0)
    X, labels = blocker.args[0]
    assert X.shape == (1, 2) and labels.tolist() == [1]
    assert X[0] == pytest.approx([1.5, -2.0], abs=1.5 * _data_per_pixel(panel))
    panel.draw_class_combo.setCurrentIndex(0)
    _click_plot(qtbot, panel, -3.0, 4.0)
    X, labels = panel.drawn_points()
    assert labels.tolist() == [1, 0] and len(drawn) == 2
    assert X[1] == pytest.approx([-3.0, 4.0], abs=1.5 * _data_per_pixel(panel))
    np.testing.assert_array_equal(panel.plot.train_scatter.data["x"], X[:, 0])


def test_clicks_outside_draw_mode_or_the_plane_add_nothing(panel, drawn, qtbot):
    """Clicking the plot adds points only in draw mode, and only inside the plane (not on the axes)."""
    _shown(qtbot, panel)
    _click_plot(qtbot, panel, 0.0, 0.0)
    panel.set_draw_mode(True)
    axis = panel.plot.plot_item.getAxis("bottom")
    qtbot.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.plot.mapFromScene(axis.sceneBoundingRect().center()))
    assert drawn == [] and panel.drawn_points()[0].shape == (0, 2)


def test_right_click_removes_the_nearest_point_within_reach(panel, drawn, qtbot):
    """A right click a few pixels from a point removes it; far from every point it removes nothing."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    panel.add_drawn_point(-2.0, -2.0, 0)
    panel.add_drawn_point(2.0, 2.0, 1)
    drawn.clear()
    _click_plot(qtbot, panel, 2.0, 2.0, Qt.MouseButton.RightButton, offset=(4, -3))
    X, labels = panel.drawn_points()
    assert X.tolist() == [[-2.0, -2.0]] and labels.tolist() == [0]
    assert len(drawn) == 1
    _click_plot(qtbot, panel, 3.0, 3.0, Qt.MouseButton.RightButton)  # dozens of pixels from (-2, -2)
    assert len(drawn) == 1 and len(panel.drawn_points()[1]) == 1


def test_remove_nearest_with_no_limit_takes_the_closest(panel, drawn):
    """remove_nearest_drawn_point(max_pixels=None) removes the closest point however far it is."""
    panel.set_draw_mode(True)
    for x in (-5.0, 0.0, 5.0):
        panel.add_drawn_point(x, 0.0, 1)
    assert panel.remove_nearest_drawn_point(4.0, 4.0, max_pixels=None)
    assert panel.drawn_points()[0][:, 0].tolist() == [-5.0, 0.0]
    assert len(drawn) == 4


def test_clear_empties_the_drawn_set(panel, drawn, qtbot):
    """Clear removes every point, emits an empty set and disables Clear and Save."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    panel.add_drawn_point(1.0, 1.0, 0)
    assert panel.clear_drawn_button.isEnabled() and panel.save_drawn_button.isEnabled()
    qtbot.mouseClick(panel.clear_drawn_button, Qt.MouseButton.LeftButton)
    X, labels = drawn[-1]
    assert X.shape == (0, 2) and labels.shape == (0,)
    assert len(panel.plot.train_scatter.points()) == 0
    assert not panel.clear_drawn_button.isEnabled() and not panel.save_drawn_button.isEnabled()


def test_save_csv_writes_the_points_load_csv_reads_back(panel, qtbot, tmp_path, monkeypatch):
    """Save CSV asks for a path and writes x1, x2, label that load_csv reads back unchanged."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    points = [(-1.25, 0.5, 0), (2.0, -3.75, 1), (0.1, 0.2, 1), (4.0, 4.0, 0)]
    for x, y, c in points:
        panel.add_drawn_point(x, y, c)
    path = tmp_path / "mine.csv"
    monkeypatch.setattr(panel, "_ask_save_path", lambda: str(path))
    qtbot.mouseClick(panel.save_drawn_button, Qt.MouseButton.LeftButton)
    loaded = load_csv(path)
    assert loaded.feature_names == ("x1", "x2") and loaded.target_name == "label"
    assert loaded.task == "classification" and loaded.class_names == ("0", "1")
    np.testing.assert_array_equal(loaded.X, [[x, y] for x, y, _ in points])
    np.testing.assert_array_equal(loaded.y, [c for *_, c in points])


def test_a_failed_save_shows_a_message_without_blocking(panel, qtbot, tmp_path, monkeypatch):
    """An unwritable path opens a warning box non-modally (the click returns) and writes nothing."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    panel.add_drawn_point(0.0, 0.0, 1)
    path = tmp_path / "no" / "such" / "folder" / "x.csv"
    monkeypatch.setattr(panel, "_ask_save_path", lambda: str(path))
    qtbot.mouseClick(panel.save_drawn_button, Qt.MouseButton.LeftButton)
    box = panel.findChild(QMessageBox)
    assert box is not None and box.isVisible() and "x.csv" in box.text()
    assert not path.exists()
    box.close()


def test_cancelling_the_save_dialog_writes_nothing(panel, monkeypatch):
    """When the learner cancels the dialog nothing is saved and no message shows."""
    panel.set_draw_mode(True)
    panel.add_drawn_point(0.0, 0.0, 1)
    saved = []
    monkeypatch.setattr(panel, "_ask_save_path", lambda: None)
    monkeypatch.setattr(panel, "save_drawn_csv", saved.append)
    panel.save_drawn_button.click()
    assert saved == [] and panel.findChild(QMessageBox) is None


def test_leaving_draw_mode_emits_the_combo_spec(panel, emitted, drawn, qtbot):
    """Unchecking Draw emits the combo's spec once and shows the owner's points again."""
    dataset, train, test = _split_spiral()
    panel.set_points(dataset.X[train], dataset.y[train], dataset.X[test], dataset.y[test], plane_bounds(dataset))
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    panel.clear_drawn_points()
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert not panel.is_draw_mode()
    assert emitted == [panel.data_spec()] and emitted[0]["name"] == "xor"
    assert len(panel.plot.train_scatter.points()) == 80 and len(panel.plot.test_scatter.points()) == 20


def test_picking_a_dataset_leaves_draw_mode_and_emits_its_spec_once(panel, emitted, qtbot):
    """Choosing a generator while drawing ends draw mode and emits one spec for it."""
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("circle"))
    assert not panel.is_draw_mode() and not panel.draw_button.isChecked()
    assert [s["name"] for s in emitted] == ["circle"]
    assert panel.noise_spin.isEnabled()


def test_set_draw_mode_changes_the_mode_without_signals(panel, emitted, drawn):
    """set_draw_mode(True/False) checks the button and switches the tools, emitting nothing."""
    panel.set_draw_mode(True)
    assert panel.is_draw_mode() and panel.draw_button.isChecked()
    panel.set_draw_mode(False)
    assert not panel.is_draw_mode() and not panel.draw_button.isChecked()
    assert emitted == [] and drawn == []


def test_in_draw_mode_test_share_and_extra_inputs_reemit_the_drawn_set(panel, emitted, drawn):
    """While drawing, the test share and extra inputs re-emit the drawn set, never a spec."""
    panel.set_draw_mode(True)
    panel.add_drawn_point(1.0, 2.0, 1)
    panel.test_fraction_spin.setValue(40)
    panel.feature_checks["x1_x2"].setChecked(True)
    assert emitted == [] and len(drawn) == 3
    assert panel.data_spec()["features"] == ("x1_x2",) and panel.data_spec()["test_fraction"] == 0.4


def test_set_points_while_drawing_keeps_the_drawing_on_show(panel):
    """The owner's points arriving in draw mode are kept for later, not drawn over the learner's points."""
    panel.set_draw_mode(True)
    panel.add_drawn_point(1.0, 1.0, 0)
    panel.set_points(np.zeros((5, 2)), np.zeros(5, int), np.zeros((0, 2)), [], BOUNDS)
    assert len(panel.plot.train_scatter.points()) == 1
    panel.set_draw_mode(False)
    assert len(panel.plot.train_scatter.points()) == 5


def test_editing_drawn_points_needs_draw_mode_and_valid_input(panel):
    """Adding or removing outside draw mode raises RuntimeError; a bad class or coordinate ValueError."""
    with pytest.raises(RuntimeError):
        panel.add_drawn_point(0.0, 0.0, 0)
    with pytest.raises(RuntimeError):
        panel.remove_nearest_drawn_point(0.0, 0.0)
    panel.set_draw_mode(True)
    for args in ((0.0, 0.0, 2), (0.0, float("nan"), 1), (0.0, 0.0, True)):
        with pytest.raises(ValueError):
            panel.add_drawn_point(*args)
    assert panel.drawn_points()[0].shape == (0, 2)


# ---------------------------------------------------------------- the data in use


def test_imported_data_gets_an_extra_item_and_picking_a_dataset_removes_it(panel, emitted):
    combo = panel.dataset_combo
    listed = combo.count()
    panel.set_data_spec({"name": "circle"})
    panel.show_data_in_use("mine", True, "mine.csv")
    assert (combo.currentText(), combo.currentData()) == ("mine.csv", "mine") and combo.count() == listed + 2
    assert panel.custom_label() == "mine.csv"
    assert emitted == []
    assert panel.data_spec()["name"] == "circle"  # a spec still names a listed dataset
    assert not panel.noise_spin.isEnabled() and not panel.regenerate_button.isEnabled()
    assert not any(check.isEnabled() for check in panel.feature_checks.values())
    combo.setCurrentIndex(combo.findData("moons"))
    assert combo.count() == listed and panel.custom_label() is None
    assert [spec["name"] for spec in emitted] == ["moons"]


def test_a_listed_dataset_in_use_replaces_the_extra_item(panel):
    combo = panel.dataset_combo
    panel.show_data_in_use("mine", True, "mine.csv")
    panel.show_data_in_use("iris", False, "Iris")
    assert combo.currentData() == "iris" and panel.custom_label() is None
    with pytest.raises(ValueError, match="no 'nope'"):
        panel.show_data_in_use("nope", False, "Nope")


def test_the_extra_item_is_never_a_spec_name(panel):
    panel.show_data_in_use("mine", True, "mine.csv")
    with pytest.raises(ValueError, match="unknown dataset 'mine'"):
        panel.set_data_spec({"name": "mine"})


def test_the_test_share_of_imported_data_asks_for_a_new_split_not_other_data(panel, emitted):
    splits: list[float] = []
    panel.sig_custom_split_changed.connect(splits.append)
    panel.show_data_in_use("mine", True, "mine.csv")
    panel.test_fraction_spin.setValue(35)
    assert splits == [0.35] and emitted == []


def test_draw_mode_names_the_drawing_and_leaving_it_goes_back_to_the_listed_dataset(panel, emitted, qtbot):
    _shown(qtbot, panel)
    combo = panel.dataset_combo
    panel.set_data_spec({"name": "moons"})
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert (combo.currentText(), combo.currentData()) == ("Drawn", "drawn")
    panel.show_data_in_use("moons", False, "Two Moons")  # the old data, still in use: the box keeps "Drawn"
    assert combo.currentText() == "Drawn"
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert combo.currentData() == "moons" and panel.custom_label() is None
    assert [spec["name"] for spec in emitted] == ["moons"]


def test_a_declined_draw_toggle_changes_nothing(panel, emitted, drawn, qtbot):
    asked: list[bool] = []
    panel.confirm_draw_toggle = lambda on: asked.append(on) or False
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert asked == [True] and not panel.is_draw_mode() and not panel.draw_button.isChecked()
    assert emitted == [] and drawn == [] and panel.dataset_combo.currentData() == "xor"
    panel.confirm_draw_toggle = lambda on: True
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    panel.confirm_draw_toggle = lambda on: asked.append(on) or False
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert asked == [True, False] and panel.is_draw_mode() and panel.draw_button.isChecked()


def test_the_drawing_as_the_trainer_split_it_is_shown_split(panel):
    """Points that are the drawing itself, split 3/1, show as 3 filled and 1 ring; other points wait."""
    panel.set_draw_mode(True)
    points = [(0.0, 0.0, 0), (1.0, 0.0, 0), (0.0, 1.0, 1), (1.0, 1.0, 1)]
    for x, y, c in points:
        panel.add_drawn_point(x, y, c)
    X = np.array([p[:2] for p in points])
    labels = np.array([p[2] for p in points])
    order = [2, 0, 3, 1]  # the trainer's own order
    panel.set_points(X[order[:3]], labels[order[:3]], X[order[3:]], labels[order[3:]], BOUNDS)
    assert len(panel.plot.train_scatter.points()) == 3 and len(panel.plot.test_scatter.points()) == 1
    assert [label.text for _, label in panel.plot.legend.items][2:] == ["train (3)", "test (1)"]
    panel.set_points(X[:2], labels[:2], X[2:], 1 - labels[2:], BOUNDS)  # not the drawing: classes differ
    assert len(panel.plot.train_scatter.points()) == 3 and len(panel.plot.test_scatter.points()) == 1
