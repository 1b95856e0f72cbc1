"""``nnstudio train --export model.onnx|model.py|model_torch.py`` and ``--history h.csv``."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from support.cli import assert_usage_error, three_class_rows, write_csv

import nnstudio.cli.training
from nnstudio.cli import main
from nnstudio.engine.data.datasets import labels_from_outputs
from nnstudio.engine.io.formats import load_weights

HISTORY_HEADER = ["cycle", "batch_loss", "train_loss", "test_loss", "train_accuracy", "test_accuracy"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, tuple[str, ...]]:
    """The same seeded run on three blobs (softmax output) exported as .npz, .onnx, .py and _torch.py."""
    folder = tmp_path_factory.mktemp("exports")
    data = write_csv(folder / "blobs.csv", ["x1", "x2", "kind"], three_class_rows())
    common = ["train", "--dataset", str(data), "--hidden", "5", "--activation", "tanh", "--output-activation",
              "softmax", "--loss", "cross_entropy", "--steps", "60", "--seed", "2"]
    for name in ("model.npz", "model.onnx", "model.py", "model_torch.py"):
        assert main([*common, "--export", str(folder / name)]) == 0, name
    return folder, ("a", "b", "c")


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"cli_export_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _points(n: int = 25) -> np.ndarray:
    return np.random.default_rng(5).uniform(-4, 4, (n, 2))


def test_export_onnx_writes_a_model_onnxruntime_runs_like_the_weights_file(trained):
    """--export model.onnx: onnxruntime on raw points equals the same run's .npz predictions to 1e-5."""
    ort = pytest.importorskip("onnxruntime")
    folder, classes = trained
    reference = load_weights(folder / "model.npz")
    session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    X = _points()
    (out,) = session.run(["output"], {"input": X.astype(np.float32)})
    np.testing.assert_allclose(out, reference.predict(X), rtol=0, atol=1e-5)
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["class_names"]) == list(classes)


def test_export_py_writes_a_numpy_script_that_predicts_like_the_weights_file(trained):
    """--export model.py: the numpy script's predict and predict_labels equal the .npz model's outputs and classes."""
    folder, classes = trained
    reference = load_weights(folder / "model.npz")
    script = _load(folder / "model.py")
    X = _points()
    expected = reference.predict(X)
    np.testing.assert_allclose(script.predict(X), expected, rtol=1e-12, atol=1e-12)
    assert script.predict_labels(X) == [classes[i] for i in labels_from_outputs(expected)]


def test_export_torch_py_writes_a_pytorch_script_that_predicts_like_the_weights_file(trained):
    """--export model_torch.py: a PyTorch script (not the numpy one) whose predict equals the .npz model's to 1e-6."""
    folder, _ = trained
    text = (folder / "model_torch.py").read_text(encoding="utf-8")
    assert "import torch" in text and "def train_more(" in text
    pytest.importorskip("torch")
    script = _load(folder / "model_torch.py")
    X = _points()
    np.testing.assert_allclose(script.predict(X), load_weights(folder / "model.npz").predict(X), rtol=1e-6, atol=1e-6)


