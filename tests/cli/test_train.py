"""``nnstudio train``: results, reproducibility, exports, --init, CSV data and bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.cli import (
    assert_usage_error,
    run_module,
    run_without_qt,
    subprocess_env,
    three_class_rows,
    write_csv,
)
from support.files import patch_zip_headers

from nnstudio.engine.data.datasets import generate, train_test_split
from nnstudio.engine.io.formats import load_weights

JSON_KEYS = {"train_loss", "test_loss", "train_accuracy", "test_accuracy", "cycles", "epochs", "seconds"}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


_ACT = {"sigmoid": _sigmoid, "tanh": np.tanh, "linear": lambda z: z, "relu": lambda z: np.maximum(z, 0.0)}


def _forward(arrays: dict, activations, X):
    """A forward pass written out here, independent of the engine."""
    a = X
    for l, name in enumerate(activations):
        a = _ACT[name](a @ arrays[f"W{l}"] + arrays[f"b{l}"])
    return a


# -- results ------------------------------------------------------------------------------
def test_xor_2_4_1_reaches_full_train_accuracy(cli):
    """The seed's 2-4-1 sigmoid network learns XOR: train accuracy 1.0 in the JSON line."""
    r = cli("train", "--dataset", "xor", "--hidden", "4", "--epochs", "200", "--seed", "0", "--json")
    assert r.code == 0, r.err
    result = r.json
    assert set(result) == JSON_KEYS
    assert result["train_accuracy"] == 1.0
    assert result["train_loss"] < 0.05
    assert result["seconds"] >= 0


def test_json_is_the_last_line_after_human_readable_lines(cli):
    """--json keeps the human lines and puts one JSON object on the last line of stdout."""
    r = cli("train", "--steps", "5", "--json")
    lines = r.out.strip().splitlines()
    assert len(lines) > 1
    assert isinstance(json.loads(lines[-1]), dict)
    for line in lines[:-1]:
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)


def test_steps_runs_exactly_that_many_cycles(cli):
    """--steps 37 runs exactly 37 cycles."""
    assert cli("train", "--steps", "37", "--json").json["cycles"] == 37


@pytest.mark.parametrize(
    "args, cycles, epochs",
    [
        # 200 xor rows, 20 % held out (20 per class) -> 160 training rows -> 16 cycles per epoch
        (["--batch-size", "10", "--epochs", "3"], 48, 3),
        (["--batch-size", "10", "--steps", "40"], 40, 2),
        (["--batch-size", "10", "--steps", "16"], 16, 1),
        (["--batch-size", "7", "--epochs", "2"], 2 * math.ceil(160 / 7), 2),
        (["--batch-size", "full", "--epochs", "5"], 5, 5),
        (["--batch-size", "500", "--epochs", "4"], 4, 4),  # larger than the data: full batch
        (["--batch-size", "10", "--epochs", "2", "--test-fraction", "0"], 40, 2),  # 200 rows
    ],
)
def test_epochs_and_cycles_follow_the_batch_size(cli, args, cycles, epochs):
    """cycles = epochs x ceil(training rows / batch size); epochs count completed passes."""
    result = cli("train", "--dataset", "xor", "--samples", "200", *args, "--json").json
    assert (result["cycles"], result["epochs"]) == (cycles, epochs)


def test_test_fraction_zero_trains_on_every_row_and_reports_null_test_values(cli):
    """--test-fraction 0: all 200 rows train, test loss and accuracy are null."""
    r = cli("train", "--test-fraction", "0", "--steps", "20", "--json")
    assert r.code == 0
    result = r.json
    assert result["test_loss"] is None and result["test_accuracy"] is None
    assert result["train_loss"] is not None
    assert "200 train / 0 test" in r.out


def test_same_seed_gives_identical_results(cli):
    """Two runs with the same seed report bit-identical losses and accuracies."""
    args = ("train", "--dataset", "circle", "--hidden", "5,3", "--epochs", "5", "--seed", "11", "--json")
    a, b = cli(*args).json, cli(*args).json
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "cycles", "epochs"):
        assert a[key] == b[key]


