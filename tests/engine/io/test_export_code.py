"""Export as code: the standalone numpy script and the PyTorch script, checked in fresh interpreters."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from support.files import fill_the_disk_half_way

from nnstudio.engine.data.datasets import Normalizer, labels_from_outputs
from nnstudio.engine.io.export_numpy import export_numpy_script
from nnstudio.engine.io.export_torch import export_torch_script
from nnstudio.engine.io.formats import FormatError, ModelFile
from nnstudio.engine.nn.network import Network, NetworkSpec

# Values a careless writer would round: thirds, a subnormal, signed zero, a tiny one.
AWKWARD = np.array([1 / 3, -2 / 3, 0.1 + 0.2, 5e-324, -0.0, 123456.789e-7, 1e-300])

# (activations, loss, task, class names, n_outputs): every hidden and every output activation appears.
CASES = {
    "softmax": (("tanh", "leaky_relu", "softmax"), "cross_entropy", "classification", ("setosa", 'it"s', "c\\d"), 3),
    "binary": (("sigmoid", "relu", "sigmoid"), "cross_entropy", "classification", ("no", "yes"), 1),
    "regression": (("linear", "sigmoid", "linear"), "mse", "regression", (), 1),
    "tanh_out": (("relu", "tanh", "tanh"), "mse", "regression", (), 2),
    "relu_out": (("leaky_relu", "linear", "relu"), "mse", "regression", (), 1),
    "leaky_out": (("sigmoid", "tanh", "leaky_relu"), "mse", "regression", (), 1),
}
MEAN = np.array([1e3, -0.25, 1 / 3])
STD = np.array([250.0, 0.125, 7.000000000000001])


def make_model(case: str, seed: int = 0) -> ModelFile:
    """3 inputs -> 5 -> 4 -> k for ``case``, random weights and biases (some awkward), a non-trivial normalizer."""
    activations, loss, task, classes, n_out = CASES[case]
    net = Network.from_spec(NetworkSpec((3, 5, 4, n_out), activations, loss), seed=seed)
    values = np.random.default_rng(seed).standard_normal(net.flat.size)
    values[: AWKWARD.size] = AWKWARD  # into W0
    net.flat[:] = values
    return ModelFile(net, Normalizer(MEAN, STD), task, classes, ("size", "weight 2", "ratio"), "target")


def raw_inputs(n: int, seed: int = 1) -> np.ndarray:
    return MEAN + 1.5 * STD * np.random.default_rng(seed).standard_normal((n, 3))


def targets(model: ModelFile, n: int, seed: int = 2) -> np.ndarray:
    """Targets encoded as the app does: 0/1 column, one-hot rows, or real values."""
    rng = np.random.default_rng(seed)
    n_out = model.network.spec.sizes[-1]
    if model.task == "regression":
        return rng.standard_normal((n, n_out))
    if n_out == 1:
        return rng.integers(0, 2, (n, 1)).astype(float)
    return np.eye(n_out)[rng.integers(0, n_out, n)]


def load_by_path(path: Path):
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def export_script(model: ModelFile, path: Path) -> Path:
    export_numpy_script(model, path)
    return path


def run_python(code: str, cwd: Path, timeout: float = 120) -> str:
    """Run ``code`` in a fresh interpreter in ``cwd`` without the repository on the path; its stdout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONWARNINGS")}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


#: The start of a fresh interpreter's program: the inputs, and a script imported by path.
CHILD_PRELUDE = """import importlib.util, json, sys
import numpy as np
X = np.load("X.npy")


def load_case(name):
    spec = importlib.util.spec_from_file_location(name, name + ".py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
"""


# -- numpy script ----------------------------------------------------------------------------
def test_numpy_scripts_in_a_fresh_interpreter_predict_like_the_engine(tmp_path):
    """Each numpy script, imported by path in a fresh interpreter without nnstudio, matches ModelFile.predict to 1e-12.
    """
    X = raw_inputs(40)
    np.save(tmp_path / "X.npy", X)
    for case in CASES:
        export_numpy_script(make_model(case), tmp_path / f"{case}.py")
    code = CHILD_PRELUDE + textwrap.dedent(f"""
        result = {{}}
        for case in {list(CASES)!r}:
            module = load_case(case)
            outputs = module.predict(X)
            labels = module.predict_labels(X) if module.TASK == "classification" else None
            result[case] = {{"outputs": outputs.tolist(), "shape": list(outputs.shape), "labels": labels}}
        result["imported_nnstudio"] = any(m.split(".")[0] == "nnstudio" for m in sys.modules)
        print(json.dumps(result))  # json writes floats with repr: exact
    """)
    result = json.loads(run_python(code, tmp_path))
    assert result.pop("imported_nnstudio") is False
    for case, got in result.items():
        model = make_model(case)
        expected = model.predict(X)
        assert got["shape"] == list(expected.shape)
        np.testing.assert_allclose(np.array(got["outputs"]), expected, rtol=1e-12, atol=1e-12)
        if model.task == "classification":
            assert got["labels"] == [model.class_names[i] for i in labels_from_outputs(expected)]


