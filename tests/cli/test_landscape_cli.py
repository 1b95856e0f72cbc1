"""``nnstudio landscape``: train as train does, then the loss around the final weights."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from support.cli import run_module

TRAIN_KEYS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "cycles", "epochs")


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _training_split(seed: int, test_fraction: float = 0.2):
    """The xor training rows, standardised with their own mean and std, as train's experiment sees them."""
    from nnstudio.engine.data.datasets import load_named, train_test_split

    data = load_named("xor", seed=seed)
    train_idx, _ = train_test_split(data, test_fraction, seed)
    X = data.X[train_idx]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, data.y[train_idx].reshape(-1, 1).astype(float)


def _mse_2_4_1(params, X, Y):
    """The 2-4-1 sigmoid network's MSE for a flat parameter vector W0, b0, W1, b1, written out."""
    W0, b0 = params[:8].reshape(2, 4), params[8:12]
    W1, b1 = params[12:16].reshape(4, 1), params[16:17]
    out = _sigmoid(_sigmoid(X @ W0 + b0) @ W1 + b1)
    return float(np.mean((out - Y) ** 2))


def test_training_is_trains_and_the_map_is_centred_on_its_weights(cli, tmp_path):
    """Same numbers as train; the CSV's (0, 0) is the final training loss; the grid is what was asked."""
    args = ["--dataset", "xor", "--lr", "2", "--steps", "600", "--seed", "1"]
    trained = cli("train", *args, "--json")
    map_csv = tmp_path / "map.csv"
    r = cli("landscape", *args, "--directions", "random", "--grid", "5", "--span", "0.5", "--csv", map_csv, "--json")
    assert r.code == 0, r.err
    for key in TRAIN_KEYS:
        assert r.json[key] == trained.json[key]
    with map_csv.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["alpha", "beta", "loss"]
    grid = np.array(rows[1:], dtype=float)
    assert grid.shape == (25, 3)
    expected_axis = np.linspace(-0.5, 0.5, 5)
    assert np.array_equal(grid[:5, 0], expected_axis) and np.array_equal(grid[::5, 1], expected_axis)
    centre = grid[(grid[:, 0] == 0) & (grid[:, 1] == 0), 2]
    assert centre == pytest.approx(trained.json["train_loss"], rel=1e-12)
    summary = r.json["landscape"]
    assert summary["directions"] == "random" and summary["grid"] == 5
    assert summary["min_loss"] == grid[:, 2].min() and summary["max_loss"] == grid[:, 2].max()
    assert summary["final_loss"] == pytest.approx(trained.json["train_loss"], rel=1e-12)
    assert summary["share_lower"] == pytest.approx(np.mean(grid[:, 2] < summary["final_loss"]))


def test_random_directions_map_the_loss_a_plain_network_computes(cli, tmp_path):
    """Each point's loss is the MSE of θ + α·d1 + β·d2 worked out here from the exported weights
    and the engine's documented filter-normalised directions."""
    from nnstudio.engine.explain.landscape import random_plane

    weights, map_csv = tmp_path / "w.json", tmp_path / "map.csv"
    r = cli("landscape", "--dataset", "xor", "--lr", "2", "--steps", "400", "--seed", "2", "--normalize", "standard",
            "--directions", "random", "--grid", "3", "--span", "1", "--csv", map_csv, "--export", weights)
    assert r.code == 0, r.err
    model = json.loads(weights.read_text())
    # The export folds the input standardisation out of the weights only for regression; xor is classification.
    theta = np.concatenate([np.ravel(model["W0"]), model["b0"], np.ravel(model["W1"]), model["b1"]])
    plane = random_plane((2, 4, 1), theta, seed=2)
    X, Y = _training_split(seed=2)
    with map_csv.open(newline="") as handle:
        grid = np.array(list(csv.reader(handle))[1:], dtype=float)
    for alpha, beta, loss in grid:
        expected = _mse_2_4_1(theta + alpha * plane.axes[0] + beta * plane.axes[1], X, Y)
        assert loss == pytest.approx(expected, rel=1e-9), (alpha, beta)