def test_different_seed_gives_different_losses(cli):
    """Changing only the seed changes the losses."""
    base = ("train", "--dataset", "circle", "--hidden", "5,3", "--epochs", "5", "--json")
    a, b = cli(*base, "--seed", "1").json, cli(*base, "--seed", "2").json
    assert a["train_loss"] != b["train_loss"]
    assert a["test_loss"] != b["test_loss"]


# -- exports ------------------------------------------------------------------------------
def test_export_npz_predicts_like_the_trained_network(cli, tmp_path):
    """The exported network, fed the normalised training rows, reproduces the reported train loss and accuracy."""
    out = tmp_path / "out.npz"
    r = cli("train", "--dataset", "xor", "--seed", "4", "--epochs", "30", "--export", out, "--json")
    assert r.code == 0 and out.exists()
    reported = r.json
    model = load_weights(out)

    data = generate("xor", n_samples=200, noise=0.1, seed=4)
    train_idx, _ = train_test_split(data, 0.2, 4)
    X_train, y_train = data.X[train_idx], data.y[train_idx].astype(float)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    np.testing.assert_allclose(model.normalizer.mean, mean, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(model.normalizer.std, std, rtol=1e-13)

    X_norm = (X_train - mean) / std
    with np.load(out, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files if k != "meta"}
    mine = _forward(arrays, ("sigmoid", "sigmoid"), X_norm)
    np.testing.assert_allclose(model.network.predict(X_norm), mine, rtol=1e-12, atol=1e-15)
    assert np.mean((mine[:, 0] - y_train) ** 2) == pytest.approx(reported["train_loss"], rel=1e-9)
    assert np.mean((mine[:, 0] >= 0.5) == (y_train == 1)) == reported["train_accuracy"]


def test_export_json_loads_back_identically_to_npz(cli, tmp_path):
    """The same run exported as .json and .npz loads back to bit-identical weights, biases and normalisation."""
    common = ("train", "--dataset", "gaussians", "--hidden", "3,2", "--epochs", "3", "--seed", "9")
    assert cli(*common, "--export", tmp_path / "w.json").code == 0
    assert cli(*common, "--export", tmp_path / "w.npz").code == 0
    a, b = load_weights(tmp_path / "w.json"), load_weights(tmp_path / "w.npz")
    assert a.network.spec == b.network.spec
    for Wa, Wb in zip(a.network.weights + a.network.biases, b.network.weights + b.network.biases):
        assert np.array_equal(Wa, Wb)
    assert np.array_equal(a.normalizer.mean, b.normalizer.mean)
    assert np.array_equal(a.normalizer.std, b.normalizer.std)
    raw = json.loads((tmp_path / "w.json").read_text())
    assert np.array_equal(np.array(raw["W1"]), b.network.weights[1])
    assert raw["meta"]["sizes"] == [2, 3, 2, 1]


def test_init_with_zero_learning_rate_keeps_the_files_weights_architecture_and_normalisation(cli, tmp_path):
    """--init W --lr 0 --steps 1 exports exactly W's weights, sizes and normaliser, ignoring --hidden."""
    first = tmp_path / "first.npz"
    assert cli("train", "--dataset", "xor", "--hidden", "3", "--steps", "40", "--export", first).code == 0
    second = tmp_path / "second.npz"
    r = cli("train", "--dataset", "xor", "--seed", "5", "--hidden", "7,7", "--init", first,
            "--steps", "1", "--lr", "0", "--export", second, "--json")
    assert r.code == 0, r.err
    assert r.json["cycles"] == 1
    a, b = load_weights(first), load_weights(second)
    assert b.network.spec.sizes == (2, 3, 1)
    for Wa, Wb in zip(a.network.weights + a.network.biases, b.network.weights + b.network.biases):
        assert np.array_equal(Wa, Wb)
    assert np.array_equal(a.normalizer.mean, b.normalizer.mean)  # not refitted on seed 5's data
    assert np.array_equal(a.normalizer.std, b.normalizer.std)


def test_init_then_training_changes_the_weights(cli, tmp_path):
    """--init W with a positive learning rate continues training from W."""
    first = tmp_path / "first.npz"
    assert cli("train", "--steps", "10", "--export", first).code == 0
    second = tmp_path / "second.npz"
    assert cli("train", "--init", first, "--steps", "10", "--export", second).code == 0
    assert not np.array_equal(load_weights(first).network.flat, load_weights(second).network.flat)


def test_normalize_none_exports_an_identity_normaliser(cli, tmp_path):
    """--normalize none: the exported normaliser is mean 0, std 1 (raw inputs go straight in)."""
    out = tmp_path / "raw.npz"
    assert cli("train", "--normalize", "none", "--steps", "3", "--export", out).code == 0
    model = load_weights(out)
    assert np.array_equal(model.normalizer.mean, [0.0, 0.0]) and np.array_equal(model.normalizer.std, [1.0, 1.0])


# -- CSV data -----------------------------------------------------------------------------
def test_csv_regression_learns_a_linear_target_with_null_accuracies(cli, tmp_path, regression_csv):
    """y = 2*x1 - x2 + 0.5 with no hidden layer and a linear output: tiny test loss, null accuracies, exact-ish fit."""
    out = tmp_path / "lin.npz"
    r = cli("train", "--dataset", regression_csv, "--hidden", "", "--output-activation", "linear",
            "--lr", "0.1", "--batch-size", "full", "--epochs", "400", "--export", out, "--json")
    assert r.code == 0, r.err
    result = r.json
    assert result["train_accuracy"] is None and result["test_accuracy"] is None
    assert result["test_loss"] < 1e-6
    model = load_weights(out)
    assert model.task == "regression"
    assert model.network.spec.sizes == (2, 1)
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.5, 1.25]])
    np.testing.assert_allclose(model.predict(X)[:, 0], 2 * X[:, 0] - X[:, 1] + 0.5, atol=1e-3)


