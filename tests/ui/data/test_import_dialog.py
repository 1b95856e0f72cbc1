"""Tests for File › Open dataset…: the preview, target and task choices, loading, and refused files."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QTableWidget

from nnstudio.engine.data import csv_io
from nnstudio.ui.data import import_dialog, preview_table
from nnstudio.ui.data.import_dialog import ImportDialog, ask_dataset
from nnstudio.ui.data.import_preview import PREVIEW_BYTES, PREVIEW_ROWS, format_size
from nnstudio.ui.plotting import colormaps

IRIS = """sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
4.9,3.0,1.4,0.2,setosa
4.7,3.2,1.3,0.2,setosa
4.6,3.1,1.5,0.2,setosa
5.0,3.6,1.4,0.2,setosa
5.4,3.9,1.7,0.4,setosa
4.6,3.4,1.4,0.3,setosa
7.0,3.2,4.7,1.4,versicolor
6.4,3.2,4.5,1.5,versicolor
6.9,3.1,4.9,1.5,versicolor
5.5,2.3,4.0,1.3,versicolor
6.5,2.8,4.6,1.5,versicolor
5.7,2.8,4.5,1.3,versicolor
6.3,3.3,6.0,2.5,virginica
5.8,2.7,5.1,1.9,virginica
7.1,3.0,5.9,2.1,virginica
6.3,2.9,5.6,1.8,virginica
6.5,3.0,5.8,2.2,virginica
7.6,3.0,6.6,2.1,virginica
4.9,2.5,4.5,1.7,virginica
"""

# x1, x2 and a float column y are numeric; label is a small integer class
NUMERIC = "x1,x2,y,label\n" + "".join(
    f"{i * 0.5},{(i * 7) % 5}.25,{i * 1.37:.2f},{i % 2}\n" for i in range(12)
)


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def make(content: str | bytes, name: str = "data.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return make


@pytest.fixture
def open_dialog(qtbot):
    """Construct an ImportDialog for a path (never exec'ed)."""

    def make(path: Path) -> ImportDialog:
        dialog = ImportDialog(path)
        qtbot.addWidget(dialog)
        return dialog

    return make


@pytest.fixture
def iris_dialog(write, open_dialog):
    return open_dialog(write(IRIS, "iris.csv"))


def _load_button(dialog: ImportDialog):
    return dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)


# ---------------------------------------------------------------- a good file


def test_widgets_are_reachable_by_object_name(iris_dialog):
    """The dialog and its preview, combos and message are found by objectName."""
    assert iris_dialog.objectName() == "importDialog"
    assert iris_dialog.findChild(QTableWidget, "importPreviewTable") is iris_dialog.preview_table
    assert iris_dialog.findChild(QComboBox, "importTargetCombo") is iris_dialog.target_combo
    assert iris_dialog.findChild(QComboBox, "importTaskCombo") is iris_dialog.task_combo
    assert iris_dialog.findChild(QLabel, "importMessage") is iris_dialog.message_label
    assert _load_button(iris_dialog).text().replace("&", "") == "Load"


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
    assert [iris_dialog.target_combo.itemText(i) for i in range(5)][0] == "sepal_length"
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
        qtbot.mouseClick(_load_button(iris_dialog), Qt.MouseButton.LeftButton)
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


# ---------------------------------------------------------------- bad files