def test_pca_directions_follow_the_path_and_say_how_much_they_explain(cli, tmp_path):
    picture = tmp_path / "map.png"
    r = cli("landscape", "--dataset", "xor", "--lr", "2", "--epochs", "60", "--grid", "21", "--png", picture, "--json")
    assert r.code == 0, r.err
    summary = r.json["landscape"]
    assert summary["directions"] == "pca"
    first, second = summary["explained_variance"]
    assert 0 < second <= first and first + second <= 1 + 1e-12
    assert "the two directions explain" in r.out and "101 snapshots" in r.out
    low, high = summary["alpha_range"]
    assert low < 0 < high  # the final weights are inside the map
    assert summary["min_loss"] <= summary["final_loss"] <= summary["max_loss"]
    QImage = pytest.importorskip("PySide6.QtGui", reason="needs PySide6: Qt's PNG reader checks the figure").QImage

    image = QImage(str(picture))
    assert not image.isNull() and image.width() > 21 * 19 and image.height() > 21 * 19


def test_the_cut_starts_before_the_last_update_and_ends_after_it(cli):
    """t = 1 is the final training loss; t = 0 the loss of the weights one update earlier (train --steps N−1)."""
    args = ["--dataset", "xor", "--lr", "2", "--steps", "300", "--batch-size", "full"]
    r = cli("landscape", *args, "--cut", "--json")
    assert r.code == 0, r.err
    cut = r.json["cut"]
    at = dict(zip(cut["t"], cut["loss"]))
    assert at[1.0] == pytest.approx(r.json["train_loss"], rel=1e-12)
    before = cli("train", "--dataset", "xor", "--lr", "2", "--steps", "299", "--batch-size", "full", "--json")
    assert at[0.0] == pytest.approx(before.json["train_loss"], rel=1e-12)
    assert cut["lowest_loss"] <= min(v for v in cut["loss"] if v is not None)
    assert "loss along the last update" in r.out and "  t  1.00  loss" in r.out


@pytest.mark.parametrize("args", [["--lr", "0"], ["--steps", "1"]])
def test_pca_falls_back_to_random_directions_with_a_note(cli, args):
    r = cli("landscape", "--steps", "20", *args, "--grid", "5", "--json")
    assert r.code == 0, r.err
    notes = r.err.splitlines()
    assert len(notes) == 1 and "no PCA directions" in notes[0] and "random directions" in notes[0]
    assert r.json["landscape"]["directions"] == "random"


def test_a_diverging_run_stops_as_train_does(cli, tmp_path):
    r = cli("landscape", "--dataset", "plane", "--lr", "1000", "--steps", "500", "--csv", tmp_path / "map.csv")
    assert r.code == 3
    assert r.err.startswith("nnstudio landscape: training diverged at cycle") and len(r.err.splitlines()) == 1
    assert not (tmp_path / "map.csv").exists()


BAD_LANDSCAPE_CASES = {
    "grid of one": (["--grid", "1"], ["--grid", "2"]),
    "grid too fine": (["--grid", "5000"], ["--grid", "1001"]),
    "zero span": (["--span", "0"], ["--span"]),
    "negative span": (["--span", "-1"], ["--span"]),
    "infinite span": (["--span", "inf"], ["--span"]),
    "unknown directions": (["--directions", "diagonal"], ["--directions", "diagonal"]),
    "negative seed": (["--seed", "-1"], ["seed"]),
    "missing csv folder": (["--csv", "nowhere/m.csv"], ["--csv", "nowhere"]),
    "missing png folder": (["--png", "nowhere/m.png"], ["--png", "nowhere"]),
    "bad delta rule": (["--delta-rule", "add"], ["--delta-rule", "add"]),
}


@pytest.mark.parametrize("case", sorted(BAD_LANDSCAPE_CASES))
def test_bad_landscape_input_exits_2_with_one_line(refused_before_training, case):
    refused_before_training("landscape", *BAD_LANDSCAPE_CASES[case])


def test_train_takes_the_delta_rule_too(cli):
    """--delta-rule accumulate is named in the network line and changes the run; set is the default."""
    default = cli("train", "--steps", "200", "--lr", "2", "--json")
    explicit = cli("train", "--steps", "200", "--lr", "2", "--delta-rule", "set", "--json")
    accumulate = cli("train", "--steps", "200", "--lr", "2", "--delta-rule", "accumulate", "--json")
    assert default.json == {**explicit.json, "seconds": default.json["seconds"]}
    assert accumulate.json["train_loss"] != default.json["train_loss"]
    assert "delta rule accumulate" in accumulate.out and "delta rule" not in default.out


def test_python_m_nnstudio_landscape_runs(tmp_path):
    r = run_module(tmp_path, "landscape", "--steps", "50", "--grid", "7", "--png", "map.png")
    assert r.code == 0, r.err
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
