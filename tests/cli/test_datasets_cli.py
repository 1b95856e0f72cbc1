"""``nnstudio train`` on the new datasets: moons to digits, regression data, --features, and the proof runs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from support.cli import assert_usage_error, run_module, write_csv

from nnstudio.engine.data.datasets import DATASET_NAMES, FEATURES, generate
from nnstudio.engine.io.formats import load_weights

# The commands in the README: each reaches its accuracy from a fixed seed.
IRIS = ["train", "--dataset", "iris", "--hidden", "8", "--lr", "1", "--batch-size", "10", "--epochs", "200",
        "--seed", "1", "--json"]
DIGITS = ["train", "--dataset", "digits", "--hidden", "32", "--activation", "tanh", "--output-activation", "softmax",
          "--loss", "cross_entropy", "--lr", "0.1", "--batch-size", "32", "--epochs", "40", "--seed", "0", "--json"]
DIGITS_SIGMOID_MSE = ["train", "--dataset", "digits", "--hidden", "32", "--lr", "2", "--batch-size", "32",
                      "--epochs", "60", "--seed", "0", "--json"]


def _meta(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as archive:
        return json.loads(str(archive["meta"]))


# -- every name ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", DATASET_NAMES)
def test_every_dataset_name_trains(cli, name):
    """Each name in DATASET_NAMES trains a few cycles and says which dataset it used."""
    r = cli("train", "--dataset", name, "--steps", "3", "--json")
    assert r.code == 0, r.err
    assert r.out.startswith(f"dataset {name}: ")
    assert r.json["cycles"] == 3


def test_moons_trains_to_high_accuracy(cli):
    """--dataset moons is two-class classification that a 2-8-1 tanh network learns."""
    r = cli("train", "--dataset", "moons", "--hidden", "8", "--activation", "tanh", "--lr", "0.3", "--epochs", "200",
            "--seed", "0", "--json")
    assert r.code == 0, r.err
    assert "2 features, classification (2 classes)" in r.out
    assert r.json["train_accuracy"] > 0.95 and r.json["test_accuracy"] > 0.9


@pytest.mark.parametrize("name", ["plane", "multigauss"])
def test_regression_generators_report_null_accuracies(cli, tmp_path, name):
    """--dataset plane / multigauss is regression: a linear output, finite losses, null accuracies."""
    out = tmp_path / "reg.npz"
    r = cli("train", "--dataset", name, "--hidden", "8", "--activation", "tanh", "--lr", "0.05",
            "--epochs", "50", "--export", out, "--json")
    assert r.code == 0, r.err
    assert "regression" in r.out
    result = r.json
    assert result["train_accuracy"] is None and result["test_accuracy"] is None
    assert math.isfinite(result["train_loss"]) and math.isfinite(result["test_loss"])
    meta = _meta(out)
    assert meta["task"] == "regression" and meta["activations"][-1] == "linear" and meta["class_names"] == []


def test_plane_is_learned_by_a_linear_network(cli):
    """A network with no hidden layer fits plane's linear target down to its noise (sd 0.1, MSE ≈ 0.01)."""
    r = cli("train", "--dataset", "plane", "--hidden", "", "--lr", "0.05", "--epochs", "100", "--json")
    assert r.code == 0, r.err
    assert r.json["test_loss"] < 0.02 / generate("plane").y.var()  # the loss is on standardised targets


@pytest.mark.parametrize("name, sizes, output", [
    ("iris", [4, 4, 3], "sigmoid"), ("wine", [13, 4, 3], "sigmoid"),
    ("breast_cancer", [30, 4, 1], "sigmoid"), ("digits", [64, 4, 10], "sigmoid"),
])
def test_real_data_defaults_are_the_seeds_sigmoid_and_mse(cli, tmp_path, name, sizes, output):
    """By default a real dataset gets sigmoid outputs and MSE, one-hot for k > 2 classes, as in the seed."""
    out = tmp_path / "w.npz"
    r = cli("train", "--dataset", name, "--steps", "2", "--export", out)
    assert r.code == 0, r.err
    meta = _meta(out)
    assert meta["sizes"] == sizes and meta["activations"][-1] == output and meta["loss"] == "mse"
    assert meta["task"] == "classification"


def test_real_data_trains_with_softmax_and_cross_entropy(cli, tmp_path):
    """--output-activation softmax --loss cross_entropy works on a real 3-class dataset."""
    out = tmp_path / "wine.json"
    r = cli("train", "--dataset", "wine", "--hidden", "8", "--output-activation", "softmax", "--loss",
            "cross_entropy", "--lr", "0.1", "--epochs", "50", "--export", out, "--json")
    assert r.code == 0, r.err
    assert r.json["test_accuracy"] > 0.9
    model = load_weights(out)
    assert model.network.spec.activations[-1] == "softmax" and model.class_names == ("1", "2", "3")


