"""Tests for File › Open dataset… with a bad file: refused with the reason, in red, the faulty cell tinted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from support.import_files import IRIS, load_button

from nnstudio.engine.data import csv_io
from nnstudio.ui.data import preview_table
from nnstudio.ui.plotting import colormaps

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
    assert not load_button(dialog).isEnabled()
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
    assert not load_button(dialog).isEnabled()


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
    qtbot.mouseClick(load_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.result() == 0 and dialog.dataset() is None