def test_three_string_classes_give_three_outputs(cli, tmp_path, three_class_csv):
    """A target with classes 'a', 'b', 'c' becomes 3 one-hot outputs (default sigmoid + mse)."""
    out = tmp_path / "three.npz"
    r = cli("train", "--dataset", three_class_csv, "--epochs", "40", "--export", out, "--json")
    assert r.code == 0, r.err
    model = load_weights(out)
    assert model.network.spec.sizes[-1] == 3
    assert model.class_names == ("a", "b", "c")
    assert model.feature_names == ("x1", "x2") and model.target_name == "kind"


def test_three_classes_train_with_softmax_and_cross_entropy(cli, tmp_path, three_class_csv):
    """--output-activation softmax --loss cross_entropy on 3 classes learns the separated blobs."""
    out = tmp_path / "soft.json"
    r = cli("train", "--dataset", three_class_csv, "--output-activation", "softmax", "--loss", "cross_entropy",
            "--epochs", "60", "--export", out, "--json")
    assert r.code == 0, r.err
    assert r.json["train_accuracy"] >= 0.95
    meta = json.loads(out.read_text())["meta"]
    assert meta["sizes"][-1] == 3
    assert meta["activations"][-1] == "softmax" and meta["loss"] == "cross_entropy"


def test_two_class_csv_has_one_output(cli, tmp_path):
    """A 2-class CSV target gets a single output neuron."""
    rows = [(r[0], r[1], "yes" if r[2] == "a" else "no") for r in three_class_rows()]
    data = write_csv(tmp_path / "two.csv", ["x1", "x2", "ok"], rows)
    out = tmp_path / "two.npz"
    assert cli("train", "--dataset", data, "--steps", "5", "--export", out).code == 0
    model = load_weights(out)
    assert model.network.spec.sizes[-1] == 1 and model.class_names == ("no", "yes")


