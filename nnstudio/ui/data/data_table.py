"""The data view: every row of the current dataset (features and target), train and test marked.

Drawn and imported data are editable: a feature cell takes a finite number, a target
cell one of the class names (classification) or a finite number (regression). Each
accepted edit, added or deleted row emits ``sig_data_edited`` with a fresh
:class:`~nnstudio.engine.data.datasets.Dataset`; the owner retrains on it like on any other
data. Refused edits change nothing and say why under the table.

The cells and their checks are the model's (:mod:`nnstudio.ui.data.dataset_table_model`);
this module is the view, its class-name editor and the row buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.data.datasets import Dataset
from nnstudio.ui.data.dataset_table_model import DatasetTableModel
from nnstudio.ui.plotting.colormaps import ERROR_COLOR, MUTED_TEXT_COLOR, TEXT_COLOR

__all__ = ["DataTable"]

# Rows sampled when sizing columns to their contents: the header's default (1000 rows ×
# every column) would format most of a big dataset up front.
_SIZE_SAMPLE_ROWS = 40
_MAX_COLUMN_WIDTH = 180
_EDIT = int(Qt.ItemDataRole.EditRole)


class _TargetDelegate(QStyledItemDelegate):
    """Edits a classification target with a drop-down of the class names; other cells as text."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        model = index.model()
        if isinstance(model, DatasetTableModel) and model.is_class_column(index.column()):
            combo = QComboBox(parent)
            combo.addItems(list(model.class_names()))
            # picking a class is the whole edit: commit and close without a second click
            combo.activated.connect(lambda _=0, c=combo: (self.commitData.emit(c), self.closeEditor.emit(c)))
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(_EDIT)))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractTableModel,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), _EDIT)
        else:
            super().setModelData(editor, model, index)


