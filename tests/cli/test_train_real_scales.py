"""``nnstudio train`` on targets of real scale (house prices in dollars), and the weights a diverged run writes."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from support.cli import write_csv

from nnstudio.engine.io.formats import load_weights


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
    W, b = (
        model.network.weights[0][:, 0] / std,
        model.network.biases[0][0] - (model.network.weights[0][:, 0] * mean / std).sum(),
    )
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
    assert np.array_equal(
        load_weights(tmp_path / "w.npz").network.flat, load_weights(tmp_path / "ref.npz").network.flat
    )
    history = (tmp_path / "h.csv").read_text().splitlines()
    assert history[-1].split(",")[0] == "64"
    batch_losses = [line.split(",")[1] for line in history[1:] if line.split(",")[1]]
    reference = [
        line.split(",")[1] for line in (tmp_path / "ref.csv").read_text().splitlines()[1:] if line.split(",")[1]
    ]
    assert batch_losses == reference and all(math.isfinite(float(v)) for v in batch_losses)
    train_loss = float(history[-1].split(",")[2])
    assert train_loss < 10  # a sane loss: within ten times that of predicting the mean
