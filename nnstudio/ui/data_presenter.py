"""Everything about the data in the window: the panel, the insight views, the table.

Takes snapshots in (``show``) and turns the learner's data actions (pick a dataset, draw
points, import a CSV, edit the table) into commands for the trainer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from ..engine.datasets import Dataset, DatasetError
from ..engine.drawn_digit import drawn_digit_inputs
from ..engine.network import Network
from ..engine.session import DataSpec
from ..engine.snapshot import DataView, Snapshot
from .data_table import DataTable
from .dataset_panel import DatasetPanel
from .import_dialog import ask_dataset
from .insight_views import InsightStack

__all__ = ["DataPresenter", "insight_kind", "MIN_DRAWN_PER_CLASS"]

#: A drawn set trains once each class has this many points (one may go to the test split).
MIN_DRAWN_PER_CLASS = 2


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
    """

    sig_data_spec_changed = Signal(object)  # DataSpec
    sig_status = Signal(str)  # message

    def __init__(self, panel: DatasetPanel, insights: InsightStack, table: DataTable,
                 send: Callable[..., None]) -> None:
        super().__init__(panel)
        self.panel, self.insights, self.table, self._send = panel, insights, table, send
        self.data: DataView | None = None
        self.latest: Snapshot | None = None
        self._pad_network: tuple[tuple[int, int], Network] | None = None
        panel.sig_data_spec_changed.connect(self._on_spec_changed)
        panel.sig_drawn_data_changed.connect(self._on_drawn)
        table.sig_data_edited.connect(self._on_table_edited)
        insights.digit_view.sig_pad_changed.connect(self._on_pad_changed)

    # -- learner's actions -------------------------------------------------------------
    def _on_spec_changed(self, spec: dict) -> None:
        data = DataSpec(**spec)
        self.sig_data_spec_changed.emit(data)
        self._send("set_data", data)

    def _on_drawn(self, drawn: tuple[np.ndarray, np.ndarray]) -> None:
        X, labels = drawn
        counts = np.bincount(labels, minlength=2)
        if counts.min() < MIN_DRAWN_PER_CLASS:
            self.sig_status.emit(f"Draw at least {MIN_DRAWN_PER_CLASS} points of each class to train on them.")
            return
        self._send("set_dataset", self.panel.drawn_dataset())

    def _on_table_edited(self, dataset: Dataset) -> None:
        self._send("set_dataset", dataset)

    def open_dataset(self) -> None:
        """File › Open dataset…: pick a CSV, check it in the import dialog, train on it."""
        dataset = self._ask_dataset()
        if dataset is not None:
            self._send("set_dataset", dataset)

    def _ask_dataset(self) -> Dataset | None:
        return ask_dataset(self.panel.window())

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
    def show(self, s: Snapshot) -> None:
        """Draw the data parts of ``s``."""
        self.latest = s
        if s.data is not None:
            self._show_data(s.data)
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

    def _show_data(self, data: DataView) -> None:
        self.data = data
        kind = insight_kind(data)
        two_d = kind is None
        self.panel.plot.setVisible(two_d)
        self.insights.setVisible(not two_d)
        self.insights.show_view(kind)
        values = (data.values_train, data.values_test) if data.values_train is not None else None
        self.panel.set_points(data.X_train, data.labels_train, data.X_test, data.labels_test, data.bounds,
                              values=values)
        self.table.set_data(data.dataset, data.test_idx, editable=data.custom)
