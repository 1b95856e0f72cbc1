"""File › Open dataset…: preview a CSV file, pick its target column, columns to ignore and the task; load it.

The dialog reads only the first few kilobytes itself, for the preview. Everything that
decides whether the file is usable is left to :func:`nnstudio.engine.data.datasets.load_csv`,
so the dialog and the command line refuse exactly the same files with the same
messages (they name the line and column at fault). A refused file leaves the dialog
open and returns no dataset, so whatever the caller was using stays as it was.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.data import csv_io, datasets
from nnstudio.engine.data.datasets import Dataset, DatasetError, load_csv
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR, TEXT_COLOR

__all__ = ["ImportDialog", "ask_dataset", "CSV_FILTER", "PREVIEW_ROWS", "PREVIEW_BYTES", "format_size"]

#: File-dialog filter: .tsv and .txt too, since the engine sniffs tab and semicolon.
CSV_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"
#: Data rows shown under the header in the preview.
PREVIEW_ROWS = 20
#: Bytes read for the preview: enough for 20 wide rows, small enough to be instant.
PREVIEW_BYTES = 64 * 1024
#: Files up to this size are test-loaded on every target/task change to detect the task
#: and catch errors before Load; bigger ones would make the combos lag, so they are
#: checked on Load only.
PROBE_BYTES = 8 * 1024 * 1024

#: Up to this many columns the preview spreads them over its width.
_STRETCH_COLUMNS = 8
_ERROR_COLOR = "#c5221f"
_NUMERIC = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf|infinity)",
                      re.ASCII | re.IGNORECASE)
_TARGET_TINT = QColor("#e8f0fe")  # the target column: a pale blue that keeps text readable
_FAULT_TINT = QColor("#fce8e6")  # the cell or row an error message points at
_TASK_LABELS = {"classification": "Classification", "regression": "Regression"}
# "line 7, column 'x2'" or "line 7 has 3 cells" in DatasetError messages
_WHERE = re.compile(r"line (\d+)(?:, column (['\"])(.*?)\2)?")


def format_size(n_bytes: int) -> str:
    """``n_bytes`` for people: "812 B", "4.6 KB", "50 MB" (1 KB = 1024 B; whole numbers lose the ".0")."""
    value, unit = float(n_bytes), "B"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    text = f"{value:.0f}" if unit == "B" else f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


@dataclass(frozen=True)
class _Preview:
    """What the dialog shows of a file: header cells, data rows and their file line numbers."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def _read_preview(path: Path) -> _Preview | None:
    """The header and first :data:`PREVIEW_ROWS` records, or None if the file has no readable text.

    Reads as the engine does (its decoding and delimiter sniffing; stripped cells,
    all-empty rows skipped) on the first :data:`PREVIEW_BYTES` only; why a file is
    unreadable is left to ``load_csv`` to say.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(PREVIEW_BYTES + 1)
    except (OSError, ValueError):
        return None
    truncated = len(data) > PREVIEW_BYTES
    try:
        text = csv_io.decode_csv_bytes(data[:PREVIEW_BYTES], path.name, partial=truncated)
    except DatasetError:
        return None
    if truncated:
        text = text[: text.rfind("\n") + 1]  # the last line is cut short
    if not text.strip():
        return None
    records = _records(text, csv_io.sniff_delimiter(text), PREVIEW_ROWS + 1)
    if not records:
        return None
    header = records[0][1]
    return _Preview(header, [cells for _, cells in records[1:]], [line for line, _ in records[1:]])


def _records(text: str, delimiter: str, limit: int) -> list[tuple[int, list[str]]]:
    """Up to ``limit`` (1-based start line, stripped cells) records; stops quietly at bad CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[tuple[int, list[str]]] = []
    previous = 0
    while len(out) < limit:
        try:
            row = next(reader)
        except (StopIteration, csv.Error):  # a broken quote: load_csv names the line
            break
        start, previous = previous + 1, reader.line_num
        cells = [c.strip() for c in row]
        if any(cells):
            out.append((start, cells))
    return out


