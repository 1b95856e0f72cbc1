"""Tests for the data view: rows and columns shown, train/test marks, editing, adding and deleting rows."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QStyleOptionViewItem, QTableView
from support.widgets import owned

from nnstudio.engine.data.datasets import Dataset
from nnstudio.ui.data.data_table import DataTable
from nnstudio.ui.data.dataset_table_model import DatasetTableModel

DISPLAY, EDIT = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole

IRIS_ROWS = [
    (5.1, 3.5, 1.4, 0.2, 0), (4.9, 3.0, 1.4, 0.2, 0), (4.7, 3.2, 1.3, 0.2, 0), (4.6, 3.1, 1.5, 0.2, 0),
    (5.0, 3.6, 1.4, 0.2, 0), (5.4, 3.9, 1.7, 0.4, 0), (4.6, 3.4, 1.4, 0.3, 0), (7.0, 3.2, 4.7, 1.4, 1),
    (6.4, 3.2, 4.5, 1.5, 1), (6.9, 3.1, 4.9, 1.5, 1), (5.5, 2.3, 4.0, 1.3, 1), (6.5, 2.8, 4.6, 1.5, 1),
    (5.7, 2.8, 4.5, 1.3, 1), (6.3, 3.3, 6.0, 2.5, 2), (5.8, 2.7, 5.1, 1.9, 2), (7.1, 3.0, 5.9, 2.1, 2),
    (6.3, 2.9, 5.6, 1.8, 2), (6.5, 3.0, 5.8, 2.2, 2), (7.6, 3.0, 6.6, 2.1, 2), (4.9, 2.5, 4.5, 1.7, 2),
]
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
CLASSES = ("setosa", "versicolor", "virginica")
TEST_ROWS = np.array([2, 4, 11, 12, 15, 16])
SPECIES = 6  # column of the target: "#", "split", 4 features, species


def iris() -> Dataset:
    rows = np.array(IRIS_ROWS)
    return Dataset("iris", rows[:, :4], rows[:, 4].astype(np.int64), "classification", FEATURES, "species", CLASSES)


def housing() -> Dataset:
    X = np.array([[3.0, 72.5], [4.0, 101.25], [2.0, 48.0], [5.0, 130.0]])
    return Dataset(
        "housing", X, np.array([215000.0, 289500.5, 142000.0, 1 / 3]), "regression", ("rooms", "area"), "price"
    )


@pytest.fixture
def table(qtbot):
    return owned(qtbot, DataTable(), 720, 520)


@pytest.fixture
def editable(table):
    table.set_data(iris(), TEST_ROWS, editable=True)
    return table


@pytest.fixture
def emitted(table):
    """Every Dataset the table emits, in order."""
    datasets: list[Dataset] = []
    table.sig_data_edited.connect(datasets.append)
    return datasets


def text(table: DataTable, row: int, column: int, role=DISPLAY) -> str:
    return table.model.data(table.model.index(row, column), role)


def edit(table: DataTable, row: int, column: int, value: object) -> bool:
    return table.model.setData(table.model.index(row, column), value, EDIT)


# ---------------------------------------------------------------- showing data


def test_widgets_are_reachable_by_object_name(table):
    """The view, caption, status and buttons are found by objectName."""
    assert table.findChild(QTableView, "dataTable") is table.view
    assert table.findChild(QLabel, "dataCaption") is table.caption_label
    assert table.findChild(QLabel, "dataStatus") is table.status_label
    assert table.findChild(QPushButton, "addRowButton") is table.add_row_button
    assert table.findChild(QPushButton, "deleteRowsButton") is table.delete_rows_button
    assert table.view.model() is table.model


def test_an_empty_table_says_no_data(table):
    """Before set_data the table has no rows, no columns and a "No data" caption."""
    assert (table.model.rowCount(), table.model.columnCount()) == (0, 0)
    assert table.caption_label.text() == "No data"
    assert table.dataset() is None


def test_rows_and_columns_of_the_dataset_are_shown(table):
    """One row per sample; columns "#", "split", the features, then the target."""
    table.set_data(iris(), TEST_ROWS, editable=False)
    model = table.model
    assert (model.rowCount(), model.columnCount()) == (20, 7)
    headers = [model.headerData(c, Qt.Orientation.Horizontal, DISPLAY) for c in range(7)]
    assert headers == ["#", "split", *FEATURES, "species"]
    assert [text(table, 0, c) for c in range(7)] == ["1", "train", "5.1", "3.5", "1.4", "0.2", "setosa"]
    assert [text(table, 19, c) for c in (0, 2, 6)] == ["20", "4.9", "virginica"]


def test_the_split_column_marks_test_rows_and_tints_them(table):
    """Test rows read "test" and get a background; training rows read "train" and get none."""
    table.set_data(iris(), TEST_ROWS, editable=False)
    splits = [text(table, r, 1) for r in range(20)]
    assert [r for r, s in enumerate(splits) if s == "test"] == list(TEST_ROWS)
    background = Qt.ItemDataRole.BackgroundRole
    assert table.model.data(table.model.index(2, 3), background) is not None
    assert table.model.data(table.model.index(0, 3), background) is None
    np.testing.assert_array_equal(table.test_rows(), TEST_ROWS)


def test_a_boolean_mask_also_marks_test_rows(table):
    """test_rows may be a boolean mask of length n_samples."""
    mask = np.zeros(20, dtype=bool)
    mask[[0, 19]] = True
    table.set_data(iris(), mask)
    np.testing.assert_array_equal(table.test_rows(), [0, 19])


def test_out_of_range_test_rows_are_refused(table):
    """A test row index past the end raises ValueError."""
    with pytest.raises(ValueError):
        table.set_data(iris(), [3, 20])
    with pytest.raises(ValueError):
        table.set_data(iris(), [1.5])


def test_numbers_show_six_significant_digits_and_edit_in_full(table):
    """Display uses up to 6 significant digits; the edit role gives the exact repr."""
    table.set_data(housing(), [1])
    assert text(table, 3, 4) == "0.333333"
    assert text(table, 3, 4, EDIT) == repr(1 / 3)
    assert text(table, 1, 3) == "101.25"
    assert text(table, 1, 4) == "289500"  # .6g rounds; the edit role keeps the .5
    assert text(table, 1, 4, EDIT) == "289500.5"


def test_the_caption_counts_rows_and_says_whether_it_is_editable(table):
    """The caption reads "iris · 20 rows (14 train / 6 test) · read-only" or "… · editable"."""
    table.set_data(iris(), TEST_ROWS, editable=False)
    caption = table.caption_label.text()
    assert "iris" in caption and caption.endswith("· 20 rows (14 train / 6 test) · read-only")
    table.set_data(iris(), TEST_ROWS, editable=True)
    assert table.caption_label.text().endswith("· 20 rows (14 train / 6 test) · editable: double-click a cell")


def test_headers_have_tooltips(table):
    """Every column header explains itself; the target's names the classes."""
    table.set_data(iris(), TEST_ROWS)
    tips = [table.model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) for c in range(7)]
    assert all(tips)
    assert "setosa, versicolor, virginica" in tips[SPECIES]
    assert "sepal_length" in tips[2]


