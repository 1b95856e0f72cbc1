"""Data in the window: real datasets, regression, drawn points, imported CSVs, the table."""

import numpy as np
from support.acknowledged import settle, wait_acknowledged

from nnstudio.engine.data.datasets import Dataset

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
    # entering draw mode trained on XOR's 200 points first; wait for the five drawn after them
    qtbot.waitUntil(lambda: window.data_view.name == "drawn" and window.data_view.dataset.n_samples == 5,
                    timeout=TIMEOUT)
    assert window.data_view.custom
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == 1, timeout=TIMEOUT)


def test_opening_a_csv_trains_on_it_and_the_table_lists_it(make_window, qtbot, tmp_path, monkeypatch):
    """File › Open dataset… loads a CSV; the data table shows its rows, editable; an edit retrains."""
    window = make_window()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    dataset = Dataset(
        "mine", X, (X[:, 0] > 0).astype(np.int64), "classification", ("a", "b", "c"), "label", ("no", "yes")
    )
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
    settle(qtbot, window)
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


# -- draw mode and the data in use ---------------------------------------------------------------

def step(window, qtbot, n):
    target = window.latest.cycle + n
    window.controls.step_count_spin.setValue(n)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == target, timeout=TIMEOUT)


def legend(window) -> list[str]:
    return [label.text for _, label in window.dataset_panel.plot.legend.items]


def asked(window, monkeypatch, answer: bool) -> list[str]:
    """Answer the draw-mode question with ``answer``; returns the questions asked."""
    questions: list[str] = []

    def ask(text):
        questions.append(text)
        return answer

    monkeypatch.setattr(window.data, "_ask_discard", ask)
    return questions


def test_draw_mode_asks_before_dropping_training_and_cancel_keeps_it(make_window, qtbot, monkeypatch):
    window = make_window()
    step(window, qtbot, 5)
    questions = asked(window, monkeypatch, False)
    sent = window.worker.sent
    window.dataset_panel.draw_button.click()
    assert len(questions) == 1 and "5 cycles" in questions[0]
    assert not window.dataset_panel.is_draw_mode() and not window.dataset_panel.draw_button.isChecked()
    assert window.worker.sent == sent  # commands go out at once: none did
    settle(qtbot, window)
    assert window.latest.cycle == 5 and window.data_view.name == "xor"
    assert window.dataset_panel.dataset_combo.currentText() == "XOR"


def test_draw_mode_asks_on_the_way_out_too_and_goes_once_agreed(make_window, qtbot, monkeypatch):
    window = make_window()
    panel = window.dataset_panel
    asked(window, monkeypatch, True)
    panel.draw_button.click()  # XOR's points become the drawn set
    qtbot.waitUntil(lambda: window.data_view.name == "drawn", timeout=TIMEOUT)
    step(window, qtbot, 3)
    questions = asked(window, monkeypatch, False)
    panel.draw_button.click()
    assert len(questions) == 1 and "3 cycles" in questions[0] and "XOR" in questions[0]
    assert panel.is_draw_mode() and window.latest.cycle == 3
    asked(window, monkeypatch, True)
    panel.draw_button.click()
    qtbot.waitUntil(lambda: window.data_view.name == "xor", timeout=TIMEOUT)
    assert not panel.is_draw_mode() and panel.dataset_combo.currentText() == "XOR"


def test_no_question_when_nothing_was_trained(make_window, qtbot, monkeypatch):
    window = make_window()
    questions = asked(window, monkeypatch, False)
    window.dataset_panel.draw_button.click()
    assert questions == [] and window.dataset_panel.is_draw_mode()


