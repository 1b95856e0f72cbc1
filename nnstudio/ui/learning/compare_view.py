"""Compare runs: pin the current run, change one thing, train again, see both.

``PinnedRunsPanel`` sits above the loss plot: a "Pin this run" button and a small table
of the pinned runs' final metrics, each row naming what that run set differently from
the current one and offering to unpin it. The pinned curves are overlaid on the loss plot
(``LossPlot.set_pinned_runs``). The pins live in the trainer's session too
(``set_pinned_runs``), so they survive resets and new data and are saved in session files.

``AuthorVariantDemo`` is the guide's "Show me" for the seed author's question (``loss =``
or ``loss +=``): it pins the current run, trains the same number of cycles from the same
start with the other delta rule, and says in a sentence what the numbers of that run show.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.pinned_runs import MAX_PINNED_RUNS, PinnedRun, add_pin, differences, pin_from_snapshot
from nnstudio.engine.run.session_state import data_digest
from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR
from nnstudio.ui.plotting.numbers import format_number, format_percent
from nnstudio.ui.plotting.pinned_curves import PINNED_STYLES, PinnedCurves

__all__ = ["PinnedRunsPanel", "AuthorVariantDemo", "TABLE_COLUMNS", "DEFAULT_DEMO_CYCLES", "pin_label"]

#: The Unpin buttons first and what differs next: in view however narrow the table and its scrolling.
TABLE_COLUMNS = ("", "pin", "differs from now", "train loss", "test loss", "train acc", "test acc", "gap", "cycles")
#: What each column holds, as its header's tooltip (the headers are short to fit a narrow pane).
_COLUMN_TIPS = ("", "The pin's number and the line pattern of its curves",
                "What the pinned run set differently from now", "Training loss at the pin", "Test loss at the pin",
                "Training accuracy at the pin", "Test accuracy at the pin",
                "Test loss minus training loss: how much the run overfits", "Cycles the run had trained when pinned")
#: Cycles the author's-variant demonstration trains when the current run has none yet.
DEFAULT_DEMO_CYCLES = 300
#: How the table names each pin's line pattern (``PINNED_STYLES``' order).
_PATTERN_NAMES = ("dotted", "dashed", "dash-dot", "dot pairs")
#: Pixels either side of a table cell's text: the style's margin and one to spare, so no number is elided.
_CELL_PADDING = 4
#: The columns of what differs (it takes the width left) and of the cycles (hidden first when narrow).
_CHANGED_COLUMN, _CYCLES_COLUMN = TABLE_COLUMNS.index("differs from now"), TABLE_COLUMNS.index("cycles")


def pin_label(number: int, pin: PinnedRun, config: SessionConfig | None, delta_rule: str, digest: str) -> str:
    """"pin 2: lr 2 → 0.5" — what the pin set differently from the current run."""
    changed = differences(pin, config, delta_rule, digest) if config is not None else []
    return f"pin {number}: " + (", ".join(changed) if changed else "same set-up")


class PinnedRunsPanel(QWidget):
    """The "Pin this run" button and the pinned runs' table (objectName ``"pinnedRunsPanel"``).

    Signals
    -------
    sig_pins_changed(tuple)
        The pins (``PinnedRun``) after the learner pinned or unpinned a run.
    sig_curves_changed(list)
        The pinned curves to overlay (``PinnedCurves``), whenever the pins or their labels change.
    sig_status(str)
        A line for the status bar.
    """

    sig_pins_changed = Signal(tuple)
    sig_curves_changed = Signal(list)
    sig_status = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinnedRunsPanel")
        self.pins: tuple[PinnedRun, ...] = ()
        self.latest: Snapshot | None = None
        self._dataset: Dataset | None = None
        self._digest = ""
        self._compared: tuple | None = None  # (config, delta rule, digest) the labels were made for
        self.labels: list[str] = []

        self.pin_button = QPushButton("Pin this run", self, objectName="pinRunButton")
        self.pin_button.setToolTip(
            f"Keep this run's curves on the plot, then change one thing and train again (up to {MAX_PINNED_RUNS})")
        self.pin_button.setAutoDefault(False)
        self.pin_button.clicked.connect(self.pin_current)
        self.hint = QLabel("Pin a run, change one thing, train again: the pinned curves stay on the plot.",
                           self, objectName="pinnedRunsHint")
        self.hint.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")
        self.hint.setWordWrap(True)
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.pin_button)
        row.addWidget(self.hint, 1)

        self.table = QTableWidget(0, len(TABLE_COLUMNS), self, objectName="pinnedRunsTable")
        for column, (name, tip) in enumerate(zip(TABLE_COLUMNS, _COLUMN_TIPS)):
            header_item = QTableWidgetItem(name.replace(" ", "\n", 1))  # two short lines: narrow columns
            header_item.setToolTip(tip)
            self.table.setHorizontalHeaderItem(column, header_item)
        self.table.verticalHeader().hide()
        # a point smaller, and the cells padded less: nine columns fit the pane of a 1024-pixel window
        small = self.table.font()
        small.setPointSizeF(small.pointSizeF() - 1)
        self.table.setFont(small)
        self.table.horizontalHeader().setFont(small)
        self.table.setItemDelegate(_CompactCells(self.table))
        # Compact rows: the table shares the loss plot's pane.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(self.table.fontMetrics().height())  # the style's minimum is wider than "1"
        # what differs takes the width the numbers leave; a cut text is whole in its tooltip
        header.setSectionResizeMode(_CHANGED_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table.horizontalScrollBar().rangeChanged.connect(lambda _low, _high: self._fit_height())
        self.table.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.table)

    # -- what the window tells it ------------------------------------------------------
    def show_snapshot(self, s: Snapshot, dataset: Dataset | None) -> None:
        """Follow the current run: the labels name what differs from it."""
        self.latest = s
        if dataset is not None and dataset is not self._dataset:
            self._dataset, self._digest = dataset, data_digest(dataset)
        compared = (s.config, s.delta_rule, self._digest)
        if compared != self._compared and self.pins:
            self._refresh()
        self._compared = compared

    def set_pins(self, pins: tuple[PinnedRun, ...]) -> None:
        """Show these pins (a reopened session's: the trainer has them already)."""
        self.pins = tuple(pins)[-MAX_PINNED_RUNS:]
        self._refresh()

    # -- the learner's actions ---------------------------------------------------------
    def pin_current(self) -> PinnedRun | None:
        """Pin the run shown; a fifth pin replaces the oldest, and says so."""
        s = self.latest
        if s is None:
            return None
        if s.cycle == 0 or len(s.eval_cycles) == 0:
            self.sig_status.emit("Nothing to pin yet: train a few cycles first.")
            return None
        pin = pin_from_snapshot(s, self._digest)
        self.pins, dropped = add_pin(self.pins, pin)
        self._refresh()
        self.sig_pins_changed.emit(self.pins)
        replaced = f" It replaces the oldest pin (at most {MAX_PINNED_RUNS})." if dropped is not None else ""
        self.sig_status.emit(f"Run pinned at cycle {pin.cycle}. Change one thing and train again to compare."
                             + replaced)
        return pin

    def unpin(self, index: int) -> None:
        if 0 <= index < len(self.pins):
            self.pins = self.pins[:index] + self.pins[index + 1:]
            self._refresh()
            self.sig_pins_changed.emit(self.pins)

    def curves(self) -> list[PinnedCurves]:
        """The pins as the loss plot overlays them, labelled as in the table."""
        return [PinnedCurves(label, pin.cycles, pin.evaluations) for label, pin in zip(self.labels, self.pins)]

    # -- drawing -----------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Hide the cycles column when the pane is too narrow for all; the pin's tooltip names its cycle."""
        table, header = self.table, self.table.horizontalHeader()
        if not self.pins:
            return
        shortest_change = table.fontMetrics().horizontalAdvance("same set-up") + 2 * _CELL_PADDING
        needed = sum(shortest_change if column == _CHANGED_COLUMN
                     else max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
                     for column in range(table.columnCount()))
        table.setColumnHidden(_CYCLES_COLUMN, needed > table.viewport().width())

    def _fit_height(self) -> None:
        """The header and every row; room for the horizontal scroll bar only while the columns overflow."""
        table = self.table
        if not self.pins:
            return
        rows_height = table.verticalHeader().defaultSectionSize() * table.rowCount()
        bar = table.horizontalScrollBar()
        scroll = bar.sizeHint().height() if bar.maximum() > 0 else 0
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows_height + 2 * table.frameWidth()
                             + scroll)

    def _refresh(self) -> None:
        s = self.latest
        config, rule = (s.config, s.delta_rule) if s is not None else (None, "set")
        self.labels = [pin_label(n, pin, config, rule, self._digest) for n, pin in enumerate(self.pins, start=1)]
        table = self.table
        table.setRowCount(len(self.pins))
        for row, (label, pin) in enumerate(zip(self.labels, self.pins)):
            train_loss, test_loss, train_acc, test_acc = pin.final
            name, changed = label.split(": ", 1)
            # (shown, tooltip): short enough for a narrow pane, the tooltip whole
            pattern = _PATTERN_NAMES[row % len(PINNED_STYLES)]
            cells = ((name[4:], f"{name}: {pattern} curves, pinned at cycle {pin.cycle}"), (changed, changed),
                     *((_number(value, 3), _number(value)) for value in (train_loss, test_loss)),
                     (_percent(train_acc), ""), (_percent(test_acc), ""),
                     (_number(pin.gap, 2), _number(pin.gap)), (str(pin.cycle), ""))
            for column, (text, tip) in enumerate(cells, start=1):
                item = QTableWidgetItem(text)  # plain text: a data name from a file is never markup here
                if column >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(tip)
                table.setItem(row, column, item)
            button = QToolButton(objectName=f"unpinButton_{row}", text="\u2715", autoRaise=True)
            button.setToolTip("Unpin: remove this run from the plot and the table")
            button.setFixedWidth(button.fontMetrics().horizontalAdvance(button.text()) + 2 * _CELL_PADDING)
            button.clicked.connect(lambda _checked=False, index=row: self.unpin(index))
            table.setCellWidget(row, 0, button)
        table.setVisible(bool(self.pins))
        self._fit_columns()
        self._fit_height()
        self.sig_curves_changed.emit(self.curves())
        self.hint.setText("Pinned: thick line train, thin line test."
                          if self.pins else
                          "Pin a run, change one thing, train again: the pinned curves stay on the plot.")


