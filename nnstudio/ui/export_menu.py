"""File › Export: the model in every format, and the figures and numbers of a run."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from .figure_export import (
    CSV_FILTERS,
    IMAGE_FILTERS,
    ask_export_path,
    export_heatmaps,
    export_history_csv,
    export_loss_plot,
)
from .plots import LossPlot

__all__ = ["ExportMenu", "MODEL_EXPORTS"]

#: (label, objectName, default file name, file-dialog filters) of each model format.
MODEL_EXPORTS = (
    ("&Weights (.npz, .json)…", "exportWeightsAction", "weights.npz",
     {"NumPy weights": ".npz", "JSON weights": ".json"}),
    ("&ONNX…", "exportOnnxAction", "model.onnx", {"ONNX model": ".onnx"}),
    ("Python (&numpy)…", "exportNumpyAction", "model.py", {"Python script": ".py"}),
    ("&PyTorch…", "exportTorchAction", "model_torch.py", {"PyTorch script": "_torch.py"}),
)
ONNX_HINT = "ONNX export needs the onnx package: pip install 'nnstudio[onnx]'"


class ExportMenu(QMenu):
    """The Export submenu of a ``MainWindow``.

    Model formats are written by the trainer (it owns the weights); figures and the loss
    history are written here from what the window shows. ``ask_path`` is the one place
    a file dialog opens, so tests replace it.
    """

    def __init__(self, window, send: Callable[..., None], report: Callable[[str], None]) -> None:
        super().__init__("&Export", window)
        self.setObjectName("exportMenu")
        self.window_ = window
        self._send, self._report = send, report
        self.actions_by_name: dict[str, QAction] = {}
        for label, name, default, filters in MODEL_EXPORTS:
            action = self._add(label, name, lambda _=False, d=default, f=filters: self._export_model(d, f))
            if name == "exportWeightsAction":
                action.setShortcut(QKeySequence("Ctrl+E"))
            if name == "exportOnnxAction" and importlib.util.find_spec("onnx") is None:
                action.setEnabled(False)
                action.setText("ONNX… (pip install 'nnstudio[onnx]')")
                action.setToolTip(ONNX_HINT)
        self.addSeparator()
        self._add("Loss &plot…", "exportLossPlotAction", self._export_loss_plot)
        self._add("&Heatmaps…", "exportHeatmapsAction", self._export_heatmaps)
        self._add("Loss &history (CSV)…", "exportHistoryAction", self._export_history)

    def _add(self, label: str, name: str, slot) -> QAction:
        action = QAction(label, self, objectName=name)
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions_by_name[name] = action
        return action

    def ask_path(self, title: str, default: str, filters: dict[str, str]) -> str | None:
        return ask_export_path(self.window_, title, default, filters)

    def _export_model(self, default: str, filters: dict[str, str]) -> None:
        path = self.ask_path("Export model", default, filters)
        if path:
            self._send("export", path)

    def _guarded(self, write, path: str) -> None:
        try:
            write(path)
        except (ValueError, OSError) as exc:
            self._report(f"Could not export: {exc}")
        else:
            self._report(f"Written to {path}")

    def _export_loss_plot(self) -> None:
        plot: LossPlot = self.window_.loss_plot
        which = "accuracy" if plot.tabs.currentIndex() == LossPlot.ACCURACY_TAB else "loss"
        path = self.ask_path("Export loss plot", f"{which}.png", IMAGE_FILTERS)
        if path:
            self._guarded(lambda p: export_loss_plot(plot, p, which), path)

    def _export_heatmaps(self) -> None:
        tabs = self.window_.heatmap_tabs
        default = "activations.png" if tabs.currentIndex() == 0 else "weight_deltas.png"
        path = self.ask_path("Export heatmaps", default, IMAGE_FILTERS)
        if path:
            self._guarded(lambda p: export_heatmaps(tabs.currentWidget(), p), path)

    def _export_history(self) -> None:
        latest = self.window_.latest
        if latest is None:
            return
        path = self.ask_path("Export loss history", "history.csv", CSV_FILTERS)
        if path:
            self._guarded(lambda p: export_history_csv(latest, p), path)
