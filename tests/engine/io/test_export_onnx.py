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
from support.files import fill_the_disk_half_way

from nnstudio import __version__
from nnstudio.engine.data.datasets import Normalizer, labels_from_outputs
from nnstudio.engine.io.export_onnx import MISSING_ONNX, export_onnx
from nnstudio.engine.io.formats import FormatError, ModelFile
from nnstudio.engine.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from nnstudio.engine.nn.network import Network, NetworkSpec

REPO = Path(__file__).resolve().parents[3]

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
    """The file passes onnx.checker (full check), imports opset >= 17, and has float32 'input' ['batch', 3] and 'output'
    ['batch', 3].
    """
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
    """For every hidden and output activation (two hidden layers), onnxruntime on raw inputs equals ModelFile.predict to
    1e-5.
    """
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
    """Softmax outputs sum to 1 per row; with an identity normalizer the outputs change (the graph really standardises).
    """
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
    fill_the_disk_half_way(monkeypatch)
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
    """onnx and torch are imported lazily: importing the CLI and the export modules loads neither."""
    code = ("import sys, nnstudio.cli, nnstudio.engine.io.export_onnx, nnstudio.engine.io.export_numpy, "
            "nnstudio.engine.io.export_torch; "
            "print(sorted(m for m in ('onnx', 'onnxruntime', 'torch') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# -- float64 input -----------------------------------------------------------------------------
# A unix time in seconds (~1.7e9) beside an ordinary feature: float32 keeps only a multiple of 128 s.
UNIX_MEAN = np.array([1_700_000_037.0, 20.0])
UNIX_STD = np.array([3600.0, 5.0])


def unix_time_model(hidden: str, output: str, seed: int = 3) -> ModelFile:
    n_out = 3 if output == "softmax" else 1
    net = Network.from_spec(NetworkSpec((2, 8, n_out), (hidden, output), "mse"), seed=seed)
    net.flat[:] = np.random.default_rng(seed).standard_normal(net.flat.size)
    classes = ("a", "b", "c") if n_out == 3 else ("a", "b")
    return ModelFile(net, Normalizer(UNIX_MEAN, UNIX_STD), "classification", classes, ("time", "value"), "kind")


def unix_time_rows(n: int, seed: int = 0) -> np.ndarray:
    X = UNIX_MEAN + UNIX_STD * np.random.default_rng(seed).standard_normal((n, 2))
    X[:, 0] = np.round(X[:, 0])  # whole seconds, as timestamps are
    return X


def run_onnxruntime_as(path: Path, X: np.ndarray, dtype) -> np.ndarray:
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (output,) = session.run(["output"], {"input": X.astype(dtype)})
    return output


def test_float64_export_declares_double_input_output_and_weights(tmp_path):
    """input_dtype='float64': 'input' and 'output' are DOUBLE, so is every initializer, and the checker passes."""
    onnx = pytest.importorskip("onnx")
    path = tmp_path / "m.onnx"
    export_onnx(make_model(("leaky_relu", "tanh"), "softmax"), path, input_dtype="float64")
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    for value in (*proto.graph.input, *proto.graph.output):
        assert value.type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    assert {t.data_type for t in proto.graph.initializer} == {onnx.TensorProto.DOUBLE}


@pytest.mark.parametrize("hidden, output", [
    ("tanh", "sigmoid"), ("relu", "softmax"), ("leaky_relu", "linear"), ("sigmoid", "tanh"),
    ("leaky_relu", "leaky_relu"), ("linear", "relu"),
])
def test_float64_input_gives_the_engines_predictions_on_unix_time_features(tmp_path, hidden, output):
    """On raw unix times the float64 file gives the engine's labels on every row and its outputs to 1e-12."""
    model = unix_time_model(hidden, output)
    path = tmp_path / "m.onnx"
    export_onnx(model, path, input_dtype="float64")
    X = unix_time_rows(4000)
    expected = model.predict(X)
    got = run_onnxruntime_as(path, X, np.float64)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert np.array_equal(labels_from_outputs(got), labels_from_outputs(expected))


def test_float32_input_rounds_unix_times_to_multiples_of_128_and_float64_does_not(tmp_path):
    """The documented float32 limit: with the boundary at the mean time, float32 labels follow
    float32(x) >= float32(mean) (times rounded to 128 s), which differs from the engine near the
    boundary; the float64 file's labels are the engine's, x >= mean."""
    mean = np.array([1_700_000_037.0])
    net = Network(NetworkSpec((1, 1), ("sigmoid",), "mse"), [np.array([[1.0]])], [np.array([0.0])])
    model = ModelFile(net, Normalizer(mean, np.array([1000.0])), "classification", ("before", "after"), ("time",), "t")
    X = mean + np.arange(-400.0, 401.0)[:, None]  # every second within 400 s of the boundary
    engine_labels = (X[:, 0] >= mean[0]).astype(int)
    float32_labels = (X[:, 0].astype(np.float32) >= np.float32(mean[0])).astype(int)
    assert np.array_equal(labels_from_outputs(model.predict(X)), engine_labels)
    assert set(np.diff(np.unique(X[:, 0].astype(np.float32)))) == {128.0}  # float32's step at 1.7e9
    for dtype, expected in (("float32", float32_labels), ("float64", engine_labels)):
        export_onnx(model, tmp_path / f"{dtype}.onnx", input_dtype=dtype)
        got = run_onnxruntime_as(tmp_path / f"{dtype}.onnx", X, dtype)
        assert np.array_equal(labels_from_outputs(got), expected), dtype
    assert 0 < (float32_labels != engine_labels).sum() < 128  # rows within one float32 step of the boundary


def test_float32_stays_the_default_and_an_unknown_input_type_is_refused(tmp_path):
    """Without input_dtype the file is the float32 one, byte for byte; 'float16' is refused with FormatError and no
    file.
    """
    pytest.importorskip("onnx")
    model = make_model(("tanh", "relu"), "softmax")
    export_onnx(model, tmp_path / "default.onnx")
    export_onnx(model, tmp_path / "float32.onnx", input_dtype="float32")
    assert (tmp_path / "default.onnx").read_bytes() == (tmp_path / "float32.onnx").read_bytes()
    with pytest.raises(FormatError, match="float16.*float32 or float64"):
        export_onnx(model, tmp_path / "half.onnx", input_dtype="float16")
    assert not (tmp_path / "half.onnx").exists()


def test_an_onnx_input_type_for_another_format_is_refused(tmp_path):
    """export_model with an ONNX input type for a .npz or .py file raises FormatError and writes nothing."""
    from nnstudio.engine.io.exports import export_model

    model = make_model(("tanh", "relu"), "softmax")
    for name in ("m.npz", "m.py", "m_torch.py"):
        with pytest.raises(FormatError, match="only to an .onnx export"):
            export_model(tmp_path / name, model, "float64")
    assert list(tmp_path.iterdir()) == []
