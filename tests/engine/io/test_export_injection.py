"""Names from a user's data never run as code in an exported script or ONNX file.

Class, feature and target names come from a CSV file (or a weights file) and may hold
anything: quotes of every kind, backslashes, newlines, ``#``, ``{}``, NUL, ``\\N{...}``.
An export must carry them as data only: the scripts define exactly their model objects,
create no file, read the names back unchanged and still predict like the engine.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import importlib.util
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnstudio.cli import main
from nnstudio.engine.data.datasets import Normalizer, labels_from_outputs
from nnstudio.engine.io.export_numpy import export_numpy_script, numpy_script_source
from nnstudio.engine.io.export_torch import export_torch_script, torch_script_source
from nnstudio.engine.io.exports import export_model
from nnstudio.engine.io.formats import ModelFile, load_weights, save_weights
from nnstudio.engine.nn.network import Network, NetworkSpec

HAS_TORCH = importlib.util.find_spec("torch") is not None

PWNED_LABEL = 'a"""+str(open("PWNED","w").write("x"))+"""b'

#: Strings built to break out of a string literal, a comment or a docstring.
PAYLOADS = [
    PWNED_LABEL,
    "a'''+str(open('PWNED','w').write('x'))+'''b",
    '"', "'", '"""', "'''", '\\', '\\"""', "\\'''", "#", "{}", "{0}", "{!r}", "%s",
    "\n", "\r", "\r\n", "\x00", "\t# x\nimport os", "\nopen('PWNED', 'w')\n#",
    "\\N{BULLET}", "\\x41", "\\u0041", "\u2028", "\x85", "\ufeff", "\x1b[2J", "\u202e",
    '")\nopen("PWNED", "w")\n("', "'])\nopen('PWNED', 'w')\n(['",
]

# Unicode text without surrogates (a CSV file decodes to valid text); every other character may appear.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=16)
NAME = st.one_of(
    st.sampled_from(PAYLOADS), TEXT, st.lists(st.sampled_from(PAYLOADS), min_size=2, max_size=4).map("".join)
)
# A file name's stem: anything a file system accepts in one name.
STEM = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), max_size=12)

# case -> (activations, loss, task, number of outputs, number of class names)
CASES = {
    "softmax": (("tanh", "softmax"), "cross_entropy", "classification", 3, 3),
    "binary": (("relu", "sigmoid"), "mse", "classification", 1, 2),
    "regression": (("leaky_relu", "linear"), "mse", "regression", 1, 0),
}

# What executing a numpy script defines, by case: written out here, not derived from the generator.
NUMPY_SCRIPT_NAMES = {
    "__builtins__", "__doc__", "__name__", "csv", "sys", "np",
    "N_INPUTS", "N_OUTPUTS", "FEATURE_NAMES", "TARGET_NAME", "TASK", "CLASS_NAMES", "LOSS", "MEAN", "STD",
    "W0", "b0", "W1", "b1", "LAYERS", "MEAN_ARRAY", "STD_ARRAY", "predict", "predict_labels", "read_csv", "main",
}
ACTIVATION_FUNCTIONS = {
    "softmax": {"tanh", "softmax"},
    "binary": {"relu", "sigmoid"},
    "regression": {"leaky_relu", "linear"},
}
TORCH_SCRIPT_NAMES = {
    "__builtins__", "__doc__", "__name__", "csv", "sys", "OrderedDict", "np", "torch", "nn",
    "N_INPUTS", "N_OUTPUTS", "FEATURE_NAMES", "TARGET_NAME", "TASK", "CLASS_NAMES", "LOSS", "MEAN", "STD",
    "W0", "b0", "W1", "b1", "WEIGHTS", "BIASES", "Standardize", "build_model", "_as_tensor", "predict", "loss_fn",
    "train_more", "read_csv", "main",
}