def test_class_targets_carry_the_class_colour(table):
    """A classification target cell has a colour swatch; regression targets do not."""
    table.set_data(iris(), TEST_ROWS)
    decoration = Qt.ItemDataRole.DecorationRole
    assert table.model.data(table.model.index(0, SPECIES), decoration) != table.model.data(
        table.model.index(19, SPECIES), decoration)
    table.set_data(housing(), [])
    assert table.model.data(table.model.index(0, 4), decoration) is None


def test_set_data_does_not_emit(table, emitted):
    """Showing a dataset is not an edit."""
    table.set_data(iris(), TEST_ROWS, editable=True)
    assert emitted == []


# ---------------------------------------------------------------- read-only


def test_read_only_data_refuses_edits_and_row_changes(table, emitted):
    """Without editable, cells are not editable, setData is refused and the buttons are disabled."""
    table.set_data(iris(), TEST_ROWS, editable=False)
    assert not table.model.flags(table.model.index(0, 2)) & Qt.ItemFlag.ItemIsEditable
    assert edit(table, 0, 2, "6.0") is False
    assert not table.add_row_button.isEnabled() and not table.delete_rows_button.isEnabled()
    table.view.selectRow(0)
    assert not table.delete_rows_button.isEnabled()
    assert table.add_row() is False and table.delete_rows([0]) is False
    assert emitted == []
    assert text(table, 0, 2) == "5.1" and table.model.rowCount() == 20