def test_numpy_script_holds_the_exact_weights_and_normalisation(tmp_path):
    """The script's W, b, MEAN and STD are bit for bit the model's (signed zero and subnormals included)."""
    model = make_model("softmax")
    module = load_by_path(export_script(model, tmp_path / "exact.py"))
    bits = lambda a: np.ascontiguousarray(a, dtype=np.float64).view(np.int64)  # noqa: E731
    for layer, (W, b) in enumerate(zip(model.network.weights, model.network.biases)):
        assert np.array_equal(bits(getattr(module, f"W{layer}")), bits(W))
        assert np.array_equal(bits(getattr(module, f"b{layer}")), bits(b))
    assert np.array_equal(bits(module.MEAN), bits(MEAN)) and np.array_equal(bits(module.STD), bits(STD))
    assert list(model.class_names) == module.CLASS_NAMES
    assert module.FEATURE_NAMES == ["size", "weight 2", "ratio"]


def test_numpy_script_run_on_a_csv_prints_the_predictions(tmp_path):
    """`python script.py data.csv` (columns shuffled, an extra column) prints y0..y2,label rows equal to the engine's.
    """
    model = make_model("softmax")
    script = export_script(model, tmp_path / "iris_model.py")
    X = raw_inputs(7)
    lines = ["ratio;ignored;size;weight 2"] + [f"{r!r};x;{s!r};{w!r}" for s, w, r in X.tolist()]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, str(script), "data.csv"], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["y0", "y1", "y2", "label"]
    expected = model.predict(X)
    np.testing.assert_allclose(np.array([[float(v) for v in row[:3]] for row in rows[1:]]), expected,
                               rtol=1e-12, atol=1e-12)
    assert [row[3] for row in rows[1:]] == [model.class_names[i] for i in labels_from_outputs(expected)]


def test_predict_labels_thresholds_one_output_at_one_half(tmp_path):
    """A one-output classifier's labels are class_names[1] where the output is >= 0.5, else class_names[0]."""
    model = make_model("binary")
    X = raw_inputs(200)
    net = model.network
    net.biases[-1][:] -= np.median(net.forward(model.normalizer.apply(X)).sums[-1])  # outputs on both sides of 0.5
    module = load_by_path(export_script(model, tmp_path / "binary.py"))
    out = model.predict(X)[:, 0]
    assert 0 < (out >= 0.5).sum() < len(out)  # both classes occur
    assert module.predict_labels(X) == ["yes" if p >= 0.5 else "no" for p in out]