def make_model(case: str, features, classes, target) -> ModelFile:
    """3 inputs -> 4 -> k with fixed random weights; only the names change between calls."""
    activations, loss, task, n_out, _ = CASES[case]
    net = Network.from_spec(NetworkSpec((3, 4, n_out), activations, loss), seed=0)
    net.flat[:] = np.random.default_rng(0).standard_normal(net.flat.size)
    return ModelFile(net, Normalizer(np.array([10.0, -2.0, 0.5]), np.array([3.0, 0.25, 2.0])), task,
                     tuple(classes), tuple(features), target)


def reference_model(case: str) -> ModelFile:
    """The same model with plain names."""
    return make_model(case, ("f1", "f2", "f3"), tuple(f"c{k}" for k in range(CASES[case][4])), "y")


X = np.array([[10.0, -2.0, 0.5], [4.0, -1.5, 3.0], [13.0, -2.4, -1.0], [7.5, -2.1, 0.2], [16.0, -1.7, 2.2]])


@contextlib.contextmanager
def working_directory(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def execute(path: Path) -> dict:
    """Run the file's bytes as a module (not as __main__) in a fresh namespace, cwd its folder."""
    code = compile(path.read_bytes(), str(path), "exec")
    namespace = {"__name__": "exported_model"}
    with working_directory(path.parent):
        exec(code, namespace)  # running it is the point of the test
    return namespace


def code_shape(source: str) -> str:
    """The syntax tree with every string constant blanked: what the code does, whatever the names."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


def assigned_literals(source: str) -> dict:
    """Module-level NAME = <literal> assignments, evaluated as literals (never run)."""
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            with contextlib.suppress(ValueError):
                values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def check_names_read_back(found, model: ModelFile) -> None:
    assert found["FEATURE_NAMES"] == list(model.feature_names)
    assert found["CLASS_NAMES"] == list(model.class_names)
    assert found["TARGET_NAME"] == model.target_name


def check_docstring_shows_the_names(doc: str, model: ModelFile) -> None:
    for name in (*model.feature_names, *model.class_names, model.target_name):
        assert repr(name) in doc


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=st.sampled_from(sorted(CASES)),
    features=st.lists(NAME, min_size=3, max_size=3, unique=True),
    classes=st.lists(NAME, min_size=3, max_size=3, unique=True),
    target=NAME,
    stem=STEM,
)
@pytest.mark.slow
def test_scripts_carry_any_names_as_data_only(case, features, classes, target, stem):
    """Whatever the names and file name, each script defines only its model objects, writes no file, reads the names
    back and predicts like the engine.
    """
    model = make_model(case, features, classes[: CASES[case][4]], target)
    expected = model.predict(X)
    reference = reference_model(case)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        script = folder / f"{stem}model.py"
        export_numpy_script(model, script)
        torch_script = folder / f"{stem}model_torch.py"
        export_torch_script(model, torch_script)
        files = sorted(folder.iterdir())

        namespace = execute(script)
        assert set(namespace) == NUMPY_SCRIPT_NAMES | ACTIVATION_FUNCTIONS[case]
        assert sorted(folder.iterdir()) == files
        check_names_read_back(namespace, model)
        check_docstring_shows_the_names(namespace["__doc__"], model)
        np.testing.assert_allclose(namespace["predict"](X), expected, rtol=1e-12, atol=1e-12)
        if model.task == "classification":
            assert namespace["predict_labels"](X) == [model.class_names[i] for i in labels_from_outputs(expected)]

        torch_source = torch_script.read_bytes().decode("utf-8")
        # Same code as with plain names: only string constants differ.
        assert code_shape(torch_source) == code_shape(torch_script_source(reference, "model_torch.py"))
        assert code_shape(script.read_text(encoding="utf-8")) == code_shape(numpy_script_source(reference, "model.py"))
        check_names_read_back(assigned_literals(torch_source), model)
        check_docstring_shows_the_names(ast.get_docstring(ast.parse(torch_source), clean=False), model)
        if HAS_TORCH:
            torch_namespace = execute(torch_script)
            assert set(torch_namespace) == TORCH_SCRIPT_NAMES
            assert sorted(folder.iterdir()) == files
            np.testing.assert_allclose(torch_namespace["predict"](X), expected, rtol=1e-9, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    features=st.lists(NAME, min_size=3, max_size=3, unique=True),
    classes=st.lists(NAME, min_size=3, max_size=3, unique=True),
    target=NAME,
)
def test_onnx_holds_any_names_only_as_metadata(features, classes, target):
    """In ONNX the names are metadata values that read back unchanged; the graph is the one plain names give."""
    onnx = pytest.importorskip("onnx")
    from nnstudio.engine.io.export_onnx import build_onnx

    model = make_model("softmax", features, classes, target)
    proto = build_onnx(model)
    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["feature_names"]) == features
    assert json.loads(props["class_names"]) == classes
    assert props["target_name"] == target
    plain = build_onnx(reference_model("softmax"))
    assert proto.graph == plain.graph and proto.doc_string == plain.doc_string
    onnx.checker.check_model(onnx.load_from_string(proto.SerializeToString()), full_check=True)


def test_lone_surrogates_from_a_json_weights_file_export_everywhere(tmp_path):
    """A .json weights file may spell a lone surrogate (\\ud800); every export writes, the scripts read the names back.
    """
    model = make_model("softmax", ("t\ud800", "u", "v"), ("a\udfff", '"""\ud83d', "c"), "y\ud800")
    save_weights(tmp_path / "w.json", model)
    loaded = load_weights(tmp_path / "w.json")
    assert loaded.class_names[0] == "a\udfff"
    export_model(tmp_path / "m.py", loaded)
    export_model(tmp_path / "m_torch.py", loaded)
    check_names_read_back(execute(tmp_path / "m.py"), loaded)
    check_names_read_back(assigned_literals((tmp_path / "m_torch.py").read_text(encoding="utf-8")), loaded)
    if importlib.util.find_spec("onnx") is not None:
        import onnx

        export_model(tmp_path / "m.onnx", loaded)
        props = {p.key: p.value for p in onnx.load(str(tmp_path / "m.onnx")).metadata_props}
        assert json.loads(props["class_names"]) == list(loaded.class_names)
        assert props["target_name"] == "y\\ud800"  # protobuf strings are UTF-8: the surrogate as its escape


# -- the reported attack, end to end through the CLI ------------------------------------------
def write_payload_csv(path: Path) -> Path:
    rng = np.random.default_rng(0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["x1", "x2", "label"])
        for row in range(40):
            label = row % 2
            writer.writerow([repr(rng.normal() + 2 * label), repr(rng.normal()), PWNED_LABEL if label else "plain"])
    return path


def test_crafted_class_name_runs_nothing_when_the_cli_exports_are_run(tmp_path):
    """nnstudio train --export on a CSV whose class name is a code payload: running the scripts creates no PWNED file.
    """
    data = write_payload_csv(tmp_path / "inj.csv")
    for name in ("inj.py", "inj_torch.py"):
        assert main(["train", "--dataset", str(data), "--steps", "5", "--export", str(tmp_path / name)]) == 0

    namespace = execute(tmp_path / "inj.py")
    assert not (tmp_path / "PWNED").exists()
    assert sorted(namespace["CLASS_NAMES"]) == sorted([PWNED_LABEL, "plain"])
    assert set(namespace["predict_labels"](np.array([[0.0, 0.0], [2.0, 0.0]]))) <= {PWNED_LABEL, "plain"}

    if HAS_TORCH:
        execute(tmp_path / "inj_torch.py")
    else:
        # The payload used to run in the docstring, the first statement, before torch is imported.
        with pytest.raises(ModuleNotFoundError, match="torch"):
            execute(tmp_path / "inj_torch.py")
    assert not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inj.csv", "inj.py", "inj_torch.py"]
