"""The data view: every row of the current dataset (features and target), train and test marked.

Drawn and imported data are editable: a feature cell takes a finite number, a target
cell one of the class names (classification) or a finite number (regression). Each
accepted edit, added or deleted row emits ``sig_data_edited`` with a fresh
:class:`~nnstudio.engine.data.datasets.Dataset`; the owner retrains on it like on any other
data. Refused edits change nothing and say why under the table.

The model formats cells only when the view asks for them (``data()``), so the 1797 × 65
cells of the digits set cost no more to show than the 20 rows on screen.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence
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
from nnstudio.ui.data.boundary_plot import CLASS_COLORS
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR, TEST_COLOR, TEXT_COLOR

__all__ = ["DataTable", "DatasetTableModel", "INDEX_COLUMN", "SPLIT_COLUMN", "FIRST_FEATURE_COLUMN"]

#: Column 0: the 1-based row number that messages ("row 3, x2: …") refer to.
INDEX_COLUMN = 0
#: Column 1: "train" or "test".
SPLIT_COLUMN = 1
#: Columns 2 … 2 + n_features - 1 are the features; the target is the last column.
FIRST_FEATURE_COLUMN = 2

# Rows sampled when sizing columns to their contents: the header's default (1000 rows ×
# every column) would format most of a big dataset up front.
_SIZE_SAMPLE_ROWS = 40
_MAX_COLUMN_WIDTH = 180
_ERROR_COLOR = "#c5221f"

# Plain decimal numbers, as load_csv accepts them: float() would also take "1_000" or "٣".
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)

# int roles, looked up once: data() runs for every visible cell on every repaint
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def _test_tint() -> QBrush:
    color = QColor(TEST_COLOR)  # the loss plot's test colour, faint, so test rows read as "test"
    color.setAlpha(34)
    return QBrush(color)


class DatasetTableModel(QAbstractTableModel):
    """An editable table over a copy of a Dataset: "#", "split", the features, the target.

    Signals
    -------
    sig_edited()
        No payload: the data changed (cell edit, row added or removed); read :meth:`dataset`.
    sig_edit_refused(str)
        Why an edit was refused, e.g. ``"row 3, x2: 'abc' is not a number"``.
    """

    sig_edited = Signal()  # no payload
    sig_edit_refused = Signal(str)  # the reason, naming row (1-based) and column

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = ""
        self._X = np.zeros((0, 0))
        self._y = np.zeros(0)
        self._task = "classification"
        self._features: tuple[str, ...] = ()
        self._target = ""
        self._classes: tuple[str, ...] = ()
        self._test = np.zeros(0, dtype=bool)
        self._editable = False
        self._has_data = False
        self._test_brush = _test_tint()
        self._muted = QBrush(QColor(MUTED_TEXT_COLOR))
        self._test_text = QBrush(QColor(TEST_COLOR))
        self._class_colors = [QColor(c) for c in CLASS_COLORS]
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------------ contents

    def set_data(self, dataset: Dataset | None, test: np.ndarray | None = None, editable: bool = False) -> None:
        """Show a copy of ``dataset`` (None: an empty table); ``test`` is a boolean row mask."""
        self.beginResetModel()
        try:
            self._has_data = dataset is not None
            if dataset is None:
                self._X, self._y, self._test = np.zeros((0, 0)), np.zeros(0), np.zeros(0, dtype=bool)
                self._name, self._features, self._target, self._classes = "", (), "", ()
                self._editable = False
            else:
                # writable copies: Dataset arrays are read-only, and edits must not reach the owner's
                self._X, self._y = np.array(dataset.X), np.array(dataset.y)
                self._name, self._task = dataset.name, dataset.task
                self._features, self._target, self._classes = (
                    dataset.feature_names, dataset.target_name, dataset.class_names)
                self._test = np.zeros(dataset.n_samples, dtype=bool) if test is None else np.array(test, dtype=bool)
                self._editable = bool(editable)
        finally:
            self.endResetModel()

    def dataset(self) -> Dataset | None:
        """The table's data, edits included, as a new validated Dataset (None when empty)."""
        if not self._has_data:
            return None
        return Dataset(self._name, self._X, self._y, self._task, self._features, self._target, self._classes)

    def test_mask(self) -> np.ndarray:
        """A copy of the boolean test-row mask; rows added here count as training rows."""
        return self._test.copy()

    def name(self) -> str:
        """The dataset's name ("" when empty)."""
        return self._name

    def is_editable(self) -> bool:
        return self._editable

    def has_data(self) -> bool:
        return self._has_data

    def target_column(self) -> int:
        """The target's column index (the last one); -1 when empty."""
        return FIRST_FEATURE_COLUMN + len(self._features) if self._has_data else -1

    def class_names(self) -> tuple[str, ...]:
        """Class names for a classification target, () for regression."""
        return self._classes

    def is_class_column(self, column: int) -> bool:
        """True for the target column of a classification dataset (edited by picking a class)."""
        return self._task == "classification" and self._has_data and column == self.target_column()

    def column_name(self, column: int) -> str:
        if column == INDEX_COLUMN:
            return "#"
        if column == SPLIT_COLUMN:
            return "split"
        if column == self.target_column():
            return self._target
        return self._features[column - FIRST_FEATURE_COLUMN]

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else int(self._X.shape[0])

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() or not self._has_data else FIRST_FEATURE_COLUMN + len(self._features) + 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == _DISPLAY or role == _EDIT:
            return self._text(row, col, edit=role == _EDIT)
        if role == _BACKGROUND:
            return self._test_brush if self._test[row] else None
        if role == _ALIGNMENT:
            return _LEFT if col == SPLIT_COLUMN or self.is_class_column(col) else _RIGHT
        if role == _FOREGROUND:
            if col == INDEX_COLUMN:
                return self._muted
            if col == SPLIT_COLUMN:
                return self._test_text if self._test[row] else self._muted
            return None
        if role == _DECORATION and self.is_class_column(col):
            return self._class_colors[int(self._y[row]) % len(self._class_colors)]  # as in the data plot
        if role == _TOOLTIP and col >= FIRST_FEATURE_COLUMN:
            return f"{self.column_name(col)} = {self._text(row, col, edit=True)}"
        return None

    def _text(self, row: int, col: int, edit: bool) -> str:
        """A cell as text: up to 6 significant digits for display, the exact repr for editing."""
        if col == INDEX_COLUMN:
            return str(row + 1)
        if col == SPLIT_COLUMN:
            return "test" if self._test[row] else "train"
        if col == self.target_column():
            if self._task == "classification":
                return self._classes[int(self._y[row])]
            value = float(self._y[row])
        else:
            value = float(self._X[row, col - FIRST_FEATURE_COLUMN])
        return repr(value) if edit else f"{value:.6g}"

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or not self._has_data or section >= self.columnCount():
            return super().headerData(section, orientation, role)
        if role == _DISPLAY:
            return self.column_name(section)
        if role == _TOOLTIP:
            return self._header_tip(section)
        if role == _FONT and section == self.target_column():
            return self._bold  # the target stands out, as in the import preview
        return None

    def _header_tip(self, column: int) -> str:
        if column == INDEX_COLUMN:
            return "Row number (1 = the first row)"
        if column == SPLIT_COLUMN:
            return ("train: the network learns from this row.\n"
                    "test: held back, only to measure how well the network generalises (tinted).")
        if column == self.target_column():
            if self._task == "classification":
                return (f"Target {self._target!r}: the class the network learns to predict\n"
                        f"({', '.join(self._classes)})")
            return f"Target {self._target!r}: the number the network learns to predict (regression)"
        return f"Feature {self.column_name(column)!r}: one input to the network"

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable and index.column() >= FIRST_FEATURE_COLUMN:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: object, role: int = _EDIT) -> bool:
        """Store an edited cell; False (and ``sig_edit_refused``) for a bad value or a read-only cell."""
        if not index.isValid() or role != _EDIT or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        row, col = index.row(), index.column()
        where = f"row {row + 1}, {self.column_name(col)}"
        if self.is_class_column(col):
            name = value.strip() if isinstance(value, str) else value
            if name not in self._classes:
                self.sig_edit_refused.emit(f"{where}: {value!r} is not one of the classes "
                                           f"({', '.join(self._classes)})")
                return False
            new, old = self._classes.index(name), int(self._y[row])
        else:
            number, problem = _parse_number(value)
            if number is None:
                self.sig_edit_refused.emit(f"{where}: {value!r} {problem}")
                return False
            new = number
            old = float(self._y[row]) if col == self.target_column() else float(self._X[row, col - FIRST_FEATURE_COLUMN])
        if new == old:
            return True  # nothing to retrain on
        if col == self.target_column():
            self._y[row] = new
        else:
            self._X[row, col - FIRST_FEATURE_COLUMN] = new
        self.dataChanged.emit(index, index, [_DISPLAY, _EDIT, _DECORATION, _TOOLTIP])
        self.sig_edited.emit()
        return True

    # ------------------------------------------------------------------ rows

    def append_row(self) -> bool:
        """Append a training row copying the last row's values (zeros and the first class if empty)."""
        if not self._editable:
            return False
        n = self.rowCount()
        last_x = self._X[-1] if n else np.zeros(len(self._features))
        last_y = self._y[-1] if n else 0
        self.beginInsertRows(QModelIndex(), n, n)
        self._X = np.vstack([self._X, last_x[None, :]])
        self._y = np.append(self._y, last_y).astype(self._y.dtype)
        self._test = np.append(self._test, False)
        self.endInsertRows()
        self.sig_edited.emit()
        return True

    def remove_rows(self, rows: Iterable[int]) -> bool:
        """Delete ``rows`` (0-based); refused (False, ``sig_edit_refused``) if none or all would go."""
        if not self._editable:
            return False
        doomed = sorted({int(r) for r in rows if 0 <= int(r) < self.rowCount()}, reverse=True)
        if not doomed:
            return False
        if len(doomed) >= self.rowCount():
            self.sig_edit_refused.emit("a dataset needs at least one row: leave one unselected")
            return False
        # contiguous runs from the bottom up, so earlier indices stay valid and the view
        # keeps its scroll position and selection elsewhere (a model reset would lose both)
        runs: list[list[int]] = []
        for r in doomed:
            if runs and runs[-1][0] == r + 1:
                runs[-1][0] = r
            else:
                runs.append([r, r])
        for first, last in runs:
            self.beginRemoveRows(QModelIndex(), first, last)
            keep = np.r_[0:first, last + 1:self._X.shape[0]]
            self._X, self._y, self._test = self._X[keep], self._y[keep], self._test[keep]
            self.endRemoveRows()
        self.sig_edited.emit()
        return True


def _parse_number(value: object) -> tuple[float | None, str]:
    """(the finite number, "") or (None, why not) for an edited cell's value."""
    if isinstance(value, bool):
        return None, "is not a number"
    if isinstance(value, numbers.Real):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value.strip())
    elif isinstance(value, str) and _NONFINITE.fullmatch(value.strip()):
        return None, "is not a finite number (NaN and infinity are not allowed)"
    else:
        return None, "is not a number"
    if not math.isfinite(number):
        return None, "is not a finite number (NaN and infinity are not allowed)"
    return number, ""


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
        self.status_label.setStyleSheet(f"color: {_ERROR_COLOR if error else MUTED_TEXT_COLOR};")
        self.status_label.setText(text)

    def _update_caption(self) -> None:
        if not self.model.has_data():
            self.caption_label.setText("No data")
            return
        n = self.model.rowCount()
        n_test = int(np.count_nonzero(self.model.test_mask()))
        mode = "editable: double-click a cell" if self.model.is_editable() else "read-only"
        self.caption_label.setText(f"<b>{_escape(self.model.name())}</b> · {n} row{'s' if n != 1 else ''} "
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


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
