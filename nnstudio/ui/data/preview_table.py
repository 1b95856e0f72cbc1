"""The import dialog's preview table: a file's first rows, the target tinted, ignored columns greyed, faults marked."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from nnstudio.engine.data.csv_text import parse_number
from nnstudio.ui.data.import_preview import Preview
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR

__all__ = ["PreviewTable", "TARGET_TINT", "FAULT_TINT"]

#: Up to this many columns the preview spreads them over its width.
_STRETCH_COLUMNS = 8
TARGET_TINT = QColor("#e8f0fe")  # the target column: a pale blue that keeps text readable
FAULT_TINT = QColor("#fce8e6")  # the cell or row an error points at


class PreviewTable(QTableWidget):
    """Read-only rows of a :class:`~nnstudio.ui.data.import_preview.Preview`; row labels are file line numbers."""

    def __init__(self, parent: QWidget | None = None, objectName: str = "") -> None:
        super().__init__(parent, objectName=objectName)
        self._preview: Preview | None = None
        self._fault: QTableWidgetItem | None = None  # the cell the last error points at
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setAlternatingRowColors(False)  # the target tint must stand out on its own
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to do in it but look; no focus frame
        self.setWordWrap(False)
        self.horizontalHeader().setHighlightSections(False)
        rows = self.verticalHeader()
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setToolTip("Line numbers in the file (line 1 is the header)")

    def show_preview(self, preview: Preview) -> None:
        """Fill the table with ``preview``'s header and rows; ragged rows show as they are."""
        self._preview = preview
        header = preview.header
        n_cols = max([len(header), *(len(r) for r in preview.rows)])
        self.setColumnCount(n_cols)
        self.setRowCount(len(preview.rows))
        self.setHorizontalHeaderLabels([*header, *[""] * (n_cols - len(header))])
        self.setVerticalHeaderLabels([str(line) for line in preview.lines])
        for r, cells in enumerate(preview.rows):
            for c, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                item.setToolTip(_plain_tooltip(cell))  # long cells are elided in the narrow columns
                if parse_number(cell) is not None:  # numbers line up by their last digit, as in a spreadsheet
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)
        header_view = self.horizontalHeader()
        if n_cols <= _STRETCH_COLUMNS:  # few columns share the width; many keep their own and scroll
            header_view.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        else:
            header_view.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            self.resizeColumnsToContents()

    def highlight(self, target: int, ignored: set[int]) -> None:
        """Tint the ``target`` column and embolden its header; strike out and grey the ``ignored`` columns."""
        bold, struck = QFont(self.font()), QFont(self.font())
        bold.setBold(True)
        struck.setStrikeOut(True)
        muted = QBrush(QColor(MUTED_TEXT_COLOR))
        for c in range(self.columnCount()):
            header = self.horizontalHeaderItem(c)
            if header is not None:
                header.setFont(bold if c == target else struck if c in ignored else self.font())
                header.setToolTip("Target column" if c == target else "Ignored column" if c in ignored
                                  else "Feature column")
            for r in range(self.rowCount()):
                item = self.item(r, c)
                if item is not None:
                    item.setBackground(QBrush(TARGET_TINT) if c == target else QBrush())
                    item.setForeground(muted if c in ignored else QBrush())

    def mark_fault(self, line: int | None, column: str | None) -> None:
        """Tint the cell at file ``line`` and header ``column`` (the whole row without a column) and scroll to it.

        Nothing is marked when the line is not among the rows shown (or is None).
        """
        preview = self._preview
        self._fault = None
        if preview is None or line is None or line not in preview.lines:
            return
        r = preview.lines.index(line)
        columns = [preview.header.index(column)] if column in preview.header else list(range(self.columnCount()))
        for c in columns:
            item = self.item(r, c)
            if item is None:  # a short row: colour the missing cells too
                item = QTableWidgetItem("")
                self.setItem(r, c, item)
            item.setBackground(QBrush(FAULT_TINT))
        self._fault = self.item(r, columns[0])
        self.scrollToItem(self._fault)

    def scroll_to_fault(self, column: int) -> None:
        """Bring the cell the last error names, else ``column``, of a wide or long file into view."""
        item = self._fault or self.item(0, column)
        if item is not None:
            self.scrollToItem(item)


def _plain_tooltip(text: str) -> str:
    """``text`` as a tooltip shown literally: Qt would render a cell like "<img src=…>" as rich text."""
    return f"<span>{escape(text, quote=False)}</span>" if text else ""