class ImportDialog(QDialog):
    """Preview a CSV file, choose its target column and task, and load it as a Dataset.

    Parameters
    ----------
    path : str or PathLike
        The file to open. Nothing is loaded until :meth:`load` (the Load button).
    parent : QWidget, optional

    Signals
    -------
    None of its own; ``accepted``/``rejected`` as for any QDialog.

    Attributes
    ----------
    file_label : QLabel
        objectName ``"importFileLabel"``: file name, size and the size limit.
    preview_table : QTableWidget
        objectName ``"importPreviewTable"``: the header and first rows, read-only;
        row labels are file line numbers (as in error messages); the target column is tinted.
    target_combo : QComboBox
        objectName ``"importTargetCombo"``: the header's named columns (item data: the
        column's index in the file); the last by default.
    drop_button : QToolButton
        objectName ``"importDropButton"``: a menu of checkable columns to ignore (IDs,
        names, notes); its text lists those checked. The target cannot be checked.
    note_label : QLabel
        objectName ``"importNote"``: which columns are ignored without being asked (an
        unnamed index column, an empty last column); hidden when there are none.
    task_combo : QComboBox
        objectName ``"importTaskCombo"``: item data None (Auto, its text naming the
        detected task), ``"classification"`` or ``"regression"``.
    message_label : QLabel
        objectName ``"importMessage"``: the summary ("150 rows · 4 features ·
        classification, 3 classes") or, in red, why the file cannot be loaded.
    button_box : QDialogButtonBox
        Load (the OK button) and Cancel.
    """

    def __init__(self, path: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Open dataset")
        self._path = Path(path)
        self._dataset: Dataset | None = None
        self._preview = _read_preview(self._path)
        self._auto_task: str | None = None
        self._size: int | None = None  # bytes on disk; None if the file cannot be stat'ed
        self._fault_item: QTableWidgetItem | None = None  # the preview cell an error points at

        self.file_label = QLabel(objectName="importFileLabel")
        self.file_label.setTextFormat(Qt.TextFormat.RichText)
        self.preview_table = QTableWidget(objectName="importPreviewTable")
        self.target_combo = QComboBox(objectName="importTargetCombo")
        self.target_combo.setToolTip("The column the network learns to predict; "
                                     "every other column is an input feature and must hold numbers.")
        self.drop_button = QToolButton(objectName="importDropButton")
        self.drop_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.drop_button.setToolTip("Columns to leave out, such as IDs, names or notes: they are not read at all.")
        self.drop_button.setMenu(QMenu(self.drop_button))
        self.note_label = QLabel(objectName="importNote")
        self.note_label.setWordWrap(True)
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")
        self.note_label.hide()
        self.task_combo = QComboBox(objectName="importTaskCombo")
        self.task_combo.setToolTip("Classification predicts one of a few labels; regression predicts a number.\n"
                                   "Auto picks classification for text or at most 20 distinct whole numbers.")
        self.task_combo.addItem("Auto", None)
        for task in datasets.TASKS:
            self.task_combo.addItem(_TASK_LABELS.get(task, task.title()), task)
        self.message_label = QLabel(objectName="importMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)  # messages quote file cells, "<" included
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                           | QDialogButtonBox.StandardButton.Cancel)
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setText("&Load")

        self._build_layout()
        self._fill()
        self.target_combo.currentIndexChanged.connect(self._on_target_changed)
        self.task_combo.currentIndexChanged.connect(self._on_task_changed)
        # Load runs load() and accepts only on success, so a refused file keeps the dialog open
        self.button_box.accepted.connect(self.load)
        self.button_box.rejected.connect(self.reject)
        self._on_target_changed()

    # ------------------------------------------------------------------ setup

    def _build_layout(self) -> None:
        table = self.preview_table
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setAlternatingRowColors(False)  # the target tint must stand out on its own
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to do in it but look; no focus frame
        table.setWordWrap(False)
        table.horizontalHeader().setHighlightSections(False)
        table.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.verticalHeader().setToolTip("Line numbers in the file (line 1 is the header)")

        outer = QVBoxLayout(self)
        outer.setSpacing(8)
        outer.addWidget(self.file_label)
        heading = QLabel(f"Preview (header and first {PREVIEW_ROWS} rows; row labels are file lines)", self)
        heading.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")
        outer.addWidget(heading)
        outer.addWidget(table, 1)
        outer.addWidget(self.note_label)
        row = QHBoxLayout()
        row.setSpacing(8)
        for text, combo in (("&Target column", self.target_combo), ("T&ask", self.task_combo)):
            label = QLabel(text, self)
            label.setBuddy(combo)  # the mnemonic focuses the combo
            row.addWidget(label)
            row.addWidget(combo, 1)
            row.addSpacing(8)
        row.addWidget(self.drop_button)
        outer.addLayout(row)
        outer.addWidget(self.message_label)
        outer.addWidget(self.button_box)
        self.resize(640, 520)

    def _fill(self) -> None:
        """File label, preview and target choices; done once, since the file is read once."""
        try:
            self._size = size = self._path.stat().st_size
        except (OSError, ValueError):
            size = None
        limit = format_size(csv_io.MAX_CSV_BYTES)  # read at run time: tests shrink the limit
        shown = f" · {format_size(size)}" if size is not None else ""
        over = size is not None and size > csv_io.MAX_CSV_BYTES
        size_style = f"color: {_ERROR_COLOR};" if over else f"color: {MUTED_TEXT_COLOR};"
        self.file_label.setText(
            f"<b style='color: {TEXT_COLOR};'>{_escape(self._path.name or str(self._path))}</b>"
            f"<span style='{size_style}'>{shown} (limit {limit})</span>"
        )
        self.file_label.setToolTip(str(self._path))
        self._update_drop_button()
        if self._preview is None:
            self.preview_table.setEnabled(False)
            self.target_combo.setEnabled(False)
            self.task_combo.setEnabled(False)
            self.drop_button.setEnabled(False)
            return
        header = self._preview.header
        n_cols = max([len(header), *(len(r) for r in self._preview.rows)])  # ragged rows show as they are
        table = self.preview_table
        table.setColumnCount(n_cols)
        table.setRowCount(len(self._preview.rows))
        table.setHorizontalHeaderLabels([*header, *[""] * (n_cols - len(header))])
        table.setVerticalHeaderLabels([str(line) for line in self._preview.lines])
        for r, cells in enumerate(self._preview.rows):
            for c, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                item.setToolTip(_plain_tooltip(cell))  # long cells are elided in the narrow columns
                if _looks_numeric(cell):  # numbers line up by their last digit, as in a spreadsheet
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        header_view = table.horizontalHeader()
        if n_cols <= _STRETCH_COLUMNS:  # few columns share the width; many keep their own and scroll
            header_view.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        else:
            header_view.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            table.resizeColumnsToContents()
        ignored = csv_io.ignored_columns(header)
        if ignored:
            self.note_label.setText(f"Ignoring {' and '.join(why for _, why in ignored)}.")
            self.note_label.show()
        skipped = {c for c, _ in ignored}
        menu = self.drop_button.menu()
        with QSignalBlocker(self.target_combo):
            for c, name in enumerate(header):
                if c in skipped:
                    continue
                self.target_combo.addItem(name, c)
                action = QAction(name.replace("&", "&&"), menu, checkable=True)  # "&" is not a mnemonic
                action.setData(c)
                action.toggled.connect(self._on_drop_toggled)
                menu.addAction(action)
            self.target_combo.setCurrentIndex(self.target_combo.count() - 1)

    # ------------------------------------------------------------------ API

    def path(self) -> Path:
        """The file this dialog opens."""
        return self._path

    def dataset(self) -> Dataset | None:
        """The loaded dataset after a successful :meth:`load`, else None."""
        return self._dataset

    def target(self) -> str | None:
        """The chosen target column, or None when the file could not be previewed (the engine then picks)."""
        return self.target_combo.currentText() if self.target_combo.count() else None

    def task(self) -> str | None:
        """The chosen task, or None for auto-detection."""
        return self.task_combo.currentData()

    def dropped(self) -> tuple[str, ...]:
        """The columns checked to be ignored, in file order."""
        return tuple(self._column_name(a) for a in self._drop_actions() if a.isChecked())

    def set_dropped(self, names) -> None:
        """Ignore exactly the columns ``names``; ValueError for a name that is not a column or is the target."""
        names = set(names)
        actions = {self._column_name(a): a for a in self._drop_actions()}
        for name in names:
            if name not in actions:
                raise ValueError(f"no column {name!r} in {self._path.name}")
            if name == self.target():
                raise ValueError(f"{name!r} is the target column; choose another target first")
        for name, action in actions.items():
            with QSignalBlocker(action):
                action.setChecked(name in names)
        self._on_drop_toggled()

    def detected_task(self) -> str | None:
        """The task ``load_csv`` detects for the current target; None if unknown (file too big or refused)."""
        return self._auto_task

    def message(self) -> str:
        """The text of the message line (summary or error)."""
        return self.message_label.text()

    def set_target(self, name: str) -> None:
        """Make column ``name`` the target and re-detect the task; ValueError if there is no such column."""
        index = self.target_combo.findText(name, Qt.MatchFlag.MatchExactly)
        if index < 0:
            raise ValueError(f"no column {name!r} in {self._path.name}")
        with QSignalBlocker(self.target_combo):
            self.target_combo.setCurrentIndex(index)
        self._on_target_changed()

    def set_task(self, task: str | None) -> None:
        """Choose ``"classification"``, ``"regression"`` or None (auto); ValueError for anything else."""
        index = self.task_combo.findData(task)
        if index < 0:
            raise ValueError(f"unknown task {task!r}; choose one of {', '.join(datasets.TASKS)} or None")
        with QSignalBlocker(self.task_combo):
            self.task_combo.setCurrentIndex(index)
        self._on_task_changed()

    def load(self) -> bool:
        """Load the file with the chosen target and task; accept the dialog on success.

        Returns
        -------
        bool
            True with :meth:`dataset` set and the dialog accepted; False with the
            engine's message (naming line and column) shown, the dialog still open
            and :meth:`dataset` None.
        """
        self._dataset = None
        try:
            dataset = load_csv(self._path, target=self.target(), task=self.task(), drop=self.dropped())
        except DatasetError as e:
            self._show_error(str(e))
            return False
        self._dataset = dataset
        self._show_summary(dataset)
        self.accept()
        return True

    # ------------------------------------------------------------------ updates

    def _drop_actions(self) -> list[QAction]:
        return self.drop_button.menu().actions()

    def _column_name(self, action: QAction) -> str:
        return self._preview.header[action.data()] if self._preview is not None else ""

    def _update_drop_button(self) -> None:
        """Show the ignored columns on the button; the target's entry is disabled (and never checked)."""
        target = self._target_column()
        for action in self._drop_actions():
            action.setEnabled(action.data() != target)
        dropped = self.dropped()
        shown = ", ".join(dropped) if len(", ".join(dropped)) <= 32 else f"{len(dropped)} columns"
        self.drop_button.setText(f"&Ignore: {shown.replace('&', '&&')}" if dropped else "&Ignore columns…")

    def _on_drop_toggled(self, *_: object) -> None:
        self._update_drop_button()
        self._on_target_changed()

    def _on_target_changed(self, *_: object) -> None:
        for action in self._drop_actions():  # a column chosen as the target is read again
            if action.data() == self._target_column() and action.isChecked():
                with QSignalBlocker(action):
                    action.setChecked(False)
        self._update_drop_button()
        self._highlight_target()
        if self.isVisible():  # before the first show the table has no geometry to scroll in
            self._scroll_to_target()
        self._auto_task = None
        auto: Dataset | str | None = self._probe(None)
        if isinstance(auto, Dataset):
            self._auto_task = auto.task
        self.task_combo.setItemText(0, f"Auto ({self._auto_task})" if self._auto_task else "Auto")
        self._show(auto if self.task() is None else self._probe(self.task()))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._scroll_to_target()

    def _target_column(self) -> int:
        """The target's column in the file (and the preview); -1 when there is none."""
        column = self.target_combo.currentData()
        return column if isinstance(column, int) else -1

    def _ignored_columns(self) -> set[int]:
        """Columns left out: checked in the menu or ignored by the engine unasked."""
        checked = {a.data() for a in self._drop_actions() if a.isChecked()}
        header = self._preview.header if self._preview is not None else []
        return checked | {c for c, _ in csv_io.ignored_columns(header)}

    def _scroll_to_target(self) -> None:
        """Bring the cell an error names, else the target column, of a wide or long file into view."""
        item = self._fault_item or self.preview_table.item(0, self._target_column())
        if item is not None:
            self.preview_table.scrollToItem(item)

    def _on_task_changed(self, *_: object) -> None:
        self._show(self._probe(self.task()))

    def _probe(self, task: str | None) -> Dataset | str | None:
        """Test-load with ``task``: the Dataset, the error message, or None when the file is too big to try now."""
        if self._size is not None and csv_io.MAX_CSV_BYTES >= self._size > PROBE_BYTES:
            return None
        try:
            return load_csv(self._path, target=self.target(), task=task, drop=self.dropped())
        except DatasetError as e:
            return str(e)

    def _show(self, result: Dataset | str | None) -> None:
        load_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        # Load stays enabled on errors a different target or task may fix; not when nothing can
        readable = self._preview is not None or isinstance(result, Dataset)
        load_button.setEnabled(readable and not self._too_big())
        if isinstance(result, Dataset):
            self._show_summary(result)
        elif isinstance(result, str):
            self._show_error(result)
        else:
            self._show_status(f"{format_size(self._size or 0)} is a big file: "
                              "it is checked and the task detected when you press Load.")

    def _too_big(self) -> bool:
        return self._size is not None and self._size > csv_io.MAX_CSV_BYTES

    def _show_summary(self, dataset: Dataset) -> None:
        kind = (f"classification, {dataset.n_classes} classes" if dataset.task == "classification"
                else "regression")
        features = "feature" if dataset.n_features == 1 else "features"
        self._show_status(f"{dataset.n_samples} rows · {dataset.n_features} {features} · {kind}")
        self._mark_fault(None)

    def _show_status(self, text: str) -> None:
        self.message_label.setStyleSheet(f"color: {TEXT_COLOR};")
        self.message_label.setText(text)

    def _show_error(self, text: str) -> None:
        self.message_label.setStyleSheet(f"color: {_ERROR_COLOR};")
        self.message_label.setText(text)
        self._mark_fault(text)

    # ------------------------------------------------------------------ preview colours

    def _highlight_target(self) -> None:
        """Tint the target column and embolden its header; grey the ignored columns' text."""
        table = self.preview_table
        target = self._target_column()
        ignored = self._ignored_columns()
        bold, struck = QFont(table.font()), QFont(table.font())
        bold.setBold(True)
        struck.setStrikeOut(True)
        muted = QBrush(QColor(MUTED_TEXT_COLOR))
        for c in range(table.columnCount()):
            header = table.horizontalHeaderItem(c)
            if header is not None:
                header.setFont(bold if c == target else struck if c in ignored else table.font())
                header.setToolTip("Target column" if c == target else "Ignored column" if c in ignored
                                  else "Feature column")
            for r in range(table.rowCount()):
                item = table.item(r, c)
                if item is not None:
                    item.setBackground(QBrush(_TARGET_TINT) if c == target else QBrush())
                    item.setForeground(muted if c in ignored else QBrush())

    def _mark_fault(self, message: str | None) -> None:
        """Tint the preview cell (or row) that an error message names, when it is in view."""
        self._highlight_target()
        self._fault_item = None
        if message is None:
            return
        where = _WHERE.search(message)
        if where is None:
            return
        line, column = int(where.group(1)), where.group(3)
        if self._preview is None or line not in self._preview.lines:
            return
        r = self._preview.lines.index(line)
        header = self._preview.header
        # no column named ("line 7 has 3 cells"): the whole row is at fault
        columns = [header.index(column)] if column in header else list(range(self.preview_table.columnCount()))
        for c in columns:
            item = self.preview_table.item(r, c)
            if item is None:  # a short row: colour the missing cells too
                item = QTableWidgetItem("")
                self.preview_table.setItem(r, c, item)
            item.setBackground(QBrush(_FAULT_TINT))
        self._fault_item = self.preview_table.item(r, columns[0])
        self.preview_table.scrollToItem(self._fault_item)


def _looks_numeric(cell: str) -> bool:
    return _NUMERIC.fullmatch(cell) is not None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_tooltip(text: str) -> str:
    """``text`` as a tooltip shown literally: Qt would render a cell like "<img src=…>" as rich text."""
    return f"<span>{_escape(text)}</span>" if text else ""


def ask_dataset(parent: QWidget | None = None) -> Dataset | None:
    """Ask for a CSV file, preview it in an :class:`ImportDialog` and return the loaded Dataset.

    Returns None when the user cancels either step; a file the engine refuses keeps the
    dialog open with the reason, so None also means "nothing changed".
    """
    path, _ = QFileDialog.getOpenFileName(parent, "Open dataset", "", CSV_FILTER)
    if not path:
        return None
    dialog = ImportDialog(path, parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.dataset()
        return None
    finally:
        dialog.deleteLater()