def _read_history(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


def test_history_csv_has_the_documented_columns_and_one_row_per_recorded_cycle(cli, tmp_path):
    """--history: header as documented; a batch loss for each cycle 0..39; evaluations at 16, 32 and the final 40, empty
    elsewhere.
    """
    path = tmp_path / "h.csv"
    # xor: 160 training rows, batch 10 -> 16 cycles per epoch, so the CLI evaluates every 16 cycles.
    r = cli("train", "--dataset", "xor", "--steps", "40", "--batch-size", "10", "--history", path, "--json")
    assert r.code == 0, r.err
    header, rows = _read_history(path)
    assert header == HISTORY_HEADER
    assert [int(row[0]) for row in rows] == list(range(41))
    assert all(len(row) == 6 for row in rows)
    assert all(row[1] != "" for row in rows[:40]) and rows[40][1] == ""
    evaluated = [int(row[0]) for row in rows if row[2] != ""]
    assert evaluated == [16, 32, 40]
    for row in rows:
        assert (row[2:] == [""] * 4) == (int(row[0]) not in evaluated)
    final = r.json
    assert float(rows[40][2]) == final["train_loss"] and float(rows[40][3]) == final["test_loss"]
    assert float(rows[40][4]) == final["train_accuracy"]
    assert all(np.isfinite(float(row[1])) and float(row[1]) >= 0 for row in rows[:40])


def test_history_of_a_regression_without_test_rows_writes_nan_for_missing_values(cli, tmp_path, regression_csv):
    """Regression with --test-fraction 0: evaluation rows hold the train loss and 'nan' for test loss and accuracies."""
    path = tmp_path / "h.csv"
    r = cli("train", "--dataset", regression_csv, "--test-fraction", "0", "--steps", "25", "--history", path)
    assert r.code == 0, r.err
    _, rows = _read_history(path)
    evaluations = [row for row in rows if row[2] != ""]
    assert evaluations
    for row in evaluations:
        assert float(row[2]) >= 0 and row[3:] == ["nan", "nan", "nan"]


def test_diverging_run_writes_the_history_and_the_export_and_exits_3(cli, tmp_path):
    """A run that diverges exits 3 and still writes the ONNX of the restored weights and the history up to them."""
    pytest.importorskip("onnx")
    out, history = tmp_path / "m.onnx", tmp_path / "h.csv"
    r = cli("train", "--activation", "relu", "--output-activation", "linear", "--lr", "1e300", "--steps", "50",
            "--export", out, "--history", history)
    assert r.code == 3, r.err
    assert out.stat().st_size > 0
    _, rows = _read_history(history)
    assert rows and all(np.isfinite(float(row[1])) for row in rows if row[1])
    assert np.isfinite(float(rows[-1][2]))  # the restored weights' evaluation ends it


@pytest.mark.parametrize("name", ["model.txt", "model.onnx.bak", "model.pyc", "model", "model.torch"])
def test_unknown_export_suffix_exits_2_before_training(cli, tmp_path, monkeypatch, name):
    """--export with an unknown suffix: exit 2, one line listing the formats, no data loaded, nothing written."""
    monkeypatch.setattr(nnstudio.cli.training, "load_dataset", lambda args: pytest.fail("the data was loaded"))
    r = cli("train", "--steps", "3", "--export", tmp_path / name)
    assert_usage_error(r, name, ".onnx", "_torch.py")
    assert r.out == ""
    assert list(tmp_path.iterdir()) == []


def test_missing_onnx_exits_2_with_the_pip_hint_before_training(cli, tmp_path, monkeypatch):
    """--export m.onnx without the onnx package: exit 2, one line with the pip hint, before any data is loaded."""
    monkeypatch.setitem(sys.modules, "onnx", None)
    monkeypatch.setattr(nnstudio.cli.training, "load_dataset", lambda args: pytest.fail("the data was loaded"))
    r = cli("train", "--steps", "3", "--export", tmp_path / "m.onnx")
    assert_usage_error(r, "ONNX export needs the onnx package: pip install 'nnstudio[onnx]'")
    assert list(tmp_path.iterdir()) == []


def test_history_into_a_missing_folder_exits_2_before_training(cli, tmp_path, monkeypatch):
    """--history into a folder that does not exist: exit 2 naming the file, before any data is loaded."""
    monkeypatch.setattr(nnstudio.cli.training, "load_dataset", lambda args: pytest.fail("the data was loaded"))
    r = cli("train", "--steps", "3", "--history", tmp_path / "nope" / "h.csv")
    assert_usage_error(r, "h.csv", "does not exist")


def test_help_documents_every_export_format_and_the_history_columns(cli):
    """train --help names .onnx, .py, _torch.py and the history CSV's columns."""
    r = cli("train", "--help")
    assert r.code == 0
    text = " ".join(r.out.split())
    for word in (".npz", ".json", ".onnx", "_torch.py", "numpy script", "nnstudio[onnx]", "--history",
                 "cycle, batch_loss, train_loss, test_loss, train_accuracy, test_accuracy"):
        assert word in text, word


# -- write_history_csv, the function behind --history ----------------------------------------
def test_write_history_csv_merges_batch_losses_and_evaluations_by_cycle(tmp_path):
    """Rows are the union of recorded cycles in order; exact values; empty cells where nothing was recorded; nan kept.
    """
    from nnstudio.engine.run.history import History, write_history_csv

    history = History(capacity=16)
    for cycle, loss in enumerate([0.5, 1 / 3, 0.25]):
        history.batch_loss.append(cycle, loss)
    history.evaluations.append(2, 0.1, float("nan"), 0.75, float("nan"))
    history.evaluations.append(3, 0.2 + 0.1, float("nan"), 1.0, float("nan"))
    path = tmp_path / "h.csv"
    write_history_csv(history, path)
    assert path.read_text(encoding="utf-8") == (
        "cycle,batch_loss,train_loss,test_loss,train_accuracy,test_accuracy\n"
        "0,0.5,,,,\n"
        "1,0.3333333333333333,,,,\n"
        "2,0.25,0.1,nan,0.75,nan\n"
        "3,,0.30000000000000004,nan,1.0,nan\n"
    )


def test_write_history_csv_of_a_thinned_history_keeps_one_row_per_kept_cycle(tmp_path):
    """After thinning (capacity 8, 40 cycles) the CSV has exactly the cycles the series kept."""
    from nnstudio.engine.run.history import History, write_history_csv

    history = History(capacity=8)
    for cycle in range(40):
        history.batch_loss.append(cycle, 1.0 / (cycle + 1))
    path = tmp_path / "h.csv"
    write_history_csv(history, path)
    _, rows = _read_history(path)
    kept, values = history.batch_loss.arrays()
    assert [int(row[0]) for row in rows] == [int(x) for x in kept]
    assert [float(row[1]) for row in rows] == list(values[:, 0])


def test_write_history_csv_failing_half_way_keeps_the_old_file(tmp_path, monkeypatch):
    """A history write that fails raises OSError, leaves the old file intact and no temporary file."""
    from nnstudio.engine.io import fileio
    from nnstudio.engine.run.history import History, write_history_csv

    path = tmp_path / "h.csv"
    path.write_text("old\n")
    history = History()
    history.batch_loss.append(0, 1.0)

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", fail)
    with pytest.raises(OSError):
        write_history_csv(history, path)
    monkeypatch.undo()
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["h.csv"]