def test_number_and_split_columns_are_never_editable(editable):
    """Only feature and target cells can be edited."""
    flags = editable.model.flags
    index = editable.model.index
    assert not flags(index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert not flags(index(0, 1)) & Qt.ItemFlag.ItemIsEditable
    assert flags(index(0, 2)) & Qt.ItemFlag.ItemIsEditable
    assert flags(index(0, SPECIES)) & Qt.ItemFlag.ItemIsEditable


# ---------------------------------------------------------------- editing


def test_a_number_edit_emits_a_dataset_with_the_new_value(editable, qtbot):
    """Typing 2.75 into row 3, sepal_width emits a Dataset whose X holds 2.75 there."""
    with qtbot.waitSignal(editable.sig_data_edited, timeout=1000) as blocker:
        assert edit(editable, 2, 3, " 2.75 ") is True
    dataset = blocker.args[0]
    assert isinstance(dataset, Dataset)
    assert dataset.X[2, 1] == 2.75
    assert dataset.X.shape == (20, 4) and dataset.feature_names == FEATURES
    assert dataset.class_names == CLASSES and dataset.name == "iris"
    assert text(editable, 2, 3) == "2.75"
    assert editable.dataset().X[2, 1] == 2.75
    np.testing.assert_array_equal(editable.test_rows(), TEST_ROWS)


def test_edits_do_not_touch_the_dataset_that_was_shown(table, qtbot):
    """The table edits a copy: the Dataset passed to set_data keeps its values."""
    original = iris()
    table.set_data(original, TEST_ROWS, editable=True)
    edit(table, 0, 2, "9")
    assert original.X[0, 0] == 5.1


@pytest.mark.parametrize("value, reason", [
    ("abc", "row 3, sepal_width: 'abc' is not a number"),
    ("nan", "row 3, sepal_width: 'nan' is not a finite number"),
    ("-inf", "row 3, sepal_width: '-inf' is not a finite number"),
    (float("nan"), "row 3, sepal_width: nan is not a finite number"),
    ("1e999", "row 3, sepal_width: '1e999' is not a finite number"),
    ("", "row 3, sepal_width: '' is not a number"),
    ("1_000", "row 3, sepal_width: '1_000' is not a number"),
])
def test_a_bad_number_is_refused_without_emitting(editable, emitted, value, reason):
    """Text, NaN and infinity are refused: setData is False, X is unchanged, the status says why."""
    assert edit(editable, 2, 3, value) is False
    assert emitted == []
    assert text(editable, 2, 3) == "3.2"
    assert editable.message().startswith(reason)


def test_a_valid_edit_clears_the_refusal(editable):
    """After a refused edit, an accepted one clears the status line."""
    edit(editable, 2, 3, "abc")
    assert editable.message()
    edit(editable, 2, 3, "3.3")
    assert editable.message() == ""


def test_an_unchanged_value_does_not_emit(editable, emitted):
    """Re-entering the same number is accepted but there is nothing new to train on."""
    assert edit(editable, 0, 2, "5.1") is True
    assert emitted == []


def test_a_target_edit_to_another_class_changes_y(editable, emitted):
    """Setting row 1's species to virginica emits y[0] == 2; an unknown class is refused."""
    assert edit(editable, 0, SPECIES, "virginica") is True
    assert emitted[-1].y[0] == 2
    assert text(editable, 0, SPECIES) == "virginica"
    assert edit(editable, 0, SPECIES, "daisy") is False
    assert len(emitted) == 1
    assert editable.message() == "row 1, species: 'daisy' is not one of the classes (setosa, versicolor, virginica)"


def test_a_regression_target_takes_numbers_only(table, emitted):
    """A regression target accepts a finite number and refuses text."""
    table.set_data(housing(), [1], editable=True)
    assert edit(table, 0, 4, "199999.5") is True
    assert emitted[-1].y[0] == 199999.5
    assert edit(table, 0, 4, "cheap") is False
    assert "row 1, price: 'cheap' is not a number" in table.message()
    assert len(emitted) == 1


def test_the_class_target_is_edited_with_a_drop_down(editable, emitted):
    """The delegate gives a combo of class names for the class column and a line edit elsewhere."""
    delegate = editable.view.itemDelegate()
    index = editable.model.index(0, SPECIES)
    combo = delegate.createEditor(editable.view.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == list(CLASSES)
    delegate.setEditorData(combo, index)
    assert combo.currentText() == "setosa"
    combo.setCurrentText("versicolor")
    delegate.setModelData(combo, editable.model, index)
    assert emitted[-1].y[0] == 1
    line = delegate.createEditor(editable.view.viewport(), QStyleOptionViewItem(), editable.model.index(0, 2))
    assert isinstance(line, QLineEdit)


def test_typing_into_a_cell_edits_it(editable, emitted, qtbot):
    """Editing through the view's line edit and Enter reaches setData."""
    editable.show()
    qtbot.waitExposed(editable)
    index = editable.model.index(4, 5)
    editable.view.setCurrentIndex(index)
    editable.view.edit(index)
    editor = editable.view.findChild(QLineEdit)
    assert editor is not None and editor.text() == "0.2"
    editor.setText("0.25")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(emitted), timeout=1000)  # the delegate commits on a queued call
    assert emitted[-1].X[4, 3] == 0.25


# ---------------------------------------------------------------- rows


def test_add_row_appends_a_copy_of_the_last_row(editable, emitted, qtbot):
    """Add row emits a Dataset with one more row, a copy of the last, marked train."""
    assert editable.add_row_button.isEnabled()
    qtbot.mouseClick(editable.add_row_button, Qt.MouseButton.LeftButton)
    dataset = emitted[-1]
    assert dataset.n_samples == 21
    np.testing.assert_array_equal(dataset.X[20], dataset.X[19])
    assert dataset.y[20] == dataset.y[19]
    assert text(editable, 20, 1) == "train"
    np.testing.assert_array_equal(editable.test_rows(), TEST_ROWS)
    assert "21 rows (15 train / 6 test)" in editable.caption_label.text()


def test_delete_rows_removes_the_selected_rows(editable, emitted, qtbot):
    """Delete rows emits a Dataset with the selected row gone; later test rows move up."""
    assert not editable.delete_rows_button.isEnabled()  # nothing selected yet
    editable.view.selectRow(3)
    assert editable.delete_rows_button.isEnabled()
    qtbot.mouseClick(editable.delete_rows_button, Qt.MouseButton.LeftButton)
    dataset = emitted[-1]
    assert dataset.n_samples == 19
    assert dataset.X[3, 0] == 5.0  # row 5 moved up
    np.testing.assert_array_equal(editable.test_rows(), [2, 3, 10, 11, 14, 15])
    assert "19 rows (13 train / 6 test)" in editable.caption_label.text()


def test_deleting_several_rows_emits_once(editable, emitted):
    """Deleting scattered rows is one edit."""
    assert editable.delete_rows([0, 1, 7, 19]) is True
    assert len(emitted) == 1 and emitted[0].n_samples == 16
    assert emitted[0].X[0, 0] == 4.7


def test_the_last_row_cannot_be_deleted(editable, emitted):
    """Deleting every row is refused: a dataset keeps at least one."""
    editable.view.selectAll()
    assert editable.delete_rows() is False
    assert emitted == [] and editable.model.rowCount() == 20
    assert "at least one row" in editable.message()
    assert editable.delete_rows(range(19)) is True
    assert emitted[-1].n_samples == 1


# ---------------------------------------------------------------- large data


def test_a_digits_sized_dataset_is_shown_lazily(table, qtbot, monkeypatch):
    """1797 × 64 sets and paints while data() is asked about a small fraction of the rows."""
    rows_asked: set[int] = set()
    original = DatasetTableModel.data

    def counting(self, index, role=DISPLAY):
        rows_asked.add(index.row())
        return original(self, index, role)

    monkeypatch.setattr(DatasetTableModel, "data", counting)
    rng = np.random.default_rng(0)
    digits = Dataset("digits", rng.integers(0, 17, (1797, 64)).astype(float), rng.integers(0, 10, 1797),
                     "classification", tuple(f"pixel_{i}" for i in range(64)), "digit",
                     tuple(str(d) for d in range(10)))
    table.show()
    qtbot.waitExposed(table)
    table.set_data(digits, np.arange(0, 1797, 5), editable=True)
    table.view.viewport().repaint()
    assert (table.model.rowCount(), table.model.columnCount()) == (1797, 67)
    assert rows_asked  # the view did ask, so the count is real
    assert len(rows_asked) < 200  # on-screen rows and a sample for column widths, not all 1797
    assert text(table, 1796, 65) == f"{digits.X[1796, 63]:.6g}"
    assert "1797 rows (1437 train / 360 test)" in table.caption_label.text()
