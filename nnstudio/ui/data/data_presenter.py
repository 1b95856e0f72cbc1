"""Everything about the data in the window: the panel, the insight views, the table.

Takes snapshots in (``show_snapshot``) and turns the learner's data actions (pick a dataset, draw
points, import a CSV, edit the table) into commands for the trainer.

It also says which data is in use: the dataset box names it (a file's name for imported
data, "Drawn" for drawn points), and when the learner picks other data the window's
``dataset_chosen`` callback applies that data's starting learning rate and speed before
the new data is sent. When the new data arrives, the status bar says what it is, how it
is split (the counts the plot's legend shows) and what was applied.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from nnstudio.engine.data.datasets import Dataset, DatasetError
from nnstudio.engine.data.drawn_digit import drawn_digit_inputs
from nnstudio.engine.data.generators import DRAWN_NAME
from nnstudio.engine.nn.network import Network
from nnstudio.engine.run.config import DataSpec
from nnstudio.engine.run.snapshot import DataView, Snapshot
from nnstudio.ui.data.data_table import DataTable
from nnstudio.ui.data.dataset_combo import DATASET_LABELS
from nnstudio.ui.data.dataset_panel import DatasetPanel
from nnstudio.ui.data.import_dialog import CSV_FILTER, ImportDialog
from nnstudio.ui.data.insight_views import InsightStack
from nnstudio.ui.data.panel_drawing import DRAWN_LABEL

__all__ = ["DataPresenter", "insight_kind", "data_label", "MIN_DRAWN_PER_CLASS", "MAX_LABEL_CHARS"]

#: A drawn set trains once each class has this many points (one may go to the test split).
MIN_DRAWN_PER_CLASS = 2
#: A file's name in the dataset box is cut to this many characters.
MAX_LABEL_CHARS = 40


def data_label(name: str) -> str:
    """How the window names a listed dataset ("XOR", "Plane (regression)")."""
    return DATASET_LABELS.get(name, name.replace("_", " ").title())


def _plain_label(text: str) -> str:
    """A file's name made safe to show on one line: control characters become spaces, a long one is cut."""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)
    text = " ".join(text.split()) or "data"
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1] + "\u2026"


def insight_kind(data: DataView) -> str | None:
    """Which view replaces the decision boundary for data that is not 2-D (None: it is 2-D)."""
    if data.bounds is not None:
        return None
    if data.task == "regression":
        return "regression"
    if data.n_features == 64 and len(data.class_names) == 10:
        return "digits"
    return "confusion"