def test_target_option_picks_a_column_that_is_not_last(cli, tmp_path):
    """--target NAME uses that column as the target and the others as features."""
    rows = [(r[2], r[0], r[1]) for r in three_class_rows()]
    data = write_csv(tmp_path / "first.csv", ["kind", "x1", "x2"], rows)
    out = tmp_path / "t.npz"
    assert cli("train", "--dataset", data, "--target", "kind", "--steps", "3", "--export", out).code == 0
    model = load_weights(out)
    assert model.feature_names == ("x1", "x2") and model.network.spec.sizes[-1] == 3


# -- bad input (in-process) -----------------------------------------------------------------
def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_ROWS = "x1,x2,label\n0.1,0.2,0\n0.3,0.1,1\n0.5,0.5,0\n0.9,0.7,1\n"

BAD_TRAIN_CASES = {
    # name: (builder(tmp_path) -> args, words expected in the one stderr line)
    "missing dataset file": (lambda p: ["--dataset", p / "missing.csv"], ["missing.csv"]),
    "unknown generator": (lambda p: ["--dataset", "xorr"], ["xorr"]),
    "non-numeric cell": (lambda p: ["--dataset", _csv(p, "x1,x2,label\n1,2,0\n1,abc,1\n")], ["line 3", "x2", "abc"]),
    "ragged rows": (lambda p: ["--dataset", _csv(p, "x1,x2,label\n1,2,0\n1,1\n")], ["line 3"]),
    "header only": (lambda p: ["--dataset", _csv(p, "x1,x2,label\n")], ["rows"]),
    "empty file": (lambda p: ["--dataset", _csv(p, "")], ["empty"]),
    "nan cell": (lambda p: ["--dataset", _csv(p, "x1,x2,label\n1,2,0\n3,nan,1\n")], ["line 3", "nan"]),
    "single class": (lambda p: ["--dataset", _csv(p, "x1,label\n1,a\n2,a\n")], ["class"]),
    "unknown target column": (lambda p: ["--dataset", _csv(p, GOOD_ROWS), "--target", "nope"], ["nope"]),
    "dataset is a directory": (lambda p: ["--dataset", (p / "dir.csv").mkdir() or p / "dir.csv"], ["directory"]),
    "negative learning rate": (lambda p: ["--lr", "-0.5"], ["lr"]),
    "nan learning rate": (lambda p: ["--lr", "nan"], ["lr"]),
    "infinite learning rate": (lambda p: ["--lr", "inf"], ["lr"]),
    "non-numeric learning rate": (lambda p: ["--lr", "fast"], ["lr"]),
    "momentum of one": (lambda p: ["--momentum", "1"], ["momentum"]),
    "unknown activation": (lambda p: ["--activation", "swish"], ["activation", "swish"]),
    "softmax as hidden activation": (lambda p: ["--activation", "softmax"], ["activation"]),
    "unknown output activation": (lambda p: ["--output-activation", "swish"], ["output-activation"]),
    "unknown loss": (lambda p: ["--loss", "hinge"], ["loss"]),
    "cross entropy on a linear output": (
        lambda p: ["--output-activation", "linear", "--loss", "cross_entropy"], ["cross_entropy"]),
    "softmax on one output": (lambda p: ["--output-activation", "softmax"], ["softmax"]),
    "steps and epochs together": (lambda p: ["--steps", "5", "--epochs", "5"], ["steps", "epochs"]),
    "zero steps": (lambda p: ["--steps", "0"], ["steps"]),
    "zero epochs": (lambda p: ["--epochs", "0"], ["epochs"]),
    "zero batch size": (lambda p: ["--batch-size", "0"], ["batch"]),
    "negative batch size": (lambda p: ["--batch-size", "-3"], ["batch"]),
    "word batch size": (lambda p: ["--batch-size", "half"], ["batch", "half"]),
    "test fraction one": (lambda p: ["--test-fraction", "1"], ["test-fraction"]),
    "negative test fraction": (lambda p: ["--test-fraction", "-0.1"], ["test-fraction"]),
    "nan test fraction": (lambda p: ["--test-fraction", "nan"], ["test-fraction"]),
    "bad hidden sizes": (lambda p: ["--hidden", "4,x"], ["hidden"]),
    "zero-width hidden layer": (lambda p: ["--hidden", "4,0"], ["hidden"]),
    "negative seed": (lambda p: ["--seed", "-1"], ["seed"]),
    "unknown normalize": (lambda p: ["--normalize", "minmax"], ["normalize"]),
}