def test_while_drawing_the_box_says_drawn_and_legend_and_status_agree_on_the_split(make_window, qtbot):
    """Ten drawn points, 20 % held out: the trainer's 8/2 split is what the legend and the status bar say."""
    window = make_window()
    panel = window.dataset_panel
    panel.draw_button.click()
    assert panel.dataset_combo.currentText() == "Drawn" and panel.dataset_combo.currentData() == "drawn"
    panel.clear_drawn_points()
    for k in range(5):
        panel.add_drawn_point(-1.0 - 0.1 * k, -1.0, 0)
        panel.add_drawn_point(1.0 + 0.1 * k, 1.0, 1)
    qtbot.waitUntil(lambda: window.data_view.name == "drawn" and window.data_view.dataset.n_samples == 10,
                    timeout=TIMEOUT)
    assert (len(window.data_view.train_idx), len(window.data_view.test_idx)) == (8, 2)
    qtbot.waitUntil(lambda: legend(window)[2:] == ["train (8)", "test (2)"], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "Split: 8 train, 2 test." in window.statusBar().currentMessage(), timeout=TIMEOUT)
    assert len(panel.plot.test_scatter.points()) == 2  # the held-out points are drawn as rings


def test_the_test_share_applies_to_drawn_points(make_window, qtbot):
    window = make_window()
    panel = window.dataset_panel
    panel.draw_button.click()
    qtbot.waitUntil(lambda: window.data_view.name == "drawn", timeout=TIMEOUT)
    panel.test_fraction_spin.setValue(50)
    qtbot.waitUntil(lambda: len(window.data_view.test_idx) == 100, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: legend(window)[2:] == ["train (100)", "test (100)"], timeout=TIMEOUT)


def import_csv(window, qtbot, monkeypatch, dataset, file_name):
    def ask():
        window.data._imported_file = file_name
        return dataset

    monkeypatch.setattr(window.data, "_ask_dataset", ask)
    window.open_dataset_action.trigger()
    qtbot.waitUntil(lambda: window.data_view.name == dataset.name, timeout=TIMEOUT)


def _mine(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return Dataset("mine", X, (X[:, 0] > 0).astype(np.int64), "classification", ("a", "b", "c"), "label", ("no", "yes"))


def test_after_an_import_the_box_names_the_file_and_the_test_share_resplits_it(make_window, qtbot, monkeypatch):
    window = make_window()
    combo = window.dataset_panel.dataset_combo
    listed = combo.count()
    import_csv(window, qtbot, monkeypatch, _mine(), "mine.csv")
    assert combo.currentText() == "mine.csv" and combo.currentData() == "mine"
    assert not window.dataset_panel.noise_spin.isEnabled()
    assert len(window.data_view.test_idx) < 12  # 20 % held out
    window.dataset_panel.test_fraction_spin.setValue(50)
    qtbot.waitUntil(lambda: len(window.data_view.test_idx) >= 18, timeout=TIMEOUT)
    assert window.data_view.name == "mine" and combo.currentText() == "mine.csv"  # not back to XOR
    pick(window, qtbot, "circle")
    assert combo.count() == listed and combo.currentText() == "Circle"


def test_a_hostile_file_name_is_shown_as_plain_text_on_one_line(make_window, qtbot, monkeypatch):
    window = make_window()
    name = "a\nb\t<b>bold</b> & 'x'" + "y" * 80 + ".csv"
    import_csv(window, qtbot, monkeypatch, _mine(), name)
    text = window.dataset_panel.dataset_combo.currentText()
    assert text.startswith("a b <b>bold</b> & 'x'yyy") and "\n" not in text and len(text) <= 40
    assert text.endswith("\u2026")


def test_reopening_the_session_of_an_import_names_the_data(make_window, qtbot, monkeypatch, tmp_path):
    """A session saved with imported data brings its name back into the box, not XOR."""
    window = make_window()
    import_csv(window, qtbot, monkeypatch, _mine(), "mine.csv")
    path = str(tmp_path / "mine.nnstudio")
    wait_acknowledged(qtbot, window, window.send("save_session", path))
    second = make_window()
    wait_acknowledged(qtbot, second, second.send("open_session", path))
    assert second.data_view.name == "mine"
    combo = second.dataset_panel.dataset_combo
    assert combo.currentData() == "mine" and combo.currentText() == "mine"
