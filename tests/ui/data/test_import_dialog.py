"""Tests for File › Open dataset… with a good file: the preview, target and task choices, loading, ask_dataset."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QTableWidget
from support.import_files import IRIS, load_button

from nnstudio.ui.data import import_dialog, preview_table
from nnstudio.ui.data.import_dialog import ImportDialog, ask_dataset
from nnstudio.ui.data.import_preview import PREVIEW_ROWS, format_size

# x1, x2 and a float column y are numeric; label is a small integer class
NUMERIC = "x1,x2,y,label\n" + "".join(
    f"{i * 0.5},{(i * 7) % 5}.25,{i * 1.37:.2f},{i % 2}\n" for i in range(12)
)


# ---------------------------------------------------------------- a good file


def test_widgets_are_reachable_by_object_name(iris_dialog):
    """The dialog and its preview, combos and message are found by objectName."""
    assert iris_dialog.objectName() == "importDialog"
    assert iris_dialog.findChild(QTableWidget, "importPreviewTable") is iris_dialog.preview_table
    assert iris_dialog.findChild(QComboBox, "importTargetCombo") is iris_dialog.target_combo
    assert iris_dialog.findChild(QComboBox, "importTaskCombo") is iris_dialog.task_combo
    assert iris_dialog.findChild(QLabel, "importMessage") is iris_dialog.message_label
    assert load_button(iris_dialog).text().replace("&", "") == "Load"


def test_preview_shows_the_header_and_first_rows(iris_dialog):
    """The preview's columns are the header and its rows the data, labelled with file line numbers."""
    table = iris_dialog.preview_table
    assert table.columnCount() == 5 and table.rowCount() == 20
    headers = [table.horizontalHeaderItem(c).text() for c in range(5)]
    assert headers == ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    assert [table.item(0, c).text() for c in range(5)] == ["5.1", "3.5", "1.4", "0.2", "setosa"]
    assert table.verticalHeaderItem(0).text() == "2"  # line 1 is the header
    assert table.item(19, 4).text() == "virginica"


def test_preview_is_read_only(iris_dialog):
    """Cells in the preview cannot be edited."""
    assert iris_dialog.preview_table.editTriggers() == QTableWidget.EditTrigger.NoEditTriggers


def test_preview_stops_after_the_first_rows_of_a_long_file(write, open_dialog):
    """Only the first PREVIEW_ROWS data rows are shown, while the whole file loads."""
    text = "a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(500))
    dialog = open_dialog(write(text))
    assert dialog.preview_table.rowCount() == PREVIEW_ROWS
    assert dialog.load()
    assert dialog.dataset().n_samples == 500


def test_preview_reads_semicolon_and_tab_separated_files(write, open_dialog):
    """The preview splits on ; and tab as the engine does."""
    for sep in ";\t":
        dialog = open_dialog(write(IRIS.replace(",", sep), "sep.csv"))
        assert dialog.preview_table.columnCount() == 5
        assert dialog.preview_table.item(0, 4).text() == "setosa"


def test_file_label_names_the_file_its_size_and_the_limit(iris_dialog):
    """The file line reads like "iris.csv · 563 B (limit 50 MB)"."""
    text = iris_dialog.file_label.text()
    assert "iris.csv" in text
    assert f"{format_size(len(IRIS.encode()))} (limit 50 MB)" in text


def test_target_defaults_to_the_last_column_and_is_tinted(iris_dialog):
    """The last column is the target, and the preview tints that column only."""
    assert iris_dialog.target_combo.currentText() == "species"
    assert iris_dialog.target() == "species"
    assert iris_dialog.target_combo.itemText(0) == "sepal_length"
    table = iris_dialog.preview_table
    assert table.item(0, 4).background().color() == preview_table.TARGET_TINT
    assert table.item(0, 0).background().style() == Qt.BrushStyle.NoBrush
    assert table.horizontalHeaderItem(4).font().bold()


def test_task_is_auto_detected_and_summarised(iris_dialog):
    """Auto names the detected task and the message summarises rows, features and classes."""
    combo = iris_dialog.task_combo
    assert combo.currentData() is None
    assert combo.itemText(0) == "Auto (classification)"
    assert [combo.itemData(i) for i in range(combo.count())] == [None, "classification", "regression"]
    assert iris_dialog.detected_task() == "classification"
    assert iris_dialog.message() == "20 rows · 4 features · classification, 3 classes"