BAD_FILES = {
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary"]),
    "not UTF-8": ("x1,x2,label\n1,2,caf\xe9\n".encode("latin-1"), ["line 2", "UTF-8"]),
    "empty": (b"", ["empty"]),
    "blank": ("\n  \n", ["empty"]),
    "header only": ("x1,x2,label\n", ["no data rows"]),
    "non-numeric feature": ("x1,x2,label\n1,2,a\n3,abc,b\n", ["line 3", "'x2'", "'abc' is not a number"]),
    "ragged row": ("x1,x2,label\n1,2,a\n3,4\n", ["line 3", "2 cells"]),
    "single class": ("x1,x2,label\n1,2,a\n3,4,a\n", ["'label'", "single class"]),
    "NaN": ("x1,x2,label\n1,2,a\n3,nan,b\n", ["line 3", "'x2'", "finite"]),
    "inf": ("x1,x2,label\n1,2,a\n3,-inf,b\n", ["line 3", "'x2'", "finite"]),
    "one column": ("label\na\nb\n", ["line 1", "2 columns"]),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_is_refused_with_the_reason(kind, write, open_dialog):
    """load() returns False, the message names the line and column, and no dataset is returned."""
    content, expected = BAD_FILES[kind]
    dialog = open_dialog(write(content))
    assert dialog.load() is False
    assert dialog.dataset() is None
    assert dialog.result() != QDialog.DialogCode.Accepted
    for fragment in expected:
        assert fragment in dialog.message(), (kind, dialog.message())


def test_a_file_over_the_size_limit_is_refused(write, open_dialog, monkeypatch):
    """A file bigger than MAX_CSV_BYTES is refused, and the file line states the limit."""
    monkeypatch.setattr(csv_io, "MAX_CSV_BYTES", 100)  # load_csv reads the module global on each call
    dialog = open_dialog(write(IRIS))
    assert "(limit 100 B)" in dialog.file_label.text()
    assert "limit" in dialog.message()
    assert not _load_button(dialog).isEnabled()
    assert dialog.load() is False
    assert dialog.dataset() is None


def test_a_missing_file_says_so(tmp_path, open_dialog):
    """A path that does not exist names the file and that it is missing."""
    dialog = open_dialog(tmp_path / "gone.csv")
    assert "no such file" in dialog.message()
    assert dialog.load() is False


def test_an_unreadable_file_disables_the_choices(write, open_dialog):
    """Without a preview there is nothing to choose: the combos and Load are disabled."""
    dialog = open_dialog(write(b"\x00\x01\x02"))
    assert dialog.preview_table.rowCount() == 0
    assert not dialog.target_combo.isEnabled()
    assert not dialog.task_combo.isEnabled()
    assert not _load_button(dialog).isEnabled()


def test_errors_show_before_load_and_in_red(write, open_dialog):
    """A bad cell is reported as soon as the file opens, styled differently from the summary."""
    bad = open_dialog(write("x1,x2,label\n1,2,a\n3,abc,b\n", "bad.csv"))
    good = open_dialog(write(IRIS, "good.csv"))
    assert "line 3" in bad.message()
    assert bad.message_label.styleSheet() != good.message_label.styleSheet()
    assert colormaps.ERROR_COLOR in bad.message_label.styleSheet()


def test_the_faulty_cell_is_tinted_in_the_preview(write, open_dialog):
    """The cell an error names (line 3, x2) is tinted in the preview."""
    dialog = open_dialog(write("x1,x2,label\n1,2,a\n3,abc,b\n"))
    table = dialog.preview_table
    assert table.verticalHeaderItem(1).text() == "3"
    assert table.item(1, 1).background().color() == preview_table.FAULT_TINT
    assert table.item(1, 0).background().color() != preview_table.FAULT_TINT


def test_a_refused_file_can_be_fixed_by_another_target(write, open_dialog):
    """A target with a single class is refused, but another column loads and the dialog stays usable."""
    dialog = open_dialog(write("x1,kind,flag\n1,0,7\n3,1,7\n5,0,7\n"))
    assert dialog.load() is False
    assert "'flag'" in dialog.message() and dialog.dataset() is None
    assert dialog.task_combo.itemText(0) == "Auto"  # nothing detected
    dialog.set_target("kind")
    assert dialog.task_combo.itemText(0) == "Auto (classification)"
    assert dialog.message() == "3 rows · 2 features · classification, 2 classes"
    assert dialog.load() is True
    assert dialog.dataset().feature_names == ("x1", "flag")


def test_clicking_load_on_a_bad_file_keeps_the_dialog_open(write, open_dialog, qtbot):
    """Load on a refused file neither accepts nor rejects."""
    dialog = open_dialog(write("x1,x2,label\n1,2,a\n3,4\n"))
    dialog.show()
    qtbot.mouseClick(_load_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.result() == 0 and dialog.dataset() is None


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


# ---------------------------------------------------------------- real-world shapes, ignored columns

PANDAS = ",x1,x2,label\n" + "".join(f"{i},{i * 0.5},{(i * 7) % 5}.25,{'ab'[i % 2]}\n" for i in range(12))
TRAILING = "x1;x2;label;\n" + "".join(f"{i * 0.5};{(i * 7) % 5}.25;{'ab'[i % 2]};\n" for i in range(12))
WITH_IDS = "id,x1,name,x2,label\n" + "".join(
    f"u{i},{i * 0.5},sample <b>{i}</b>,{(i * 7) % 5}.25,{'ab'[i % 2]}\n" for i in range(12))


def _drop_action(dialog: ImportDialog, name: str):
    (action,) = [a for a in dialog.drop_button.menu().actions() if a.text().replace("&&", "&") == name]
    return action


def test_the_ignore_button_and_note_are_reachable_by_object_name(iris_dialog):
    from PySide6.QtWidgets import QToolButton

    assert iris_dialog.findChild(QToolButton, "importDropButton") is iris_dialog.drop_button
    assert iris_dialog.findChild(QLabel, "importNote") is iris_dialog.note_label
    assert iris_dialog.note_label.isHidden()  # nothing ignored unasked
    assert [a.text() for a in iris_dialog.drop_button.menu().actions()] == [
        "sepal_length", "sepal_width", "petal_length", "petal_width", "species"]


def test_a_pandas_index_column_is_left_out_with_a_visible_note(write, open_dialog):
    """The unnamed first column is no target choice, is greyed, and a note says why it is ignored."""
    dialog = open_dialog(write(PANDAS))
    assert not dialog.note_label.isHidden()
    assert "column 1" in dialog.note_label.text() and "index" in dialog.note_label.text()
    assert [dialog.target_combo.itemText(i) for i in range(dialog.target_combo.count())] == ["x1", "x2", "label"]
    table = dialog.preview_table
    assert table.item(0, 0).foreground().color() == QColor(colormaps.MUTED_TEXT_COLOR)
    assert table.item(0, 3).background().color() == preview_table.TARGET_TINT  # label, in file column 4
    assert dialog.message() == "12 rows · 2 features · classification, 2 classes"
    assert dialog.load()
    np.testing.assert_array_equal(dialog.dataset().X[:3], [[0.0, 0.25], [0.5, 2.25], [1.0, 4.25]])


def test_a_delimiter_ending_every_line_is_left_out_and_the_last_named_column_is_the_target(write, open_dialog):
    dialog = open_dialog(write(TRAILING))
    assert dialog.target() == "label"
    assert "empty last column" in dialog.note_label.text() and not dialog.note_label.isHidden()
    assert dialog.load()
    assert dialog.dataset().feature_names == ("x1", "x2")


def test_checking_columns_in_the_ignore_menu_leaves_them_out(write, open_dialog):
    """ID and name columns are refused as inputs until they are checked in the Ignore menu."""
    dialog = open_dialog(write(WITH_IDS))
    assert "line 2, column 'id'" in dialog.message()
    _drop_action(dialog, "id").trigger()
    assert "line 2, column 'name'" in dialog.message()
    _drop_action(dialog, "name").trigger()
    assert dialog.dropped() == ("id", "name")
    assert dialog.message() == "12 rows · 2 features · classification, 2 classes"
    assert dialog.drop_button.text().replace("&", "") == "Ignore: id, name"
    muted = QColor(colormaps.MUTED_TEXT_COLOR)
    assert dialog.preview_table.item(0, 0).foreground().color() == muted
    assert dialog.preview_table.item(0, 2).foreground().color() == muted
    assert dialog.preview_table.item(0, 1).foreground().color() != muted
    assert dialog.load()
    assert dialog.dataset().feature_names == ("x1", "x2")


def test_the_target_cannot_be_ignored_and_an_ignored_column_chosen_as_target_is_read_again(write, open_dialog):
    dialog = open_dialog(write(WITH_IDS))
    assert not _drop_action(dialog, "label").isEnabled()
    dialog.set_dropped(["id", "name"])
    dialog.set_target("name")
    assert dialog.dropped() == ("id",)
    assert not _drop_action(dialog, "name").isEnabled() and _drop_action(dialog, "label").isEnabled()
    with pytest.raises(ValueError, match="target"):
        dialog.set_dropped(["name"])
    with pytest.raises(ValueError, match="no column 'nope'"):
        dialog.set_dropped(["nope"])
    assert dialog.dropped() == ("id",)


def test_a_column_name_with_an_ampersand_is_ignored_by_its_own_name(write, open_dialog):
    dialog = open_dialog(write("R&D,x1,label\nu1,1,a\nu2,2,b\nu3,3,a\n"))
    dialog.set_dropped(["R&D"])
    assert dialog.dropped() == ("R&D",)
    assert dialog.load() and dialog.dataset().feature_names == ("x1",)


def test_excel_unicode_text_previews_and_loads(write, open_dialog):
    """UTF-16 with a byte-order mark, tab-separated: previewed and loaded like the UTF-8 file."""
    text = IRIS.replace(",", "\t").replace("\n", "\r\n").replace("setosa", "sétosa")
    dialog = open_dialog(write(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "iris.txt"))
    assert dialog.preview_table.columnCount() == 5
    assert dialog.preview_table.item(0, 4).text() == "sétosa"
    assert dialog.load()
    assert dialog.dataset().class_names == ("sétosa", "versicolor", "virginica")


def test_a_long_utf16_file_previews_its_first_rows(write, open_dialog):
    """The preview cuts a UTF-16 file at PREVIEW_BYTES, possibly inside a character."""
    text = "a\tb\r\n" + "".join(f"{i}\t{i % 3}\r\n" for i in range(PREVIEW_BYTES // 8))
    dialog = open_dialog(write(codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert dialog.preview_table.rowCount() == PREVIEW_ROWS
    assert dialog.preview_table.item(0, 1).text() == "0"


def test_an_unclosed_quote_is_named_at_its_line_and_tinted(write, open_dialog):
    dialog = open_dialog(write('x1,x2,label\n1,2,a\n3,"4,b\n5,6,a\n7,8,b\n'))
    assert dialog.message().startswith('data.csv: line 3: the quote (") that opens a cell here is never closed')
    row = [dialog.preview_table.verticalHeaderItem(r).text() for r in range(dialog.preview_table.rowCount())]
    fault = row.index("3")
    assert dialog.preview_table.item(fault, 0).background().color() == preview_table.FAULT_TINT
    assert dialog.load() is False


def test_cell_tooltips_show_markup_as_text(write, open_dialog):
    """A cell holding HTML is shown literally in its tooltip, never rendered."""
    dialog = open_dialog(write('x1,note,label\n1,<img src="x"><b>bold</b> & co,a\n2,n,b\n'))
    tip = dialog.preview_table.item(0, 1).toolTip()
    assert "<img" not in tip and "&lt;img" in tip and "&amp; co" in tip


def test_the_fault_is_found_from_the_error_not_from_words_in_the_file_name(write, open_dialog):
    """A file named like an error ("line 2, column 'x1'") still tints the cell the engine names (line 3, x2)."""
    dialog = open_dialog(write("x1,x2,label\n1,2,a\n3,abc,b\n", "line 2, column 'x1'.csv"))
    table = dialog.preview_table
    assert "line 3, column 'x2'" in dialog.message()
    assert table.item(1, 1).background().color() == preview_table.FAULT_TINT
    assert table.item(0, 0).background().color() != preview_table.FAULT_TINT
