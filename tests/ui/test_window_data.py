"""Data in the window: real datasets, regression, drawn points, imported CSVs, the table."""

import numpy as np

from nnstudio.engine.datasets import Dataset

TIMEOUT = 20_000


def pick(window, qtbot, name):
    combo = window.dataset_panel.dataset_combo
    combo.setCurrentIndex(combo.findData(name))
    qtbot.waitUntil(lambda: window.data_view is not None and window.data_view.name == name, timeout=TIMEOUT)


def test_iris_shows_a_confusion_matrix_instead_of_the_plane(make_window, qtbot):
    """Four inputs, three classes: the boundary plot gives way to the test split's confusion matrix."""
    window = make_window()
    pick(window, qtbot, "iris")
    assert window.latest.spec.sizes[0] == 4 and window.latest.spec.sizes[-1] == 3
    assert window.insight_stack.isVisibleTo(window) and not window.dataset_panel.plot.isVisibleTo(window)
    assert window.insight_stack.current_kind() == "confusion"
    window.controls.step_count_spin.setValue(50)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == 50, timeout=TIMEOUT)
    counts = window.latest.confusion
    assert counts.shape == (3, 3) and counts.sum() == len(window.data_view.test_idx) == 30


def test_digits_show_the_sample_and_classify_the_drawing_pad(make_window, qtbot):
    """Digits: the current sample as an 8×8 image, and the pad's drawing gets a verdict."""
    window = make_window()
    pick(window, qtbot, "digits")
    assert window.insight_stack.current_kind() == "digits"
    view = window.insight_stack.digit_view
    qtbot.waitUntil(lambda: "predicted" in view.prediction_title.text(), timeout=TIMEOUT)
    one = np.zeros((8, 8))
    one[1:7, 3:5] = 16
    view.set_pad_pixels(one)
    window.data._on_pad_changed(view.pad_pixels())
    assert view.pad_title.text().startswith("you drew: ")
    assert "—" not in view.pad_title.text()


def test_regression_data_gets_a_linear_output_and_no_accuracy(make_window, qtbot):
    """Plane is regression: the output layer turns linear, accuracy is not reported."""
    window = make_window()
    pick(window, qtbot, "plane")
    assert window.latest.spec.activations[-1] == "linear"
    assert window.latest.predictions is not None and window.latest.boundary is not None
    assert "acc" not in window.metrics_label.text()


def test_drawn_points_train_like_any_other_data(make_window, qtbot):
    """Points drawn in draw mode become the training data once each class has two."""
    window = make_window()
    panel = window.dataset_panel
    panel.draw_button.click()
    panel.clear_drawn_points()
    for x, y, c in [(-1, -1, 0), (-1.2, -0.8, 0), (1, 1, 1), (0.9, 1.2, 1), (-1, 1, 0)]:
        panel.add_drawn_point(x, y, c)
    qtbot.waitUntil(lambda: window.data_view.name == "drawn", timeout=TIMEOUT)
    assert window.data_view.dataset.n_samples == 5 and window.data_view.custom
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == 1, timeout=TIMEOUT)


def test_opening_a_csv_trains_on_it_and_the_table_lists_it(make_window, qtbot, tmp_path, monkeypatch):
    """File › Open dataset… loads a CSV; the data table shows its rows, editable; an edit retrains."""
    window = make_window()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    dataset = Dataset("mine", X, (X[:, 0] > 0).astype(np.int64), "classification", ("a", "b", "c"), "label", ("no", "yes"))
    monkeypatch.setattr(window.data, "_ask_dataset", lambda: dataset)
    window.open_dataset_action.trigger()
    qtbot.waitUntil(lambda: window.data_view.name == "mine", timeout=TIMEOUT)
    assert window.latest.spec.sizes == (3, 4, 1)
    table = window.data_table
    assert table.model.rowCount() == 40 and table.is_editable()
    index = table.model.index(0, 2)  # "#", "split", then feature a
    assert table.model.setData(index, "5.5")
    qtbot.waitUntil(lambda: window.data_view.dataset.X[0, 0] == 5.5, timeout=TIMEOUT)


def test_cancelled_open_changes_nothing(make_window, qtbot, monkeypatch):
    """Cancelling the import (or a refused file) leaves the data as it was."""
    window = make_window()
    monkeypatch.setattr(window.data, "_ask_dataset", lambda: None)
    generation = window.latest.generation
    window.open_dataset_action.trigger()
    qtbot.wait(200)
    assert window.latest.generation == generation and window.data_view.name == "xor"


def test_extra_input_features_grow_the_input_layer(make_window, qtbot):
    """Ticking x1² and sin x2 gives the network four inputs and keeps the plane view."""
    window = make_window()
    panel = window.dataset_panel
    for name in ("featureCheck_x1_squared", "featureCheck_sin_x2"):
        box = panel.findChild(object, name)
        box.setChecked(True)
    qtbot.waitUntil(lambda: window.latest.spec.sizes[0] == 4, timeout=TIMEOUT)
    assert window.data_view.bounds is not None and window.latest.boundary is not None
    assert window.dataset_panel.plot.isVisibleTo(window)