@pytest.mark.parametrize("case", sorted(BAD_TRAIN_CASES))
def test_bad_train_input_exits_2_with_one_line_and_no_export(cli, tmp_path, case):
    """Each bad input: exit 2, one stderr line naming the problem, no traceback, no --export file."""
    build, words = BAD_TRAIN_CASES[case]
    args = [str(a) for a in build(tmp_path)]
    if "--steps" not in args and "--epochs" not in args:
        args += ["--steps", "3"]
    out = tmp_path / "out.npz"
    r = cli("train", *args, "--export", out)
    assert_usage_error(r, *words)
    assert not out.exists()
    assert not list(tmp_path.glob(".out.npz*"))  # no temporary file left either


def test_bad_input_keeps_an_existing_export_file(cli, tmp_path):
    """A failing run leaves an existing --export file with its old content."""
    out = tmp_path / "out.json"
    out.write_text("old content")
    r = cli("train", "--dataset", _csv(tmp_path, "x1,x2,label\n1,2,0\n1,abc,1\n"), "--export", out)
    assert_usage_error(r, "abc")
    assert out.read_text() == "old content"


def test_export_with_unknown_suffix_is_refused_without_a_file(cli, tmp_path):
    """--export out.txt: exit 2 naming the suffix, and no file is written."""
    out = tmp_path / "out.txt"
    r = cli("train", "--steps", "3", "--export", out)
    assert_usage_error(r, ".txt")
    assert not out.exists()


def test_export_into_a_missing_folder_is_refused(cli, tmp_path):
    """--export into a folder that does not exist: exit 2, one line, nothing written."""
    out = tmp_path / "nope" / "out.npz"
    r = cli("train", "--steps", "3", "--export", out)
    assert_usage_error(r, "out.npz")
    assert not out.parent.exists()


# -- bad --init files -------------------------------------------------------------------------
def _init_mismatch_inputs(cli, tmp_path):
    three = write_csv(tmp_path / "three.csv", ["a", "b", "c", "y"],
                      [(float(i), float(i % 3), float(i % 5), i % 2) for i in range(20)])
    w = tmp_path / "three.npz"
    assert cli("train", "--dataset", three, "--steps", "2", "--export", w).code == 0
    return w


def test_init_whose_input_size_does_not_fit_names_both_sizes(cli, tmp_path):
    """--init with a 3-input network on 2-feature xor: exit 2, the message names 3 and 2."""
    w = _init_mismatch_inputs(cli, tmp_path)
    out = tmp_path / "out.npz"
    r = cli("train", "--dataset", "xor", "--init", w, "--steps", "2", "--export", out)
    assert_usage_error(r, "three.npz", "3 inputs", "2 features")
    assert not out.exists()


def test_init_whose_output_size_does_not_fit_names_both_sizes(cli, tmp_path, three_class_csv):
    """--init with a 3-output network on 2-class xor: exit 2, the message names 3 outputs and 1."""
    w = tmp_path / "blobs.npz"
    assert cli("train", "--dataset", three_class_csv, "--steps", "2", "--export", w).code == 0
    r = cli("train", "--dataset", "xor", "--init", w, "--steps", "2")
    assert_usage_error(r, "3 outputs", "1")


def _valid_npz_bytes(cli, tmp_path) -> bytes:
    w = tmp_path / "valid.npz"
    assert cli("train", "--steps", "2", "--export", w).code == 0
    return w.read_bytes()


