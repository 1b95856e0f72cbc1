"""File › Export: the model in every format, and the figures and numbers of a run; File › Import weights."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from nnstudio.ui.plotting.figure_export import (
    CSV_FILTERS,
    IMAGE_FILTERS,
    ask_export_path,
    export_heatmaps,
    export_loss_plot,
)
from nnstudio.ui.plotting.history_export import export_history_csv
from nnstudio.ui.plotting.loss_plot import LossPlot

__all__ = ["ExportMenu", "ImportWeightsAction", "MODEL_EXPORTS", "WEIGHTS_FILTER", "torch_script_path"]

TORCH_ENDING = "_torch.py"
#: (label, objectName, default file name, file-dialog filters, ONNX input type) of each model format.
#: The dialog filters by suffix only, so the PyTorch script's filter is ``.py`` and
#: ``torch_script_path`` gives the name its ``_torch.py``.
MODEL_EXPORTS = (
    ("&Weights (.npz, .json)…", "exportWeightsAction", "weights.npz",
     {"NumPy weights": ".npz", "JSON weights": ".json"}, None),
    ("&ONNX (float32 input)…", "exportOnnxAction", "model.onnx", {"ONNX model": ".onnx"}, "float32"),
    ("ONNX (float&64 input)…", "exportOnnxFloat64Action", "model.onnx", {"ONNX model": ".onnx"}, "float64"),
    ("Python (&numpy)…", "exportNumpyAction", "model.py", {"Python script": ".py"}, None),
    ("&PyTorch…", "exportTorchAction", "model_torch.py", {"PyTorch script": ".py"}, None),
)
WEIGHTS_FILTER = "Weights files (*.npz *.json)"
ONNX_HINT = "ONNX export needs the onnx package: pip install 'nnstudio[onnx]'"
ONNX_TIPS = {
    "float32": "Input and weights in float32, what most ONNX runtimes expect. A raw value near 1.7e9 "
               "(a unix time) is rounded to a multiple of 128: use float64 for such inputs.",
    "float64": "Input and weights in float64: the same predictions as NN Studio, even for raw values "
               "as large as a unix time.",
}


def torch_script_path(path: str) -> str:
    """``path`` with exactly one ``_torch.py`` ending (the name that makes a PyTorch script).

    A name that has it is kept as is, a ``.py`` ending becomes it, any other name gets it.
    """
    file = Path(path)
    name = file.name
    if name.lower().endswith(TORCH_ENDING) and len(name) > len(TORCH_ENDING):
        return path
    if name.lower().endswith(".py"):
        name = name[:-3]
    return str(file.with_name(name + TORCH_ENDING))


class ExportMenu(QMenu):
    """The Export submenu of a ``MainWindow``.

    Model formats are written by the trainer (it owns the weights); figures and the loss
    history are written here from what the window shows. ``ask_path`` is the one place
    a file dialog opens, so tests replace it.
    """

    def __init__(self, window, send: Callable[..., None], report: Callable[[str], None]) -> None:
        super().__init__("&Export", window)
        self.setObjectName("exportMenu")
        self.setToolTipsVisible(True)  # the ONNX entries explain float32 against float64
        self.window_ = window
        self._send, self._report = send, report
        self.actions_by_name: dict[str, QAction] = {}
        has_onnx = importlib.util.find_spec("onnx") is not None
        for label, name, default, filters, onnx_input in MODEL_EXPORTS:
            action = self._add(label, name, lambda _=False, n=name, d=default, f=filters, o=onnx_input:
                               self._export_model(n, d, f, o))
            if name == "exportWeightsAction":
                action.setShortcut(QKeySequence("Ctrl+E"))
            if onnx_input is not None:
                action.setToolTip(ONNX_TIPS[onnx_input])
                if not has_onnx:
                    action.setEnabled(False)
                    action.setText(f"ONNX, {onnx_input} input… (pip install 'nnstudio[onnx]')")
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

    def _export_model(self, name: str, default: str, filters: dict[str, str], onnx_input: str | None) -> None:
        path = self.ask_path("Export model", default, filters)
        if not path:
            return
        if name == "exportTorchAction":
            path = torch_script_path(path)
        if onnx_input is None:
            self._send("export", path)
        else:
            self._send("export", path, onnx_input)

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


class ImportWeightsAction(QAction):
    """File › Import weights… (objectName ``importWeightsAction``): a weights file's model into the session.

    The trainer reads the file (it owns the session): it answers with a snapshot of the
    imported network, or with an error naming what does not fit, the session unchanged.
    ``ask_path`` is the one place a file dialog opens, so tests replace it.
    """

    def __init__(self, window: QWidget, send: Callable[..., None]) -> None:
        super().__init__("&Import weights…", window, objectName="importWeightsAction")
        self.setShortcut(QKeySequence("Ctrl+I"))
        self.setToolTip("Go on with the network of a weights file (.npz, .json, from File › Export or "
                        "nnstudio train --export): its architecture, weights and input normalisation")
        self.window_ = window
        self._send = send
        self.triggered.connect(self.import_weights)

    def ask_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.window_, "Import weights", "", WEIGHTS_FILTER)
        return path or None

    def import_weights(self) -> None:
        path = self.ask_path()
        if path:
            self._send("import_weights", path)
