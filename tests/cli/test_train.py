"""``nnstudio train``: results, reproducibility, exports, --init, CSV data and bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from support.cli import three_class_rows, write_csv
from support.train_runs import JSON_KEYS

from nnstudio.engine.data.datasets import generate, train_test_split
from nnstudio.engine.io.formats import load_weights


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


_ACT = {"sigmoid": _sigmoid, "tanh": np.tanh, "linear": lambda z: z, "relu": lambda z: np.maximum(z, 0.0)}


def _forward(arrays: dict, activations, X):
    """A forward pass written out here, independent of the engine."""
    a = X
    for layer, name in enumerate(activations):
        a = _ACT[name](a @ arrays[f"W{layer}"] + arrays[f"b{layer}"])
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