BAD_INIT_CASES = {
    "missing file": lambda cli, p: p / "absent.npz",
    "random bytes": lambda cli, p: _write(p / "junk.npz", np.random.default_rng(0).bytes(600)),
    "truncated npz": lambda cli, p: _write(p / "cut.npz", _valid_npz_bytes(cli, p)[:300]),
    "pickled object array": lambda cli, p: _savez(p / "obj.npz", W0=np.array([object()], dtype=object)),
    "npz without meta": lambda cli, p: _savez(p / "nometa.npz", W0=np.zeros((2, 4))),
    "json with wrong shapes": lambda cli, p: _wrong_shape_json(cli, p),
    "json that is not json": lambda cli, p: _write(p / "text.json", b"hello"),
    "npz whose meta is a json list": lambda cli, p: _savez(
        p / "listmeta.npz", W0=np.zeros((2, 4)), meta=np.array("[1, 2]")),
    "json with an integer too big for a float": lambda cli, p: _huge_int_json(cli, p),
    "unknown suffix": lambda cli, p: _write(p / "w.pt", b"x"),
    "zip entry with an unsupported compression method": lambda cli, p: _write(
        p / "method.npz", patch_zip_headers(_valid_npz_bytes(cli, p), method=99)),
    "zip entry flagged as encrypted": lambda cli, p: _write(
        p / "crypt.npz", patch_zip_headers(_valid_npz_bytes(cli, p), flag=1)),
}


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _savez(path, **arrays):
    np.savez(path, **arrays)
    return path


def _wrong_shape_json(cli, p):
    w = p / "shape.json"
    assert cli("train", "--steps", "2", "--export", w).code == 0
    content = json.loads(w.read_text())
    content["W0"] = np.zeros((4, 2)).tolist()  # transposed
    w.write_text(json.dumps(content))
    return w


def _huge_int_json(cli, p):
    w = p / "huge.json"
    assert cli("train", "--steps", "2", "--export", w).code == 0
    w.write_text(_with_huge_int(w.read_text()))
    return w


def _with_huge_int(text: str) -> str:
    content = json.loads(text)
    content["b0"][0] = 10 ** 400  # valid JSON, but no float can hold it
    return json.dumps(content)


@pytest.mark.parametrize("case", sorted(BAD_INIT_CASES))
def test_bad_init_file_exits_2_naming_it(cli, tmp_path, case):
    """A missing, corrupted, truncated, pickled or mis-shaped --init file: exit 2, one line naming the file."""
    path = BAD_INIT_CASES[case](cli, tmp_path)
    out = tmp_path / "out.npz"
    r = cli("train", "--init", path, "--steps", "2", "--export", out)
    assert_usage_error(r, path.name)
    assert not out.exists()


def test_wrong_shape_json_message_names_the_array(cli, tmp_path):
    """A .json whose W0 has the wrong shape is refused with a message naming W0 and both shapes."""
    path = _wrong_shape_json(cli, tmp_path)
    r = cli("train", "--init", path, "--steps", "2")
    assert_usage_error(r, "W0", "(4, 2)", "(2, 4)")


# -- the real entry point ---------------------------------------------------------------------
def test_module_train_json_prints_results_and_nothing_on_stderr(tmp_path):
    """python -m nnstudio train --json: exit 0, JSON last line, empty stderr (no progress bar off a TTY)."""
    r = run_module(tmp_path, "train", "--dataset", "xor", "--steps", "3000", "--json", "--export", "w.npz")
    assert r.code == 0, r.err
    assert r.err == ""
    assert "\r" not in r.out
    result = r.json
    assert set(result) == JSON_KEYS and result["cycles"] == 3000
    assert (tmp_path / "w.npz").exists()


def test_module_bad_input_exits_2_without_traceback(tmp_path):
    """python -m nnstudio train on a CSV with a bad cell: exit 2, one stderr line, no export file."""
    _csv(tmp_path, "x1,x2,label\n1,2,0\n1,abc,1\n")
    r = run_module(tmp_path, "train", "--dataset", "data.csv", "--export", "out.npz")
    assert_usage_error(r, "line 3", "abc")
    assert not (tmp_path / "out.npz").exists()


def test_module_argparse_error_exits_2_with_one_line(tmp_path):
    """python -m nnstudio train --lr -1: exit 2, one stderr line naming --lr (not the usage block)."""
    r = run_module(tmp_path, "train", "--lr", "-1")
    assert_usage_error(r, "lr")