def test_load_returns_the_dataset_and_accepts(iris_dialog):
    """Load reads the whole file with the chosen target; the dialog is accepted."""
    assert iris_dialog.dataset() is None
    assert iris_dialog.load() is True
    dataset = iris_dialog.dataset()
    assert dataset.X.shape == (20, 4)
    assert dataset.task == "classification"
    assert dataset.class_names == ("setosa", "versicolor", "virginica")
    assert dataset.feature_names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert dataset.name == "iris"
    assert iris_dialog.result() == QDialog.DialogCode.Accepted


def test_the_load_button_loads(iris_dialog, qtbot):
    """Clicking Load runs load() and accepts the dialog."""
    with qtbot.waitSignal(iris_dialog.accepted, timeout=1000):
        qtbot.mouseClick(load_button(iris_dialog), Qt.MouseButton.LeftButton)
    assert iris_dialog.dataset() is not None


def test_choosing_a_float_column_as_target_detects_regression(write, open_dialog):
    """A float target column switches Auto to regression; Load then gives a regression dataset."""
    dialog = open_dialog(write(NUMERIC))
    assert dialog.task_combo.itemText(0) == "Auto (classification)"  # label: integers 0/1
    dialog.set_target("y")
    assert dialog.target_combo.currentText() == "y"
    assert dialog.task_combo.itemText(0) == "Auto (regression)"
    assert dialog.message() == "12 rows · 3 features · regression"
    assert dialog.preview_table.item(0, 2).background().color() == preview_table.TARGET_TINT
    assert dialog.preview_table.item(0, 3).background().style() == Qt.BrushStyle.NoBrush
    assert dialog.load()
    dataset = dialog.dataset()
    assert dataset.task == "regression"
    assert dataset.feature_names == ("x1", "x2", "label")
    np.testing.assert_allclose(dataset.y[:3], [0.0, 1.37, 2.74])


def test_picking_the_target_in_the_combo_re_detects(write, open_dialog):
    """A user's choice in the target combo re-detects just like set_target."""
    dialog = open_dialog(write(NUMERIC))
    dialog.target_combo.setCurrentIndex(2)
    assert dialog.detected_task() == "regression"


def test_an_explicit_task_overrides_detection(write, open_dialog):
    """Choosing Regression loads integer labels as numbers."""
    dialog = open_dialog(write(NUMERIC))
    dialog.set_task("regression")
    assert dialog.task_combo.currentData() == "regression"
    assert dialog.message().endswith("regression")
    assert dialog.load()
    assert dialog.dataset().task == "regression"


def test_an_impossible_task_is_refused_with_the_reason(iris_dialog):
    """Regression on text labels names the line and column, and nothing loads."""
    iris_dialog.set_task("regression")
    assert "line 2, column 'species'" in iris_dialog.message()
    assert iris_dialog.load() is False
    assert iris_dialog.dataset() is None
    iris_dialog.set_task(None)
    assert iris_dialog.load() is True


def test_set_target_and_set_task_refuse_unknown_values(iris_dialog):
    """Unknown column names and tasks raise ValueError."""
    with pytest.raises(ValueError):
        iris_dialog.set_target("colour")
    with pytest.raises(ValueError):
        iris_dialog.set_task("clustering")


def test_format_size_reads_like_a_file_manager():
    """Sizes use B, KB and MB with at most one decimal."""
    assert format_size(0) == "0 B"
    assert format_size(812) == "812 B"
    assert format_size(4710) == "4.6 KB"
    assert format_size(50 * 1024 * 1024) == "50 MB"


# ---------------------------------------------------------------- ask_dataset


def test_ask_dataset_returns_none_when_no_file_is_picked(monkeypatch, qtbot):
    """Cancelling the file dialog returns None."""
    monkeypatch.setattr(import_dialog.QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    assert ask_dataset(None) is None


def test_ask_dataset_returns_the_loaded_dataset(monkeypatch, write, qtbot):
    """A picked file that loads comes back as a Dataset; a refused one as None."""
    good, bad = write(IRIS, "iris.csv"), write("x1,x2,label\n1,2,a\n3,4\n", "bad.csv")
    filters = []

    def pick(path):
        def fake(parent, caption, directory, filter_):
            filters.append(filter_)
            return str(path), filter_
        return fake

    # exec() stands in for the user pressing Load (and then Cancel if it is refused)
    monkeypatch.setattr(ImportDialog, "exec", lambda self: 1 if self.load() else 0)
    monkeypatch.setattr(import_dialog.QFileDialog, "getOpenFileName", pick(good))
    assert ask_dataset(None).X.shape == (20, 4)
    monkeypatch.setattr(import_dialog.QFileDialog, "getOpenFileName", pick(bad))
    assert ask_dataset(None) is None
    assert filters[0] == "CSV files (*.csv *.tsv *.txt);;All files (*)"
