"""Tests for the Data panel: its controls, the spec it emits, the dataset list, extra inputs and the data in use."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox

from nnstudio.engine.data import datasets as engine_datasets
from nnstudio.engine.data.datasets import FEATURES, GENERATOR_NAMES, generate, train_test_split
from nnstudio.engine.run.seeds import MAX_SEED
from nnstudio.ui.data.dataset_combo import DATASET_LABELS
from nnstudio.ui.data.dataset_panel import SPEC_KEYS, DatasetPanel

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
    """Five check boxes x1², x2², x1·x2, sin x1, sin x2, found by objectName, unchecked, read left to right, top down.
    """
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
