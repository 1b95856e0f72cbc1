"""``nnstudio train --export m.onnx --onnx-input float32|float64``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnstudio.engine.data.datasets import labels_from_outputs
from nnstudio.engine.io.formats import load_weights

DAY_START = 1_700_000_000  # a unix time in seconds


@pytest.fixture(scope="module")
def unix_time_run(tmp_path_factory) -> Path:
    """One seeded run on (unix time, value) rows whose class flips at a value-dependent time, exported three ways."""
    from nnstudio.cli import main

    folder = tmp_path_factory.mktemp("unix")
    rng = np.random.default_rng(4)
    time = DAY_START + rng.integers(0, 86_400, 400)
    value = rng.uniform(-1, 1, 400)
    label = np.where(time > DAY_START + 43_200 + 20_000 * value, "late", "early")
    lines = ["time,value,label"] + [f"{t},{float(v)!r},{c}" for t, v, c in zip(time, value, label)]
    (folder / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    common = ["train", "--dataset", str(folder / "events.csv"), "--hidden", "4", "--lr", "2", "--steps", "400",
              "--seed", "1"]
    for args in (
        ["--export", "m.npz"],
        ["--export", "default.onnx"],
        ["--export", "m64.onnx", "--onnx-input", "float64"],
    ):
        assert main([*common, *args[:1], str(folder / args[1]), *args[2:]]) == 0, args
    return folder


def onnxruntime_outputs(path: Path, X: np.ndarray) -> np.ndarray:
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    dtype = np.float64 if session.get_inputs()[0].type == "tensor(double)" else np.float32
    (output,) = session.run(["output"], {"input": X.astype(dtype)})
    return output


def test_float64_onnx_gives_the_weights_files_predictions_on_unix_times(unix_time_run):
    """--onnx-input float64: a DOUBLE input, and onnxruntime's labels equal the .npz model's on every row."""
    onnx = pytest.importorskip("onnx")
    folder = unix_time_run
    proto = onnx.load(str(folder / "m64.onnx"))
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    X = np.column_stack([DAY_START + np.arange(0, 86_400, 7), np.linspace(-1, 1, len(range(0, 86_400, 7)))])
    expected = load_weights(folder / "m.npz").predict(X)
    got = onnxruntime_outputs(folder / "m64.onnx", X)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert np.array_equal(labels_from_outputs(got), labels_from_outputs(expected))


def test_default_onnx_stays_float32(unix_time_run):
    """Without --onnx-input the file has float32 input, as before the option existed."""
    onnx = pytest.importorskip("onnx")
    proto = onnx.load(str(unix_time_run / "default.onnx"))
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT


@pytest.mark.parametrize("args, words", [
    (["--onnx-input", "float64", "--export", "m.npz"], ["--onnx-input", ".onnx"]),
    (["--onnx-input", "float64"], ["--onnx-input", ".onnx"]),
    (["--onnx-input", "float16", "--export", "m.onnx"], ["--onnx-input", "float16"]),
])
def test_onnx_input_without_an_onnx_export_or_of_an_unknown_type_is_one_line_usage_error(cli, tmp_path, args, words):
    """--onnx-input with another format, with no export, or of an unknown type: exit 2, one line, nothing written."""
    args = [str(tmp_path / a) if a.startswith("m.") else a for a in args]
    result = cli("train", "--steps", "1", *args)
    assert result.code == 2 and "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and all(word in lines[0] for word in words), result.err
    assert list(tmp_path.iterdir()) == []