_number, _percent = format_number, format_percent  # both show a missing value as "–"


class _CompactCells(QStyledItemDelegate):
    """Cells as wide as their text and a few pixels, not the style's wider padding."""

    def sizeHint(self, option, index):
        hint = super().sizeHint(option, index)
        cell = QStyleOptionViewItem(option)
        self.initStyleOption(cell, index)
        if cell.text:
            hint.setWidth(cell.fontMetrics.horizontalAdvance(cell.text) + 2 * _CELL_PADDING)
        return hint


def _stuck_units(s: Snapshot) -> tuple[int, int]:
    """(stuck, all) hidden units: their output spans under 0.02 over the last batch, so they pass on no signal."""
    stuck = total = 0
    for layer in s.batch_activations[:-1]:
        if layer.size == 0:
            continue
        spread = layer.max(axis=0) - layer.min(axis=0)
        stuck += int(np.sum(spread < 0.02))
        total += layer.shape[1]
    return stuck, total


def _largest_hidden_bias(s: Snapshot) -> float:
    hidden = [np.abs(b).max() for b in s.biases[:-1] if b.size]
    return float(max(hidden)) if hidden else math.nan


class AuthorVariantDemo(QObject):
    """The guide's "Show me" for ``loss +=``: the same start trained with both rules, overlaid.

    Pins the current run (training it first, ``DEFAULT_DEMO_CYCLES`` cycles, when it has
    none), starts over from the same seed with the other delta rule, trains as many cycles,
    then says what happened with that run's numbers.

    Signals
    -------
    sig_result(str)
        The sentence saying what happened (also a line for the status bar).
    """

    sig_result = Signal(str)

    def __init__(self, panel: PinnedRunsPanel, send: Callable[..., None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel, self._send = panel, send
        self.latest: Snapshot | None = None
        # (stage, generation, cycles, the standard run's snapshot): "first" while the run to
        # pin trains, "variant" while the other rule's run does.
        self._pending: tuple[str, int, int, Snapshot | None] | None = None

    @property
    def running(self) -> bool:
        return self._pending is not None

    def start(self) -> None:
        s = self.latest
        if s is None:
            return
        if s.cycle == 0:
            self._pending = ("first", s.generation, DEFAULT_DEMO_CYCLES, None)
            self._send("step", "cycle", DEFAULT_DEMO_CYCLES)
            self.sig_result.emit(f"Training {DEFAULT_DEMO_CYCLES} cycles with the current rule first…")
            return
        self._switch(s)

    def _switch(self, s: Snapshot) -> None:
        """Pin ``s``'s run and train the same start as long with the other rule."""
        self.panel.latest = s
        if self.panel.pin_current() is None:
            self._pending = None
            return
        other = "set" if s.delta_rule == "accumulate" else "accumulate"
        self._pending = ("variant", s.generation, s.cycle, s)
        self._send("reset")  # the same seed: the same initial weights, batches and noise
        self._send("set_delta_rule", other)
        self._send("step", "cycle", s.cycle)
        self.sig_result.emit(f"Pinned; now the same start with {'+=' if other == 'accumulate' else '='} "
                             f"for {s.cycle} cycles…")

    def show(self, s: Snapshot) -> None:
        """Follow the trainer: go on once the cycles asked for are done."""
        self.latest = s
        if self._pending is None:
            return
        stage, generation, cycles, pinned = self._pending
        if stage == "first":
            if s.generation != generation:
                self._pending = None  # the learner started over meanwhile
            elif not s.running and (s.cycle >= cycles or s.message):
                self._switch(s)
            return
        if s.generation == generation or s.running or s.cycle == 0:
            return
        if s.cycle >= cycles or s.message:
            self._pending = None
            self.sig_result.emit(self.describe(pinned, s))

    @staticmethod
    def describe(standard: Snapshot, variant: Snapshot) -> str:
        """What the two runs' numbers say, in a sentence or two (``standard`` and ``variant`` by rule)."""
        if standard.delta_rule == "accumulate":
            standard, variant = variant, standard
        a, b = standard.evaluation, variant.evaluation
        if a is None or b is None:
            return "The runs ended before an evaluation; train again to compare."
        text = (f"After {variant.cycle} cycles from the same start, += reaches a train loss of "
                f"{format_number(b.train_loss)} against {format_number(a.train_loss)} with the standard rule")
        if math.isfinite(a.train_accuracy) and math.isfinite(b.train_accuracy):
            text += f" ({format_percent(b.train_accuracy)} right against {format_percent(a.train_accuracy)})"
        text += "."
        drift, calm = _largest_hidden_bias(variant), _largest_hidden_bias(standard)
        if math.isfinite(drift):
            text += (f" The largest hidden bias is {format_number(drift)} (standard: {format_number(calm)}): "
                     "the kept error pushes it at the same pace every cycle, like momentum 1.")
        stuck, total = _stuck_units(variant)
        stuck_standard, _ = _stuck_units(standard)
        if total:
            text += (f" {stuck} of {total} hidden units are stuck, their output the same for every row of the batch "
                     f"(standard: {stuck_standard}).")
        return text
