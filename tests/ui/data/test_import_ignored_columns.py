"""Tests for File › Open dataset… with real-world files: index columns, trailing delimiters, ignored columns, UTF-16."""

from __future__ import annotations

import codecs

import numpy as np
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel
from support.import_files import IRIS

from nnstudio.ui.data import preview_table
from nnstudio.ui.data.import_dialog import ImportDialog
from nnstudio.ui.data.import_preview import PREVIEW_BYTES, PREVIEW_ROWS
from nnstudio.ui.plotting import colormaps

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
