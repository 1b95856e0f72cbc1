"""File › Open dataset…: preview a CSV file, pick its target column, columns to ignore and the task; load it.

The dialog reads only the first few kilobytes itself, for the preview. Everything that
decides whether the file is usable is left to :func:`nnstudio.engine.data.datasets.load_csv`,
so the dialog and the command line refuse exactly the same files with the same
messages (they name the line and column at fault). A refused file leaves the dialog
open and returns no dataset, so whatever the caller was using stays as it was.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.data import csv_io, datasets
from nnstudio.engine.data.datasets import Dataset, DatasetError, load_csv
from nnstudio.ui.data.import_preview import PREVIEW_ROWS, dataset_summary, file_caption, format_size, read_preview
from nnstudio.ui.data.preview_table import PreviewTable
from nnstudio.ui.plotting.colormaps import ERROR_COLOR, MUTED_TEXT_COLOR, TEXT_COLOR

__all__ = ["ImportDialog", "ask_dataset", "CSV_FILTER", "PROBE_BYTES"]

#: File-dialog filter: .tsv and .txt too, since the engine sniffs tab and semicolon.
CSV_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"
#: Files up to this size are test-loaded on every target/task change to detect the task
#: and catch errors before Load; bigger ones would make the combos lag, so they are
#: checked on Load only.
PROBE_BYTES = 8 * 1024 * 1024
_TASK_LABELS = {"classification": "Classification", "regression": "Regression"}


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
        self._preview = read_preview(self._path)
        self._auto_task: str | None = None
        self._size: int | None = None  # bytes on disk; None if the file cannot be stat'ed

        self.file_label = QLabel(objectName="importFileLabel")
        self.file_label.setTextFormat(Qt.TextFormat.RichText)
        self.preview_table = PreviewTable(objectName="importPreviewTable")
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
        outer = QVBoxLayout(self)
        outer.setSpacing(8)
        outer.addWidget(self.file_label)
        heading = QLabel(f"Preview (header and first {PREVIEW_ROWS} rows; row labels are file lines)", self)
        heading.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")
        outer.addWidget(heading)
        outer.addWidget(self.preview_table, 1)
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
        over = size is not None and size > csv_io.MAX_CSV_BYTES  # the limit read now: tests shrink it
        self.file_label.setText(file_caption(self._path.name or str(self._path), size, csv_io.MAX_CSV_BYTES,
                                             ERROR_COLOR if over else MUTED_TEXT_COLOR))
        self.file_label.setToolTip(str(self._path))
        self._update_drop_button()
        if self._preview is None:
            self.preview_table.setEnabled(False)
            self.target_combo.setEnabled(False)
            self.task_combo.setEnabled(False)
            self.drop_button.setEnabled(False)
            return
        header = self._preview.header
        self.preview_table.show_preview(self._preview)
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
            self._show_error(e)
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
        auto = self._probe(None)
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
        self.preview_table.scroll_to_fault(self._target_column())

    def _on_task_changed(self, *_: object) -> None:
        self._show(self._probe(self.task()))

    def _probe(self, task: str | None) -> Dataset | DatasetError | None:
        """Test-load with ``task``: the Dataset, the engine's refusal, or None when the file is too big to try now."""
        if self._size is not None and csv_io.MAX_CSV_BYTES >= self._size > PROBE_BYTES:
            return None
        try:
            return load_csv(self._path, target=self.target(), task=task, drop=self.dropped())
        except DatasetError as e:
            return e

    def _show(self, result: Dataset | DatasetError | None) -> None:
        load_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        # Load stays enabled on errors a different target or task may fix; not when nothing can
        readable = self._preview is not None or isinstance(result, Dataset)
        load_button.setEnabled(readable and not self._too_big())
        if isinstance(result, Dataset):
            self._show_summary(result)
        elif isinstance(result, DatasetError):
            self._show_error(result)
        else:
            self._show_status(f"{format_size(self._size or 0)} is a big file: "
                              "it is checked and the task detected when you press Load.")

    def _too_big(self) -> bool:
        return self._size is not None and self._size > csv_io.MAX_CSV_BYTES

    def _show_summary(self, dataset: Dataset) -> None:
        self._show_status(dataset_summary(dataset))
        self._mark_fault(None)

    def _show_status(self, text: str) -> None:
        self.message_label.setStyleSheet(f"color: {TEXT_COLOR};")
        self.message_label.setText(text)

    def _show_error(self, error: DatasetError) -> None:
        """The engine's message (it names the line and column), and their cell tinted in the preview."""
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message_label.setText(str(error))
        self._mark_fault(error)

    def _highlight_target(self) -> None:
        self.preview_table.highlight(self._target_column(), self._ignored_columns())

    def _mark_fault(self, error: DatasetError | None) -> None:
        """Tint the preview cell (or row) at the line and column the error names, when it is in view."""
        self._highlight_target()
        self.preview_table.mark_fault(*((error.line, error.column) if error is not None else (None, None)))


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