def test_regression_script_has_no_labels_and_takes_one_row(tmp_path):
    """A regression script refuses predict_labels and takes a single row as a 1-D input."""
    model = make_model("regression")
    module = load_by_path(export_script(model, tmp_path / "reg.py"))
    with pytest.raises(ValueError, match="regression"):
        module.predict_labels(raw_inputs(2))
    row = raw_inputs(1)[0]
    np.testing.assert_allclose(module.predict(row), model.predict(row[None, :]), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        module.predict(np.ones((2, 4)))


def test_script_docstring_tells_what_it_is_the_architecture_and_how_to_use_it(tmp_path):
    """The header docstring names the file's purpose, each layer, the inputs and the calls to make."""
    model = make_model("softmax")
    module = load_by_path(export_script(model, tmp_path / "iris_model.py"))
    doc = module.__doc__
    assert "standalone numpy script" in doc
    for line in ("layer 0   3 -> 5, tanh", "layer 1   5 -> 4, leaky_relu", "layer 2   4 -> 3, softmax"):
        assert line in doc
    assert "3 raw values ('size', 'weight 2', 'ratio')" in doc
    assert "from iris_model import predict, predict_labels" in doc
    assert "python iris_model.py data.csv" in doc
    # a name shows as its repr: c\d (one backslash) as 'c\\d'
    assert """into 'setosa', 'it"s', 'c\\\\d'""" in doc


# -- PyTorch script --------------------------------------------------------------------------
def engine_sgd_step(model: ModelFile, X, Y, lr: float) -> list[np.ndarray]:
    """W0, b0, W1, ... after one full-batch gradient step by the engine."""
    net = model.network
    grads = net.backward(net.forward(model.normalizer.apply(X)), Y)
    return [p - lr * g for W, b, gW, gb in zip(net.weights, net.biases, grads.weights, grads.biases)
            for p, g in ((W, gW), (b, gb))]


def test_torch_scripts_predict_like_the_engine_and_train_one_step_as_it_would(tmp_path):
    """Each PyTorch script, in a fresh interpreter, predicts like the engine to 1e-6 and its train_more makes the
    engine's step.
    """
    pytest.importorskip("torch")
    X, lr = raw_inputs(30), 0.1
    np.save(tmp_path / "X.npy", X)
    for case in CASES:
        model = make_model(case)
        export_torch_script(model, tmp_path / f"{case}_torch.py")
        np.save(tmp_path / f"Y_{case}.npy", targets(model, len(X)))
    code = CHILD_PRELUDE + textwrap.dedent(f"""
        import torch
        result = {{}}
        for case in {list(CASES)!r}:
            module = load_case(case + "_torch")
            model = module.build_model()
            assert isinstance(model, torch.nn.Sequential)
            dtypes = sorted({{str(p.dtype) for p in model.parameters()}})
            outputs = module.predict(X)
            trained = module.train_more(X, np.load(f"Y_{{case}}.npy"), epochs=1, lr={lr!r}, batch_size=None)
            linears = [m for m in trained if isinstance(m, torch.nn.Linear)]
            params = [t.detach().numpy().tolist() for m in linears for t in (m.weight.T, m.bias)]
            result[case] = {{"outputs": outputs.tolist(), "dtypes": dtypes, "params": params}}
        print(json.dumps(result))
    """)
    result = json.loads(run_python(code, tmp_path))
    for case, got in result.items():
        model = make_model(case)
        assert got["dtypes"] == ["torch.float64"]
        np.testing.assert_allclose(np.array(got["outputs"]), model.predict(X), rtol=1e-6, atol=1e-6)
        expected = engine_sgd_step(model, X, targets(model, len(X)), lr)
        assert len(got["params"]) == len(expected)
        for param, want in zip(got["params"], expected):
            np.testing.assert_allclose(np.array(param), want, rtol=1e-9, atol=1e-9, err_msg=case)


def test_torch_script_docstring_and_comment_show_how_to_continue_training(tmp_path):
    """The PyTorch script says what it is, its layers, the loss it trains with, and shows train_more in a comment."""
    model = make_model("binary")
    path = tmp_path / "binary_torch.py"
    export_torch_script(model, path)
    text = path.read_text(encoding="utf-8")
    compile(text, str(path), "exec")
    assert "A trained NN Studio network as a PyTorch script." in text
    assert "layer 2   4 -> 1, sigmoid" in text
    assert "BCEWithLogitsLoss" in text and "torch.optim.SGD" in text
    assert "#     model = train_more(X, Y, epochs=50, lr=0.5)" in text
    assert "def build_model(" in text and "def predict(" in text and "def train_more(X, Y, epochs=100, lr=0.5" in text


# -- both ------------------------------------------------------------------------------------
@pytest.mark.parametrize("export, name", [(export_numpy_script, "m.py"), (export_torch_script, "m_torch.py")])
def test_failed_write_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch, export, name):
    """A write that fails half way raises FormatError, keeps the old file's text and leaves no temporary file."""
    path = tmp_path / name
    path.write_text("old = 1\n")
    fill_the_disk_half_way(monkeypatch)
    with pytest.raises(FormatError, match="No space left"):
        export(make_model("softmax"), path)
    monkeypatch.undo()
    assert path.read_text() == "old = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("export", [export_numpy_script, export_torch_script])
def test_non_finite_weights_are_refused(tmp_path, export):
    """A network holding infinity is refused with FormatError and no file."""
    model = make_model("regression")
    model.network.flat[0] = np.inf
    with pytest.raises(FormatError, match="infinity"):
        export(model, tmp_path / "m.py")
    assert not (tmp_path / "m.py").exists()
