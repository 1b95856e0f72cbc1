"""File › Export from the window: every model format, the figures, the history."""

import csv
import importlib.util
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from support.acknowledged import wait_acknowledged

TIMEOUT = 20_000


def trained_window(make_window, qtbot, cycles=40):
    window = make_window()
    window.controls.step_count_spin.setValue(cycles)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == cycles, timeout=TIMEOUT)
    return window


def export(window, qtbot, monkeypatch, name, path):
    monkeypatch.setattr(window.export_menu, "ask_path", lambda *args: str(path))
    window.export_menu.actions_by_name[name].trigger()


def test_model_formats_are_written_by_the_trainer(make_window, qtbot, monkeypatch, tmp_path):
    """Weights, numpy script and (when onnx is installed) ONNX all come out of the window."""
    window = trained_window(make_window, qtbot)
    targets = {"exportWeightsAction": tmp_path / "w.json", "exportNumpyAction": tmp_path / "model.py",
               "exportTorchAction": tmp_path / "model_torch.py"}
    if importlib.util.find_spec("onnx") is not None:
        targets["exportOnnxAction"] = tmp_path / "model.onnx"
    for name, path in targets.items():
        export(window, qtbot, monkeypatch, name, path)
        wait_acknowledged(qtbot, window)
        assert path.stat().st_size > 0
    namespace = {}
    exec(
        compile((tmp_path / "model.py").read_text(), "model.py", "exec"), namespace
    )  # the exported script, run as its user would
    X = np.array([[1.0, -1.0], [-1.0, -1.0]])
    from nnstudio.engine.io.formats import load_weights

    assert np.allclose(namespace["predict"](X), load_weights(tmp_path / "w.json").predict(X), atol=1e-12)


def test_loss_plot_and_heatmaps_export_as_png_and_svg(make_window, qtbot, monkeypatch, tmp_path):
    """The loss plot as PNG, the heatmaps as SVG, written from what the window shows."""
    window = trained_window(make_window, qtbot)
    export(window, qtbot, monkeypatch, "exportLossPlotAction", tmp_path / "loss.png")
    assert (tmp_path / "loss.png").read_bytes()[:4] == b"\x89PNG"
    export(window, qtbot, monkeypatch, "exportHeatmapsAction", tmp_path / "heat.svg")
    assert ET.parse(tmp_path / "heat.svg").getroot().tag.endswith("svg")
    assert "Written to" in window.statusBar().currentMessage()


def test_history_csv_has_one_row_per_recorded_cycle(make_window, qtbot, monkeypatch, tmp_path):
    """The loss history CSV lists the batch loss of each of the 40 cycles."""
    window = trained_window(make_window, qtbot)
    export(window, qtbot, monkeypatch, "exportHistoryAction", tmp_path / "h.csv")
    rows = list(csv.DictReader((tmp_path / "h.csv").open()))
    batch = [r for r in rows if r["batch_loss"]]
    assert [int(r["cycle"]) for r in batch] == list(range(40))
    assert float(batch[3]["batch_loss"]) == pytest.approx(window.latest.batch_loss[3], rel=1e-12)


@pytest.mark.parametrize("chosen, written", [
    ("model_torch.py", "model_torch.py"),
    ("Net_TORCH.py", "Net_TORCH.py"),
    ("mine", "mine_torch.py"),
    ("mine.py", "mine_torch.py"),
    ("_torch.py", "_torch_torch.py"),
])
def test_torch_script_path_gives_exactly_one_torch_ending(chosen, written):
    """A name that ends in _torch.py is kept; .py becomes _torch.py; anything else gets it once."""
    from nnstudio.ui.window.export_menu import torch_script_path

    assert torch_script_path(f"/data/{chosen}") == f"/data/{written}"


def test_pytorch_export_through_the_file_dialog_writes_the_name_offered(make_window, qtbot, monkeypatch, tmp_path):
    """File › Export › PyTorch: accepting the offered model_torch.py writes that file, not model_torch.py._torch.py;
    a typed name without a suffix gets exactly one _torch.py."""
    from nnstudio.ui.plotting import figure_export

    window = make_window()
    offered = []

    class Dialog:
        """Stands in for the file dialog: records the offered name and 'types' the next answer."""

        answer = ""

        @staticmethod
        def getSaveFileName(parent, title, default_name, filters, selected):
            offered.append(default_name)
            return str(tmp_path / (Dialog.answer or default_name)), selected

    monkeypatch.setattr(figure_export, "QFileDialog", Dialog)
    for answer in ("", "typed"):
        Dialog.answer = answer
        window.export_menu.actions_by_name["exportTorchAction"].trigger()
        wait_acknowledged(qtbot, window)
    assert offered == ["model_torch.py", "model_torch.py"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model_torch.py", "typed_torch.py"]
    assert "def build_model(" in (tmp_path / "typed_torch.py").read_text(encoding="utf-8")


def test_onnx_exports_offer_float32_and_float64_input(make_window, qtbot, monkeypatch, tmp_path):
    """The two ONNX entries write float32 and float64 input; the float64 file predicts like the weights file."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from nnstudio.engine.io.formats import load_weights

    window = trained_window(make_window, qtbot)
    targets = {"exportWeightsAction": tmp_path / "w.json", "exportOnnxAction": tmp_path / "m32.onnx",
               "exportOnnxFloat64Action": tmp_path / "m64.onnx"}
    for name, path in targets.items():
        export(window, qtbot, monkeypatch, name, path)
        wait_acknowledged(qtbot, window)
    types = {name: onnx.load(str(path)).graph.input[0].type.tensor_type.elem_type
             for name, path in targets.items() if path.suffix == ".onnx"}
    assert types == {"exportOnnxAction": onnx.TensorProto.FLOAT, "exportOnnxFloat64Action": onnx.TensorProto.DOUBLE}
    X = np.array([[1.0, -1.0], [-1.0, -1.0], [0.25, 0.5]])
    session = ort.InferenceSession(str(tmp_path / "m64.onnx"), providers=["CPUExecutionProvider"])
    (outputs,) = session.run(["output"], {"input": X})
    np.testing.assert_allclose(outputs, load_weights(tmp_path / "w.json").predict(X), rtol=1e-12, atol=1e-14)


def test_import_weights_sends_the_chosen_file_and_nothing_when_cancelled(qtbot):
    """File › Import weights… (Ctrl+I) hands the chosen path to the trainer; a cancelled dialog sends nothing."""
    from PySide6.QtWidgets import QWidget

    from nnstudio.ui.window.export_menu import ImportWeightsAction

    parent = QWidget()
    qtbot.addWidget(parent)
    sent = []
    action = ImportWeightsAction(parent, lambda *command: sent.append(command))
    assert action.objectName() == "importWeightsAction" and action.shortcut().toString() == "Ctrl+I"
    action.ask_path = lambda: None
    action.trigger()
    assert sent == []
    action.ask_path = lambda: "/data/w.json"
    action.trigger()
    assert sent == [("import_weights", "/data/w.json")]
