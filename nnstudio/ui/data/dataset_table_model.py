"""The data view's table model: a dataset's rows as cells, formatted on demand, and their edits checked.

Cells are formatted only when the view asks (``data()``), so the 1797 × 65 cells of the
digits set cost no more to show than the 20 rows on screen. A typed number is read as
the CSV loader reads a cell (:func:`~nnstudio.engine.data.csv_text.finite_number`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QWidget

from nnstudio.engine.data.csv_text import finite_number
from nnstudio.engine.data.datasets import Dataset
from nnstudio.ui.plotting.colormaps import CLASS_COLORS, MUTED_TEXT_COLOR, TEST_COLOR

__all__ = ["DatasetTableModel", "INDEX_COLUMN", "SPLIT_COLUMN", "FIRST_FEATURE_COLUMN"]

#: Column 0: the 1-based row number that messages ("row 3, x2: …") refer to.
INDEX_COLUMN = 0
#: Column 1: "train" or "test".
SPLIT_COLUMN = 1
#: Columns 2 … 2 + n_features - 1 are the features; the target is the last column.
FIRST_FEATURE_COLUMN = 2

# int roles, looked up once: data() runs for every visible cell on every repaint
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
# the invalid index Qt means by "no parent"; never changed, so one instance serves every default
_NO_PARENT = QModelIndex()
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

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else int(self._X.shape[0])

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() or not self._has_data else FIRST_FEATURE_COLUMN + len(self._features) + 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role in (_DISPLAY, _EDIT):
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
            number, problem = finite_number(value)
            if number is None:
                self.sig_edit_refused.emit(f"{where}: {value!r} {problem}")
                return False
            new = number
            old = (
                float(self._y[row]) if col == self.target_column() else float(self._X[row, col - FIRST_FEATURE_COLUMN])
            )
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