# -- --features ---------------------------------------------------------------------------
def test_features_grow_the_input_layer_in_features_order(cli, tmp_path):
    """--features sin_x1,x1_squared adds two inputs: sizes[0] is 4 and the names are in FEATURES order."""
    out = tmp_path / "f.npz"
    r = cli("train", "--dataset", "circle", "--features", "sin_x1,x1_squared", "--steps", "5", "--export", out)
    assert r.code == 0, r.err
    meta = _meta(out)
    assert meta["sizes"][0] == 4
    assert meta["feature_names"] == ["x1", "x2", "x1²", "sin x1"]
    assert "4 features" in r.out


def test_all_features_give_seven_inputs(cli, tmp_path):
    """All five features on 2-D data give a 7-input network."""
    out = tmp_path / "f.npz"
    r = cli("train", "--dataset", "spiral", "--features", ",".join(FEATURES), "--steps", "2", "--export", out)
    assert r.code == 0, r.err
    assert _meta(out)["sizes"][0] == 7


def test_squared_features_let_a_network_without_hidden_layers_learn_the_circle(cli):
    """With x1² and x2² a 4-1 network separates the noiseless circle, as in TensorFlow Playground."""
    args = ["train", "--dataset", "circle", "--data-noise", "0", "--hidden", "", "--lr", "2", "--epochs", "100",
            "--seed", "0", "--json"]
    plain = cli(*args).json
    squared = cli(*args, "--features", "x1_squared,x2_squared").json
    assert plain["train_accuracy"] < 0.8
    assert squared["train_accuracy"] == 1.0 and squared["test_accuracy"] == 1.0


@pytest.mark.parametrize("value, word", [("x1_cubed", "x1_cubed"), ("x1_squared,tan_x1", "tan_x1")])
def test_bad_features_exit_2_naming_the_bad_one(cli, value, word):
    """An unknown --features name exits 2 with one line naming it and the valid names."""
    assert_usage_error(cli("train", "--dataset", "xor", "--features", value), "--features", word, "x1_squared")


def test_features_on_real_data_exit_2(cli):
    """--features with a real dataset exits 2 saying features are for generated data."""
    assert_usage_error(cli("train", "--dataset", "iris", "--features", "sin_x1"), "generated", "iris")


def test_features_on_a_csv_file_exit_2(cli, tmp_path):
    """--features with a CSV file exits 2: the features are for the generated datasets."""
    data = write_csv(tmp_path / "d.csv", ["x1", "x2", "y"], [(0.0, 1.0, 0), (1.0, 0.0, 1), (1.0, 1.0, 0)])
    assert_usage_error(cli("train", "--dataset", data, "--features", "sin_x1"), "--features", "generated")


def test_unknown_dataset_lists_every_name(cli):
    """An unknown --dataset exits 2 naming it and every dataset name."""
    r = cli("train", "--dataset", "mnist")
    assert_usage_error(r, "mnist", *DATASET_NAMES, ".csv")


def test_train_help_lists_the_datasets_and_features(cli):
    """train --help names every dataset and feature and the --features flag."""
    r = cli("train", "--help")
    assert r.code == 0
    text = " ".join(r.out.split())
    assert "--features" in text
    for word in (*DATASET_NAMES, *FEATURES):
        assert word in text


# -- the proof runs -------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "network", "at_least"),
    [
        pytest.param(IRIS, "4-8-3", 0.95, id="iris 4-8-3 sigmoid MSE"),
        pytest.param(DIGITS, "64-32-10", 0.93, id="digits 64-32-10 tanh softmax cross-entropy"),
        # even the default sigmoid outputs with one-hot MSE take a 64-32-10 net past 93% on digits
        pytest.param(DIGITS_SIGMOID_MSE, "64-32-10", 0.93, id="digits 64-32-10 sigmoid MSE"),
    ],
)
def test_readme_command_reaches_its_test_accuracy(cli, command, network, at_least):
    """Each README command trains the network it names and reaches the test accuracy it promises."""
    r = cli(*command)
    assert r.code == 0, r.err
    assert f"network {network}" in r.out
    assert r.json["test_accuracy"] >= at_least, r.json


@pytest.mark.slow
def test_module_digits_run_matches_the_in_process_run(tmp_path, cli):
    """python -m nnstudio runs the digits command to the same losses and accuracy as in-process."""
    process = run_module(tmp_path, *DIGITS, timeout=120)
    assert process.code == 0 and process.err == "", process.err
    here = cli(*DIGITS).json
    there = process.json
    assert there["test_accuracy"] >= 0.93
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "cycles"):
        assert there[key] == here[key], key
