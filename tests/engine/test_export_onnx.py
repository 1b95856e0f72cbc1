"""ONNX export: a valid opset-17 graph named input/output, onnxruntime reproducing the engine, atomic writes."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnstudio import __version__
from nnstudio.engine import fileio
from nnstudio.engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from nnstudio.engine.datasets import Normalizer
from nnstudio.engine.export_onnx import MISSING_ONNX, export_onnx
from nnstudio.engine.formats import FormatError, ModelFile
from nnstudio.engine.network import Network, NetworkSpec

REPO = Path(__file__).resolve().parents[2]

# Raw inputs live far from the origin and on different scales: the graph must standardise them.
MEAN = np.array([5.0, -300.0, 0.01])
STD = np.array([2.0, 50.0, 0.003])


def make_model(hidden: tuple[str, ...], output: str, n_out: int = 3, seed: int = 0) -> ModelFile:
    """3 inputs -> 6 -> 5 -> n_out with random (non-zero) weights and biases and a non-trivial normalizer."""
    loss = "cross_entropy" if output == "softmax" else "mse"
    spec = NetworkSpec((3, 6, 5, n_out), (*hidden, output), loss)
    net = Network.from_spec(spec, seed=seed)
    net.flat[:] = np.random.default_rng(seed).standard_normal(net.flat.size)
    classes = tuple(f"class {k}" for k in range(n_out)) if n_out > 1 else ("neg", "pos")
    return ModelFile(net, Normalizer(MEAN, STD), "classification", classes, ("mass", "depth", "ratio"), "kind")


def raw_inputs(n: int, seed: int = 1) -> np.ndarray:
    return MEAN + 2.0 * STD * np.random.default_rng(seed).standard_normal((n, MEAN.size))


def run_onnxruntime(path: Path, X: np.ndarray) -> np.ndarray:
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (output,) = session.run(["output"], {"input": X.astype(np.float32)})
    return output


def test_exported_graph_passes_the_checker_with_opset_17_or_newer_and_named_io(tmp_path):
    """The file passes onnx.checker (full check), imports opset >= 17, and has float32 'input' ['batch', 3] and 'output' ['batch', 3]."""
    onnx = pytest.importorskip("onnx")
    path = tmp_path / "m.onnx"
    export_onnx(make_model(("tanh", "relu"), "softmax"), path)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    default_domain = [op.version for op in proto.opset_import if op.domain in ("", "ai.onnx")]
    assert default_domain and default_domain[0] >= 17
    (inp,), (out,) = proto.graph.input, proto.graph.output
    assert (inp.name, out.name) == ("input", "output")
    for value, n in ((inp, 3), (out, 3)):
        tensor = value.type.tensor_type
        assert tensor.elem_type == onnx.TensorProto.FLOAT
        dims = tensor.shape.dim
        assert [dims[0].dim_param, dims[1].dim_value] == ["batch", n]


def test_metadata_props_hold_version_task_and_names(tmp_path):
    """metadata_props carry the nnstudio version, task, feature names and class names (JSON lists)."""
    onnx = pytest.importorskip("onnx")
    path = tmp_path / "m.onnx"
    model = make_model(("sigmoid", "sigmoid"), "sigmoid", n_out=1)
    export_onnx(model, path)
    props = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert props["nnstudio_version"] == __version__
    assert props["task"] == "classification"
    assert json.loads(props["feature_names"]) == ["mass", "depth", "ratio"]
    assert json.loads(props["class_names"]) == ["neg", "pos"]
    assert json.loads(props["activations"]) == ["sigmoid", "sigmoid", "sigmoid"]


@pytest.mark.parametrize(
    "hidden, output",
    [((h, h2), o) for (h, h2), o in itertools.product(
        zip(HIDDEN_ACTIVATIONS, HIDDEN_ACTIVATIONS[1:] + HIDDEN_ACTIVATIONS[:1]), ACTIVATIONS)],
)
def test_onnxruntime_on_raw_inputs_matches_the_engine(tmp_path, hidden, output):
    """For every hidden and output activation (two hidden layers), onnxruntime on raw inputs equals ModelFile.predict to 1e-5."""
    model = make_model(hidden, output)
    path = tmp_path / "m.onnx"
    export_onnx(model, path)
    X = raw_inputs(64)
    expected = model.predict(X)
    np.testing.assert_allclose(run_onnxruntime(path, X), expected, rtol=0, atol=1e-5)


def test_any_batch_size_runs_including_one_row(tmp_path):
    """The batch dimension is symbolic: 1 row and 257 rows both run and match the engine."""
    model = make_model(("leaky_relu", "tanh"), "softmax")
    path = tmp_path / "m.onnx"
    export_onnx(model, path)
    for n in (1, 257):
        X = raw_inputs(n, seed=n)
        np.testing.assert_allclose(run_onnxruntime(path, X), model.predict(X), rtol=0, atol=1e-5)


def test_softmax_rows_sum_to_one_and_the_normalizer_is_applied(tmp_path):
    """Softmax outputs sum to 1 per row; with an identity normalizer the outputs change (the graph really standardises)."""
    model = make_model(("relu", "relu"), "softmax")
    path, plain = tmp_path / "m.onnx", tmp_path / "plain.onnx"
    export_onnx(model, path)
    unnormalised = ModelFile(model.network, Normalizer.identity(3), model.task, model.class_names, model.feature_names)
    export_onnx(unnormalised, plain)
    X = raw_inputs(20)
    out = run_onnxruntime(path, X)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-6)
    assert not np.allclose(run_onnxruntime(plain, X), out, atol=1e-3)


def test_failed_write_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    """A write that fails half way raises FormatError, keeps the old file's bytes and leaves no temporary file."""
    pytest.importorskip("onnx")
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old model")
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle):
            self._handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._handle.close()
            return False

        def write(self, data):
            self._handle.write(data[: len(data) // 2])
            self._handle.flush()
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._handle, name)

    monkeypatch.setattr(fileio.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    with pytest.raises(FormatError, match="m.onnx.*No space left"):
        export_onnx(make_model(("tanh", "tanh"), "sigmoid"), path)
    monkeypatch.undo()
    assert path.read_bytes() == b"old model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]


def test_missing_onnx_raises_format_error_with_the_pip_hint(tmp_path, monkeypatch):
    """With onnx unimportable, export_onnx raises FormatError saying how to install it, and writes nothing."""
    monkeypatch.setitem(sys.modules, "onnx", None)
    path = tmp_path / "m.onnx"
    with pytest.raises(FormatError) as info:
        export_onnx(make_model(("tanh", "tanh"), "sigmoid"), path)
    assert str(info.value) == MISSING_ONNX == "ONNX export needs the onnx package: pip install 'nnstudio[onnx]'"
    assert not path.exists()


def test_non_finite_weights_are_refused(tmp_path):
    """A network holding NaN is refused with FormatError and no file."""
    pytest.importorskip("onnx")
    model = make_model(("tanh", "tanh"), "sigmoid")
    model.network.flat[3] = np.nan
    with pytest.raises(FormatError, match="NaN"):
        export_onnx(model, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_importing_the_cli_and_exporters_imports_neither_onnx_nor_torch():
    """onnx and torch are imported lazily: importing the CLI and both export modules loads neither."""
    code = ("import sys, nnstudio.cli, nnstudio.engine.export_onnx, nnstudio.engine.export_code; "
            "print(sorted(m for m in ('onnx', 'onnxruntime', 'torch') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