def test_module_help_works(tmp_path):
    """python -m nnstudio --help lists both commands and exits 0."""
    r = run_module(tmp_path, "--help")
    assert r.code == 0 and "Traceback" not in r.err
    assert "train" in r.out and "predict" in r.out


def test_module_train_help_lists_the_contract_flags(tmp_path):
    """python -m nnstudio train --help documents the stable flags."""
    r = run_module(tmp_path, "train", "--help")
    assert r.code == 0
    for flag in ("--dataset", "--hidden", "--activation", "--output-activation", "--loss", "--lr", "--momentum",
                 "--batch-size", "--epochs", "--steps", "--seed", "--normalize", "--init", "--test-fraction",
                 "--export", "--json", "--target", "--task"):
        assert flag in r.out


def test_diverging_run_stops_exports_the_last_finite_weights_and_exits_3(tmp_path):
    """A learning rate that blows the loss up: exit 3, one stderr line naming the cycle, finite weights exported."""
    out = tmp_path / "keep.npz"
    out.write_bytes(b"old")
    r = run_module(tmp_path, "train", "--activation", "relu", "--output-activation", "linear",
                   "--lr", "1e300", "--steps", "50", "--export", "keep.npz")
    assert r.code == 3, r.err
    lines = r.err.splitlines()
    assert len(lines) == 1 and "diverged at cycle" in lines[0] and "learning rate" in lines[0]
    assert "Traceback" not in r.err
    model = load_weights(out)
    assert model.network.is_finite()


def test_cli_path_never_imports_qt(tmp_path):
    """Training through the CLI (and through python -m nnstudio train) never imports PySide6."""
    direct = subprocess.run(
        [sys.executable, "-c",
         "import sys; from nnstudio.cli import main; assert main(['train','--steps','5']) == 0; "
         "assert 'PySide6' not in sys.modules"],
        cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=60,
    )
    assert direct.returncode == 0, direct.stderr
    via_main = run_without_qt(tmp_path, "train", "--steps", "5")
    assert via_main.code == 0, via_main.err
    assert "train loss" in via_main.out