class DataTable(QWidget):
    """A caption, the rows of the current dataset, and Add row / Delete rows for editable data.

    Signals
    -------
    sig_data_edited(object)
        A new :class:`~nnstudio.engine.data.datasets.Dataset` after each accepted edit, added
        or deleted row (same name, feature, target and class names). Never emitted by
        :meth:`set_data`. See :meth:`test_rows` for the split of the edited rows.

    Attributes
    ----------
    caption_label : QLabel
        objectName ``"dataCaption"``: "iris · 150 rows (120 train / 30 test) · read-only".
    view : QTableView
        objectName ``"dataTable"``; columns "#", "split", the features, the target.
    model : DatasetTableModel
        The view's model; formats cells on demand.
    status_label : QLabel
        objectName ``"dataStatus"``: why an edit was refused (red) or what changed.
    add_row_button : QPushButton
        objectName ``"addRowButton"``; enabled for editable data.
    delete_rows_button : QPushButton
        objectName ``"deleteRowsButton"``; enabled for editable data with rows selected.
    """

    sig_data_edited = Signal(object)  # Dataset: the table's data after the edit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DatasetTableModel(self)
        self.caption_label = QLabel("No data", objectName="dataCaption")
        self.caption_label.setTextFormat(Qt.TextFormat.RichText)  # bold name, escaped
        self.caption_label.setStyleSheet(f"color: {TEXT_COLOR};")
        self.view = QTableView(objectName="dataTable")
        self.view.setModel(self.model)
        self.view.setItemDelegate(_TargetDelegate(self.view))
        self.status_label = QLabel(objectName="dataStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # refusals quote what was typed
        self.add_row_button = QPushButton("&Add row", objectName="addRowButton",
                                          toolTip="Append a training row copying the last row; then edit its cells.")
        self.delete_rows_button = QPushButton("&Delete rows", objectName="deleteRowsButton",
                                              toolTip="Remove the selected rows (Del). At least one row stays.")
        self._build_layout()
        self._connect()
        self._update_controls()

    # ------------------------------------------------------------------ setup

    def _build_layout(self) -> None:
        view = self.view
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        view.setWordWrap(False)
        view.verticalHeader().hide()  # the "#" column numbers the rows instead
        # fixed row heights: the view never asks every row for its size hint
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setResizeContentsPrecision(_SIZE_SAMPLE_ROWS)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)  # the target column takes the spare width, no blank strip

        self.delete_action = QAction("Delete rows", view)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        view.addAction(self.delete_action)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.setSpacing(6)
        outer.addWidget(self.caption_label)
        outer.addWidget(view, 1)
        row = QHBoxLayout()
        row.addWidget(self.status_label, 1)
        row.addWidget(self.add_row_button)
        row.addWidget(self.delete_rows_button)
        outer.addLayout(row)

    def _connect(self) -> None:
        self.model.sig_edited.connect(self._on_edited)
        self.model.sig_edit_refused.connect(self._show_refusal)
        self.view.selectionModel().selectionChanged.connect(self._update_controls)
        self.model.modelReset.connect(self._update_controls)
        self.add_row_button.clicked.connect(lambda: self.add_row())
        # lambdas: clicked/triggered pass a "checked" bool that delete_rows would take for rows
        self.delete_rows_button.clicked.connect(lambda: self.delete_rows())
        self.delete_action.triggered.connect(lambda: self.delete_rows())

    # ------------------------------------------------------------------ API

    def set_data(self, dataset: Dataset | None, test_rows: npt.ArrayLike = (), editable: bool = False) -> None:
        """Show ``dataset`` (None: nothing), marking ``test_rows``; never emits ``sig_data_edited``.

        Parameters
        ----------
        dataset : Dataset or None
        test_rows : array_like of int, or boolean mask of length n_samples
            Rows held out for testing; they are tinted and read "test".
        editable : bool
            Drawn and imported data: cells, Add row and Delete rows can change it.

        Raises
        ------
        ValueError
            A test row outside ``0 .. n_samples - 1``; the table is unchanged.
        """
        test = None
        if dataset is not None:
            test = _test_mask(test_rows, dataset.n_samples)
        self.model.set_data(dataset, test, editable)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
            if editable else QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.resizeColumnsToContents()  # samples _SIZE_SAMPLE_ROWS rows, not all of them
        for column in range(self.model.columnCount()):
            if self.view.columnWidth(column) > _MAX_COLUMN_WIDTH:
                self.view.setColumnWidth(column, _MAX_COLUMN_WIDTH)
        self._show_status("")
        self._update_caption()
        self._update_controls()

    def dataset(self) -> Dataset | None:
        """The shown data with every edit so far, or None."""
        return self.model.dataset()

    def test_rows(self) -> np.ndarray:
        """Indices (int64) of the rows marked test, after any added or deleted rows."""
        return np.flatnonzero(self.model.test_mask()).astype(np.int64)

    def is_editable(self) -> bool:
        return self.model.is_editable()

    def message(self) -> str:
        """The status line: the last refusal or change."""
        return self.status_label.text()

    def add_row(self) -> bool:
        """Append a copy of the last row (a training row) and emit ``sig_data_edited``; False if read-only."""
        if not self.model.append_row():
            return False
        last = self.model.rowCount() - 1
        self.view.scrollToBottom()
        self.view.selectRow(last)
        self._show_status(f"Added row {last + 1}: a copy of row {last}; double-click a cell to change it.")
        return True

    def delete_rows(self, rows: Iterable[int] | None = None) -> bool:
        """Delete ``rows`` (0-based; default the selected rows) and emit ``sig_data_edited``.

        Returns False, changing nothing, when the data is read-only, no rows are given or
        selected, or every row would go (a dataset keeps at least one).
        """
        if rows is None:
            rows = [index.row() for index in self.view.selectionModel().selectedRows()]
        rows = list(rows)
        if not self.model.remove_rows(rows):
            return False
        self._show_status(f"Deleted {len(set(rows))} row{'s' if len(set(rows)) != 1 else ''}.")
        return True

    # ------------------------------------------------------------------ updates

    def _on_edited(self) -> None:
        dataset = self.model.dataset()
        self._show_status("")
        self._update_caption()
        self._update_controls()
        self.sig_data_edited.emit(dataset)

    def _show_refusal(self, reason: str) -> None:
        self._show_status(reason, error=True)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet(f"color: {ERROR_COLOR if error else MUTED_TEXT_COLOR};")
        self.status_label.setText(text)

    def _update_caption(self) -> None:
        if not self.model.has_data():
            self.caption_label.setText("No data")
            return
        n = self.model.rowCount()
        n_test = int(np.count_nonzero(self.model.test_mask()))
        mode = "editable: double-click a cell" if self.model.is_editable() else "read-only"
        self.caption_label.setText(f"<b>{escape(self.model.name(), quote=False)}</b> · {n} row{'s' if n != 1 else ''} "
                                   f"({n - n_test} train / {n_test} test) · {mode}")

    def _update_controls(self, *_: object) -> None:
        editable = self.model.is_editable()
        self.add_row_button.setEnabled(editable)
        selected = self.view.selectionModel().hasSelection()
        self.delete_rows_button.setEnabled(editable and selected)
        self.delete_action.setEnabled(editable)


def _test_mask(test_rows: npt.ArrayLike, n: int) -> np.ndarray:
    """A boolean mask of length ``n`` from row indices or a mask; ValueError for rows out of range."""
    rows = np.asarray(test_rows)
    if rows.dtype == np.bool_:
        if rows.shape != (n,):
            raise ValueError(f"a test-row mask must have shape ({n},), got {rows.shape}")
        return rows.copy()
    if rows.size == 0:
        return np.zeros(n, dtype=bool)  # np.asarray(()) is float64
    if rows.dtype.kind not in "iu" or rows.ndim != 1:
        raise ValueError(f"test rows must be a 1-D array of integer indices, got {rows.dtype} {rows.shape}")
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        raise ValueError(f"test rows must lie in 0..{n - 1}")
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask

