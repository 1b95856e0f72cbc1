"""``nnstudio predict``: CSV out, exact outputs, column matching, class names and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from support.cli import assert_usage_error, run_module, three_class_rows, write_csv

from nnstudio.engine.io.formats import load_weights


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _inputs(n: int = 25, seed: int = 1) -> np.ndarray:
    """Raw (un-normalised) xor-like inputs, including values far from the training range."""
    X = np.random.default_rng(seed).uniform(-3, 3, size=(n, 2))
    X[0] = [0.0, 0.0]
    X[1] = [1e3, -1e3]
    return X


def test_predict_writes_a_header_and_one_row_per_input_row(cli, tmp_path, xor_weights):
    """A 2-class model: header y0,label and one CSV row per input row."""
    X = _inputs()
    data = write_csv(tmp_path / "x.csv", ["x1", "x2"], X)
    r = cli("predict", "--weights", xor_weights, "--input", data)
    assert r.code == 0 and r.err == ""
    rows = _rows(r.out)
    assert rows[0] == ["y0", "label"]
    assert len(rows) == 1 + len(X)
    assert all(len(row) == 2 for row in rows[1:])


def test_predict_outputs_equal_model_predict_to_full_precision(cli, tmp_path, xor_weights):
    """Every printed output parses back to exactly ModelFile.predict on the raw inputs."""
    X = _inputs()
    data = write_csv(tmp_path / "x.csv", ["x1", "x2"], X)
    r = cli("predict", "--weights", xor_weights, "--input", data)
    printed = np.array([[float(cell) for cell in row[:-1]] for row in _rows(r.out)[1:]])
    expected = load_weights(xor_weights).predict(X)
    assert printed.shape == expected.shape
    assert np.array_equal(printed, expected)  # exact, not approximate


def test_predict_normalises_raw_inputs_inside(cli, tmp_path, xor_weights):
    """Outputs equal the network applied to (x - mean) / std computed here from the file's meta."""
    X = _inputs()
    data = write_csv(tmp_path / "x.csv", ["x1", "x2"], X)
    printed = np.array([[float(row[0])] for row in _rows(cli("predict", "--weights", xor_weights,
                                                              "--input", data).out)[1:]])
    with np.load(xor_weights, allow_pickle=False) as archive:
        meta = json.loads(str(archive["meta"]))
        W0, b0, W1, b1 = (archive[k] for k in ("W0", "b0", "W1", "b1"))
    Z = (X - np.array(meta["normalization"]["mean"])) / np.array(meta["normalization"]["std"])
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    np.testing.assert_allclose(printed, sig(sig(Z @ W0 + b0) @ W1 + b1), rtol=1e-12, atol=1e-300)


def test_predict_labels_of_a_two_class_model_are_the_class_names(cli, tmp_path):
    """A model trained on classes 'no'/'yes' prints 'yes' exactly where y0 >= 0.5."""
    rows = [(x1, x2, "yes" if kind == "a" else "no") for x1, x2, kind in three_class_rows()]
    train = write_csv(tmp_path / "two.csv", ["x1", "x2", "ok"], rows)
    weights = tmp_path / "two.npz"
    assert cli("train", "--dataset", train, "--epochs", "30", "--export", weights).code == 0
    r = cli("predict", "--weights", weights, "--input", train)
    out = _rows(r.out)
    assert out[0] == ["y0", "label"]
    labels = [row[1] for row in out[1:]]
    assert set(labels) <= {"no", "yes"}
    assert labels == ["yes" if float(row[0]) >= 0.5 else "no" for row in out[1:]]
    assert labels == [row[2] for row in rows]  # the blobs are separable: it learnt them


def test_predict_three_classes_prints_three_outputs_and_argmax_names(cli, tmp_path, three_class_csv):
    """A 3-class model: header y0,y1,y2,label and the label is the name of the largest output."""
    weights = tmp_path / "three.npz"
    assert cli("train", "--dataset", three_class_csv, "--epochs", "40", "--export", weights).code == 0
    out = _rows(cli("predict", "--weights", weights, "--input", three_class_csv).out)
    assert out[0] == ["y0", "y1", "y2", "label"]
    for row in out[1:]:
        values = [float(v) for v in row[:3]]
        assert row[3] == "abc"[int(np.argmax(values))]


def test_predict_regression_has_no_label_column(cli, tmp_path, regression_csv):
    """A regression model prints only y0, equal to ModelFile.predict exactly."""
    weights = tmp_path / "lin.json"
    assert cli("train", "--dataset", regression_csv, "--hidden", "", "--steps", "20", "--export", weights).code == 0
    r = cli("predict", "--weights", weights, "--input", regression_csv)
    out = _rows(r.out)
    assert out[0] == ["y0"]
    raw = np.loadtxt(regression_csv, delimiter=",", skiprows=1)
    assert np.array_equal(np.array([[float(row[0])] for row in out[1:]]), load_weights(weights).predict(raw[:, :2]))


def test_columns_in_another_order_with_a_target_column_give_the_same_output(cli, tmp_path, xor_weights):
    """Columns label,x2,x1 (target column ignored, even with text in it) print the same as x1,x2."""
    X = _inputs()
    plain = write_csv(tmp_path / "plain.csv", ["x1", "x2"], X)
    shuffled = write_csv(tmp_path / "shuffled.csv", ["label", "x2", "extra", "x1"],
                         [("cat", b, 99.5, a) for a, b in X])
    a = cli("predict", "--weights", xor_weights, "--input", plain)
    b = cli("predict", "--weights", xor_weights, "--input", shuffled)
    assert a.code == b.code == 0
    assert a.out == b.out


def test_predict_through_the_module_entry_point(tmp_path, xor_weights):
    """python -m nnstudio predict prints the same CSV as the in-process call and nothing on stderr."""
    X = _inputs(5)
    write_csv(tmp_path / "x.csv", ["x1", "x2"], X)
    r = run_module(tmp_path, "predict", "--weights", xor_weights, "--input", "x.csv")
    assert r.code == 0 and r.err == ""
    printed = np.array([[float(row[0])] for row in _rows(r.out)[1:]])
    assert np.array_equal(printed, load_weights(xor_weights).predict(X))


def test_semicolon_separated_input_is_read(cli, tmp_path, xor_weights):
    """An input file separated by ';' (a spreadsheet export) gives the same output as the comma one."""
    X = _inputs(6)
    plain = write_csv(tmp_path / "plain.csv", ["x1", "x2"], X)
    semi = _text(tmp_path / "semi.csv", plain.read_text().replace(",", ";"))
    a = cli("predict", "--weights", xor_weights, "--input", plain)
    b = cli("predict", "--weights", xor_weights, "--input", semi)
    assert a.code == b.code == 0 and a.out == b.out


def test_weights_without_feature_names_read_columns_x1_to_xn(cli, tmp_path):
    """A hand-written weights file with no feature names expects columns x1..xn."""
    weights = _text(tmp_path / "hand.json", json.dumps({
        "meta": {"format": "nnstudio-weights", "version": 1, "sizes": [2, 1], "activations": ["linear"],
                 "task": "regression"},
        "W0": [[2.0], [-1.0]], "b0": [0.5],
    }))
    data = _text(tmp_path / "x.csv", "x2,x1\n1,3\n0.25,-1\n")
    r = cli("predict", "--weights", weights, "--input", data)
    assert r.code == 0, r.err
    assert _rows(r.out) == [["y0"], [repr(2 * 3 - 1 + 0.5)], [repr(2 * -1 - 0.25 + 0.5)]]


# -- bad input --------------------------------------------------------------------------------
def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BAD_PREDICT_INPUTS = {
    "missing feature column": ("x1,label\n1,0\n", ["x2"]),
    "non-numeric cell": ("x1,x2\n1,2\n3,four\n", ["line 3", "x2", "four"]),
    "ragged rows": ("x1,x2\n1,2\n3\n", ["line 3"]),
    "header only": ("x1,x2\n", ["rows"]),
    "empty file": ("", ["empty"]),
    "nan cell": ("x1,x2\n1,2\nnan,1\n", ["line 3", "x1"]),
    "infinite cell": ("x1,x2\n1,2\n1,-inf\n", ["line 3", "x2"]),
}


@pytest.mark.parametrize("case", sorted(BAD_PREDICT_INPUTS))
def test_bad_predict_input_exits_2_with_one_line_and_no_output(cli, tmp_path, xor_weights, case):
    """Bad input CSV: exit 2, one stderr line naming the problem, nothing on stdout."""
    text, words = BAD_PREDICT_INPUTS[case]
    r = cli("predict", "--weights", xor_weights, "--input", _text(tmp_path / "in.csv", text))
    assert_usage_error(r, *words)
    assert r.out == ""


def test_missing_input_file_exits_2_naming_it(cli, tmp_path, xor_weights):
    """--input that does not exist: exit 2 naming the file."""
    r = cli("predict", "--weights", xor_weights, "--input", tmp_path / "nothere.csv")
    assert_usage_error(r, "nothere.csv")
    assert r.out == ""


@pytest.mark.parametrize("content", [None, b"\x00garbage\xff" * 40, b"PK\x03\x04 truncated"])
def test_missing_or_corrupt_weights_exit_2_naming_the_file(cli, tmp_path, content):
    """--weights missing or corrupt: exit 2, one line naming the weights file, nothing on stdout."""
    weights = tmp_path / "broken.npz"
    if content is not None:
        weights.write_bytes(content)
    data = write_csv(tmp_path / "x.csv", ["x1", "x2"], _inputs(3))
    r = cli("predict", "--weights", weights, "--input", data)
    assert_usage_error(r, "broken.npz")
    assert r.out == ""


def test_predict_requires_weights_and_input(cli):
    """predict without --weights/--input: exit 2 with one line naming the missing option."""
    assert_usage_error(cli("predict", "--input", "x.csv"), "--weights")
    assert_usage_error(cli("predict", "--weights", "w.npz"), "--input")


def test_module_predict_missing_column_has_no_traceback(tmp_path, xor_weights):
    """python -m nnstudio predict with a missing feature column: exit 2, one line naming it."""
    _text(tmp_path / "x.csv", "x2,label\n1,0\n")
    r = run_module(tmp_path, "predict", "--weights", xor_weights, "--input", "x.csv")
    assert_usage_error(r, "'x1'")
    assert r.out == ""