# -- regression on real scales and divergence ------------------------------------------------------
def _prices_csv(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """House prices: price = 1e5·rooms + 3e5 exactly; age is noise. Returns the file and its rows."""
    rng = np.random.default_rng(11)
    rows = np.column_stack([rng.uniform(0, 10, 300), rng.uniform(0, 50, 300)])
    rows = np.column_stack([rows, 1e5 * rows[:, 0] + 3e5])
    return write_csv(tmp_path / "prices.csv", ["rooms", "age", "price"], rows.tolist()), rows


def _predict(cli, weights: Path, data: Path) -> np.ndarray:
    r = cli("predict", "--weights", weights, "--input", data)
    assert r.code == 0, r.err
    return np.loadtxt(r.out.splitlines()[1:], delimiter=",", ndmin=1)


def test_house_prices_train_at_the_default_rate_and_predict_in_dollars(cli, tmp_path):
    """Targets ~1e5 with every default (2-4-1, lr 0.5): a small standardised loss, and predict gives prices."""
    data, rows = _prices_csv(tmp_path)
    r = cli("train", "--dataset", data, "--export", tmp_path / "p.npz", "--json")
    assert r.code == 0, r.err
    assert "standardised" in r.out and r.json["train_loss"] < 0.01 and r.json["test_loss"] < 0.01
    prices = _predict(cli, tmp_path / "p.npz", data)
    errors, spread = prices - rows[:, 2], rows[:, 2].std()
    assert np.sqrt(np.mean(errors**2)) < 0.03 * spread and np.abs(errors).max() < 0.1 * spread


def test_a_linear_model_of_house_prices_exports_the_line_itself(cli, tmp_path):
    """No hidden layer: the exported network is price = 1e5·rooms + 3e5 in dollars, to 1e-6 relative."""
    data, rows = _prices_csv(tmp_path)
    r = cli("train", "--dataset", data, "--hidden", "", "--epochs", "200", "--export", tmp_path / "line.json")
    assert r.code == 0, r.err
    prices = _predict(cli, tmp_path / "line.json", data)
    np.testing.assert_allclose(prices, rows[:, 2], rtol=1e-6)
    model = load_weights(tmp_path / "line.json")
    mean, std = model.normalizer.mean, model.normalizer.std
    W, b = model.network.weights[0][:, 0] / std, model.network.biases[0][0] - (model.network.weights[0][:, 0] * mean / std).sum()
    np.testing.assert_allclose(W, [1e5, 0.0], atol=1e-1)
    assert b == pytest.approx(3e5, rel=1e-6)


def test_init_from_a_regression_weights_file_goes_on_in_the_same_units(cli, tmp_path):
    """--init of a price model and lr 0: the re-exported weights predict the same prices (the scaling round-trips)."""
    data, _ = _prices_csv(tmp_path)
    assert cli("train", "--dataset", data, "--steps", "300", "--export", tmp_path / "a.npz").code == 0
    r = cli("train", "--dataset", data, "--init", tmp_path / "a.npz", "--lr", "0", "--steps", "5",
            "--export", tmp_path / "b.npz")
    assert r.code == 0, r.err
    np.testing.assert_allclose(_predict(cli, tmp_path / "b.npz", data), _predict(cli, tmp_path / "a.npz", data),
                               rtol=1e-12)


def test_a_runaway_rate_says_no_sane_cycle_followed_the_first_and_writes_the_initial_weights(cli, tmp_path):
    """plane at --lr 1e6: the loss runs away at cycle 1; the initial weights are written, and the line says so."""
    r = cli("train", "--dataset", "plane", "--lr", "1e6", "--export", tmp_path / "w.npz")
    assert r.code == 3
    lines = r.err.splitlines()
    assert len(lines) == 1 and "diverged at cycle 1" in lines[0] and "ran away" in lines[0]
    assert "no checkpoint after cycle 0 had a sane loss" in lines[0] and "initial weights" in lines[0]
    # The same run with lr 0 keeps its initial weights: the file must hold exactly those.
    assert cli("train", "--dataset", "plane", "--lr", "0", "--steps", "1", "--export", tmp_path / "init.npz").code == 0
    written, initial = load_weights(tmp_path / "w.npz").network.flat, load_weights(tmp_path / "init.npz").network.flat
    assert np.array_equal(written, initial)


def test_a_slow_divergence_writes_the_weights_of_the_cycle_it_reports(cli, tmp_path):
    """plane, linear model, lr 0.92: it runs away at cycle 242; cycle 64 is the last sane checkpoint, and
    the exported weights and the history are exactly those of a run stopped at cycle 64."""
    common = ("train", "--dataset", "plane", "--hidden", "", "--batch-size", "full", "--lr", "0.92")
    r = cli(*common, "--steps", "3200", "--export", tmp_path / "w.npz", "--history", tmp_path / "h.csv")
    assert r.code == 3
    assert "diverged at cycle 242" in r.err and "went back to cycle 64" in r.err
    assert cli(*common, "--steps", "64", "--export", tmp_path / "ref.npz", "--history", tmp_path / "ref.csv").code == 0
    assert np.array_equal(load_weights(tmp_path / "w.npz").network.flat, load_weights(tmp_path / "ref.npz").network.flat)
    history = (tmp_path / "h.csv").read_text().splitlines()
    assert history[-1].split(",")[0] == "64"
    batch_losses = [line.split(",")[1] for line in history[1:] if line.split(",")[1]]
    reference = [line.split(",")[1] for line in (tmp_path / "ref.csv").read_text().splitlines()[1:] if line.split(",")[1]]
    assert batch_losses == reference and all(math.isfinite(float(v)) for v in batch_losses)
    train_loss = float(history[-1].split(",")[2])
    assert train_loss < 10  # a sane loss: within ten times that of predicting the mean
