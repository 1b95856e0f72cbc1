"""File › Export from the window: every model format, the figures, the history."""

import csv
import importlib.util
import xml.etree.ElementTree as ET

import numpy as np
import pytest

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
        with qtbot.waitSignal(window.worker.sig_exported, timeout=TIMEOUT):
            export(window, qtbot, monkeypatch, name, path)
        assert path.stat().st_size > 0
    namespace = {}
    exec(compile((tmp_path / "model.py").read_text(), "model.py", "exec"), namespace)
    X = np.array([[1.0, -1.0], [-1.0, -1.0]])
    from nnstudio.engine.formats import load_weights

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