def _as_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Softmax outputs already sum to one; sigmoid ones are shown as shares of their sum."""
    outputs = np.clip(np.asarray(outputs, dtype=float), 0.0, None)
    total = outputs.sum()
    return outputs / total if total > 0 else np.full(outputs.shape, 1.0 / outputs.size)


class DataPresenter(QObject):
    """Shows the data of each snapshot and sends the learner's data changes.

    Parameters
    ----------
    panel, insights, table
        The widgets it drives (owned by the window).
    send
        ``send(name, *args)``: queue a command for the trainer.

    Signals
    -------
    sig_data_spec_changed(object)
        The ``DataSpec`` the learner picked in the panel (the window remembers it).
    sig_status(str)
        A line for the status bar.
    sig_data_in_use(str, str, object)
        ``(key, label, task)`` of the data a snapshot brought: the key the training
        controls keep their starting points by (a listed dataset's name, ``"drawn"``, or
        ``"file:<name>"`` for imported data), the name shown, and the task.

    Attributes
    ----------
    dataset_chosen : callable or None
        ``dataset_chosen(key, label, task) -> str``, called when the learner picks other
        data, before it is sent: applies its starting settings and returns a line saying
        so, shown once the data arrives.
    """

    sig_data_spec_changed = Signal(object)  # DataSpec
    sig_status = Signal(str)  # message
    sig_data_in_use = Signal(str, str, object)  # key, label, task

    def __init__(self, panel: DatasetPanel, insights: InsightStack, table: DataTable,
                 send: Callable[..., None]) -> None:
        super().__init__(panel)
        self.panel, self.insights, self.table, self._send = panel, insights, table, send
        self.data: DataView | None = None
        self.latest: Snapshot | None = None
        self.dataset_chosen: Callable[[str, str, str | None], str] | None = None
        self._pad_network: tuple[tuple[int, int], Network] | None = None
        self._key: str | None = None  # of the data in use or last sent
        self._file_labels: dict[str, str] = {}  # imported dataset name -> its file's name
        self._imported_file: str | None = None  # set by _ask_dataset
        self._note = ""  # what the learner's last pick applied, said when its data arrives
        self._draw_version: int | None = None  # the data version draw mode began over
        panel.sig_data_spec_changed.connect(self._on_spec_changed)
        panel.sig_drawn_data_changed.connect(self._on_drawn)
        panel.sig_custom_split_changed.connect(self._on_custom_split_changed)
        panel.confirm_draw_toggle = self._confirm_draw_toggle
        table.sig_data_edited.connect(self._on_table_edited)
        insights.digit_view.sig_pad_changed.connect(self._on_pad_changed)

    # -- learner's actions -------------------------------------------------------------
    def _on_spec_changed(self, spec: dict) -> None:
        data = DataSpec(**spec)
        self.sig_data_spec_changed.emit(data)
        self._choose(data.name, data_label(data.name), None)
        self._send("set_data", data)

    def _on_drawn(self, drawn: tuple[np.ndarray, np.ndarray]) -> None:
        X, labels = drawn
        counts = np.bincount(labels, minlength=2)
        if counts.min() < MIN_DRAWN_PER_CLASS:
            self.sig_status.emit(f"Draw at least {MIN_DRAWN_PER_CLASS} points of each class to train on them.")
            return
        self._choose(DRAWN_NAME, DRAWN_LABEL, "classification")
        self._send("set_dataset", self.panel.drawn_dataset(), self.panel.data_spec()["test_fraction"])

    def _on_table_edited(self, dataset: Dataset) -> None:
        self._send("set_dataset", dataset)

    def _on_custom_split_changed(self, test_fraction: float) -> None:
        if self.data is not None and self.data.custom:
            self._send("set_dataset", self.data.dataset, test_fraction)

    def open_dataset(self) -> None:
        """File › Open dataset…: pick a CSV, check it in the import dialog, train on it."""
        self._imported_file = None
        dataset = self._ask_dataset()
        if dataset is None:
            return
        label = _plain_label(self._imported_file or dataset.name)
        self._file_labels[dataset.name] = label
        if self.panel.is_draw_mode():
            self.panel.set_draw_mode(False)  # the file's data replaces the drawing
        self._choose(f"file:{dataset.name}", label, dataset.task)
        self._send("set_dataset", dataset, self.panel.data_spec()["test_fraction"])

    def _ask_dataset(self) -> Dataset | None:
        """Ask for a CSV file and check it in the import dialog; None if the learner cancels either."""
        parent = self.panel.window()
        path, _ = QFileDialog.getOpenFileName(parent, "Open dataset", "", CSV_FILTER)
        if not path:
            return None
        dialog = ImportDialog(path, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            self._imported_file = Path(path).name
            return dialog.dataset()
        finally:
            dialog.deleteLater()

    def _choose(self, key: str, label: str, task: str | None) -> None:
        """The learner picked data: its starting settings, if it is other data than in use."""
        if key == self._key:
            return
        self._key = key
        if self.dataset_chosen is not None:
            self._note = self.dataset_chosen(key, label, task)

    # -- draw mode ---------------------------------------------------------------------
    def _confirm_draw_toggle(self, on: bool) -> bool:
        """Entering or leaving draw mode trains on other data: ask first if anything was trained."""
        agreed = self._agrees_to_start_over(on)
        if agreed and on:
            self._draw_version = None if self.data is None else self.data.version
        return agreed

    def _agrees_to_start_over(self, on: bool) -> bool:
        s = self.latest
        if s is None or (s.cycle == 0 and s.phase is None):
            return True
        done = f"the {s.cycle} cycle{'s' if s.cycle != 1 else ''} trained so far" if s.cycle else "the cycle begun"
        if on:
            text = f"Drawing your own data starts training over on it: {done} will be dropped."
        else:
            text = (f"Leaving draw mode goes back to {data_label(self.panel.data_spec()['name'])} and starts "
                    f"training over: {done} on the drawn points will be dropped.")
        return self._ask_discard(text)

    def _ask_discard(self, text: str) -> bool:
        """True if the learner agrees to drop the training done (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Question, "Draw mode", text, parent=self.panel.window())
        box.setObjectName("confirmDrawBox")
        box.setTextFormat(Qt.TextFormat.PlainText)
        start_over = box.addButton("Start over", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(start_over)
        box.exec()
        return box.clickedButton() is start_over

    def _on_pad_changed(self, pixels: np.ndarray) -> None:
        s, data = self.latest, self.data
        if s is None or data is None or insight_kind(data) != "digits":
            return
        key = (s.generation, s.cycle)
        if self._pad_network is None or self._pad_network[0] != key:
            self._pad_network = (key, Network(s.spec, s.weights, s.biases))
        try:
            x = drawn_digit_inputs(np.asarray(pixels, dtype=float)[None, :], data.mean, data.std)
            outputs = self._pad_network[1].predict(x)[0]
        except (ValueError, DatasetError):
            return
        self.insights.digit_view.set_pad_probabilities(_as_probabilities(outputs))

    # -- snapshots ---------------------------------------------------------------------
    def show_snapshot(self, s: Snapshot) -> None:
        """Draw the data parts of ``s``."""
        self.latest = s
        if s.data is not None:
            self._show_data(s.data)
            self._announce(s)
        data = self.data
        if data is None:
            return
        kind = insight_kind(data)
        if kind is None:
            # Regression: the output surface on the same colour scale as the points' values.
            levels = self.panel.plot.value_levels if data.task == "regression" else None
            self.panel.set_boundary(s.boundary, data.bounds, levels)
        elif kind == "digits" and s.sample_input is not None:
            self.insights.digit_view.set_sample(
                s.sample_input.reshape(8, 8), _as_probabilities(s.sample_activations[-1]), s.sample_label
            )
            if not self.insights.digit_view.draw_pad.is_empty():
                self._on_pad_changed(self.insights.digit_view.pad_pixels())
        elif kind == "confusion" and s.confusion is not None:
            self.insights.confusion_view.set_matrix(s.confusion, data.class_names, self._split_name(data))
        elif kind == "regression" and s.predictions is not None:
            self.insights.prediction_scatter.set_points(*s.predictions, self._split_name(data))

    @staticmethod
    def _split_name(data: DataView) -> str:
        return "test split" if len(data.test_idx) else "training split"

    def _key_and_label(self, data: DataView) -> tuple[str, str]:
        name = data.name
        if not data.custom:
            return name, data_label(name)
        if name in self._file_labels:
            return f"file:{name}", self._file_labels[name]
        if name == DRAWN_NAME:
            return DRAWN_NAME, DRAWN_LABEL
        if name in DATASET_LABELS:  # a listed dataset edited in the table
            return name, f"{data_label(name)} (edited)"
        return f"file:{name}", _plain_label(name)  # imported in a session saved earlier

    def _announce(self, s: Snapshot) -> None:
        """Say what the new data is, its split (the legend's counts) and what the pick applied.

        Said after the window has shown the snapshot's own message, which it completes.
        """
        note, self._note = self._note, ""
        if not (s.message or note):
            return
        data = s.data
        split = f"Split: {len(data.train_idx)} train, {len(data.test_idx)} test."
        # The pick's note first: a long message (regression's) would push it out of view.
        text = " ".join(part for part in (note, s.message, split) if part)
        QTimer.singleShot(0, self, lambda: self.sig_status.emit(text))

    def _show_data(self, data: DataView) -> None:
        self.data = data
        key, label = self._key_and_label(data)
        self._key = key
        if self.panel.is_draw_mode():
            if key == DRAWN_NAME:
                self._draw_version = data.version
            elif self._draw_version is not None and data.version != self._draw_version:
                self.panel.set_draw_mode(False)  # other data (a session, a file) replaced the drawing
        self.panel.show_data_in_use(data.name, data.custom, label)
        self.sig_data_in_use.emit(key, label, data.task)
        kind = insight_kind(data)
        two_d = kind is None
        self.panel.plot.setVisible(two_d)
        self.insights.setVisible(not two_d)
        self.insights.show_view(kind)
        values = (data.values_train, data.values_test) if data.values_train is not None else None
        self.panel.set_points(data.X_train, data.labels_train, data.X_test, data.labels_test, data.bounds,
                              values=values)
        self.table.set_data(data.dataset, data.test_idx, editable=data.custom)
