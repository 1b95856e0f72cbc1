"""``nnstudio compare``: one run per value of one flag, a table, curves as CSV and PNG."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from support.cli import assert_usage_error, run_without_qt, three_class_rows, write_csv

RESULT_KEYS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy", "cycles", "epochs")


def test_each_row_is_what_train_gives_with_that_value(cli):
    """compare --vary lr=... and train --lr ... give the same numbers, run for run."""
    common = ["--dataset", "moons", "--samples", "100", "--steps", "200", "--seed", "4"]
    r = cli("compare", "--vary", "lr=0.1,0.5,2", *common, "--json")
    assert r.code == 0, r.err
    runs = r.json["runs"]
    assert r.json["flag"] == "lr" and [run["label"] for run in runs] == ["lr=0.1", "lr=0.5", "lr=2"]
    for run, lr in zip(runs, ("0.1", "0.5", "2")):
        trained = cli("train", "--lr", lr, *common, "--json")
        assert trained.code == 0, trained.err
        for key in RESULT_KEYS:
            assert run[key] == trained.json[key], (lr, key)
        assert run["gap"] == pytest.approx(run["test_loss"] - run["train_loss"], abs=0)
        assert run["diverged"] is False


def test_the_table_names_what_differs_and_has_one_row_a_value(cli):
    r = cli("compare", "--vary", "activation=sigmoid,tanh,relu", "--steps", "50")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert "3 runs of activation (hidden activation)" in r.out
    assert "--activation" not in lines[1]  # the shared settings leave out the varied one
    header = next(i for i, line in enumerate(lines) if line.startswith("activation "))
    assert lines[header].split() == ["activation", "train", "loss", "test", "loss", "gap", "train", "acc", "test",
                                     "acc", "diverged", "cycles"]
    rows = lines[header + 1 : header + 4]
    assert [row.split()[0] for row in rows] == ["sigmoid", "tanh", "relu"]
    assert all(row.split()[-2:] == ["no", "50"] for row in rows)


def test_a_diverging_value_is_marked_in_its_row(cli):
    r = cli("compare", "--dataset", "plane", "--vary", "lr=0.1,1000", "--steps", "300", "--json")
    assert r.code == 0, r.err
    calm, wild = r.json["runs"]
    assert calm["diverged"] is False and wild["diverged"] is True and wild["diverged_at"] >= 1
    row = next(line for line in r.out.splitlines() if line.startswith("1000 "))
    assert f"at {wild['diverged_at']}" in row


def test_varying_the_seed_matches_train_with_each_seed(cli):
    """Each seed draws its own data, split, weights and order, as train --seed does."""
    r = cli("compare", "--vary", "seed=1,2", "--steps", "100", "--json")
    assert r.code == 0, r.err
    assert "each seed draws its own" in r.out
    for run, seed in zip(r.json["runs"], (1, 2)):
        trained = cli("train", "--seed", seed, "--steps", "100", "--json")
        assert run["train_loss"] == trained.json["train_loss"]
        assert run["test_accuracy"] == trained.json["test_accuracy"]


def test_hidden_values_join_layers_with_a_dash(cli):
    r = cli("compare", "--vary", "hidden=2,3-3,none", "--steps", "20", "--json")
    assert r.code == 0, r.err
    assert [run["value"] for run in r.json["runs"]] == [[2], [3, 3], []]
    assert [run["label"] for run in r.json["runs"]] == ["hidden=2", "hidden=3-3", "hidden=none"]


def test_csv_holds_the_loss_curves_that_train_history_records(cli, tmp_path):
    """The train_loss column of a run is train --history's train_loss at the same cycles."""
    curves = tmp_path / "curves.csv"
    r = cli("compare", "--vary", "noise=0,0.2", "--steps", "400", "--csv", curves)
    assert r.code == 0, r.err
    assert f"loss curves written to {curves}" in r.out
    with curves.open(newline="") as handle:
        table = list(csv.DictReader(handle))
    assert list(table[0]) == ["cycle", "train_loss noise=0", "train_loss noise=0.2", "test_loss noise=0",
                              "test_loss noise=0.2"]
    history = tmp_path / "history.csv"
    assert cli("train", "--noise", "0.2", "--steps", "400", "--history", history).code == 0
    with history.open(newline="") as handle:
        evaluated = {row["cycle"]: row for row in csv.DictReader(handle) if row["train_loss"]}
    assert [row["cycle"] for row in table] == list(evaluated)
    for row in table:
        assert float(row["train_loss noise=0.2"]) == float(evaluated[row["cycle"]]["train_loss"])
        assert float(row["test_loss noise=0.2"]) == float(evaluated[row["cycle"]]["test_loss"])


def test_png_is_a_picture_any_decoder_reads(cli, tmp_path):
    """Qt's own PNG reader opens the figure; each run's colour is on it."""
    QImage = pytest.importorskip("PySide6.QtGui", reason="needs PySide6: Qt's PNG reader checks the figure").QImage

    from nnstudio.engine.io.raster_charts import SERIES_COLORS

    picture = tmp_path / "curves.png"
    r = cli("compare", "--vary", "lr=0.5,2", "--steps", "300", "--png", picture)
    assert r.code == 0, r.err
    image = QImage(str(picture))
    assert not image.isNull() and (image.width(), image.height()) == (720, 440)
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    pixels = pixels[:, : 3 * image.width()].reshape(image.height(), image.width(), 3)
    for color in SERIES_COLORS[:2]:
        assert (pixels == color).all(axis=2).sum() > 200
    assert not (pixels == SERIES_COLORS[2]).all(axis=2).any()


def test_more_than_four_runs_are_not_drawn_but_still_compared(cli, tmp_path):
    picture = tmp_path / "curves.png"
    r = cli("compare", "--vary", "lr=0.1,0.2,0.3,0.4,0.5", "--steps", "5", "--png", picture)
    assert_usage_error(r, "--png", "at most 4")
    assert not picture.exists()
    r = cli("compare", "--vary", "lr=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8", "--steps", "5")
    assert r.code == 0, r.err


def test_a_csv_dataset_is_compared_as_train_reads_it(cli, tmp_path):
    data = write_csv(tmp_path / "blobs.csv", ["x1", "x2", "kind"], three_class_rows())
    r = cli("compare", "--dataset", data, "--vary", "batch-size=5,full", "--epochs", "2", "--json")
    assert r.code == 0, r.err
    assert [run["cycles"] for run in r.json["runs"]] == [20, 2]
    assert "dataset blobs: 48 train / 12 test rows, 2 features, classification (3 classes)" in r.out


def test_the_seed_authors_question_on_the_xor_data(cli):
    """The README's run: accumulating deltas leaves XOR unlearnt where setting them learns it (seed 0)."""
    r = cli("compare", "--dataset", "xor", "--vary", "delta-rule=set,accumulate", "--lr", "2", "--epochs", "200",
            "--json")
    assert r.code == 0, r.err
    set_run, accumulate_run = r.json["runs"]
    assert set_run["train_accuracy"] == 1.0 and set_run["train_loss"] < 1e-3
    assert accumulate_run["train_accuracy"] < 0.8 and accumulate_run["train_loss"] > 0.15


BAD_COMPARE_CASES = {
    "no vary": ([], ["--vary"]),
    "no equals sign": (["--vary", "lr"], ["lr", "FLAG=V1,V2"]),
    "unknown flag": (["--vary", "speed=1,2"], ["speed"]),
    "empty value": (["--vary", "lr=0.1,,2"], ["lr", "commas"]),
    "not a number": (["--vary", "lr=0.1,fast"], ["--vary lr", "fast"]),
    "negative noise": (["--vary", "noise=0,-1"], ["--vary noise", "-1"]),
    "momentum of one": (["--vary", "momentum=0,1"], ["momentum=1", "below 1"]),
    "unknown activation": (["--vary", "activation=tanh,swish"], ["--vary activation", "swish"]),
    "bad hidden": (["--vary", "hidden=4,4-x"], ["--vary hidden"]),
    "bad batch size": (["--vary", "batch-size=10,half"], ["--vary batch-size", "half"]),
    "bad delta rule": (["--vary", "delta-rule=set,add"], ["--vary delta-rule", "add"]),
    "duplicate value": (["--vary", "lr=0.5,0.50"], ["lr=0.5", "twice"]),
    "too many values": (["--vary", "seed=1,2,3,4,5,6,7,8,9"], ["at most 8"]),
    "flag given twice": (["--vary", "lr=0.1,2", "--lr", "0.3"], ["--lr", "--vary lr"]),
    "flag given twice, abbreviated": (["--vary", "momentum=0,0.5", "--mom", "0.3"], ["--momentum"]),
    "missing csv folder": (["--vary", "lr=0.1,2", "--csv", "nowhere/c.csv"], ["--csv", "nowhere"]),
    "missing png folder": (["--vary", "lr=0.1,2", "--png", "nowhere/c.png"], ["--png", "nowhere"]),
    "unknown dataset": (["--vary", "lr=0.1,2", "--dataset", "xorr"], ["xorr"]),
}


@pytest.mark.parametrize("case", sorted(BAD_COMPARE_CASES))
def test_bad_compare_input_exits_2_with_one_line(refused_before_training, case):
    refused_before_training("compare", *BAD_COMPARE_CASES[case])


def test_varying_the_architecture_of_a_weights_file_is_refused(cli, tmp_path):
    weights = tmp_path / "w.npz"
    assert cli("train", "--steps", "5", "--export", weights).code == 0
    assert_usage_error(cli("compare", "--init", weights, "--vary", "hidden=2,8", "--steps", "3"), "hidden",
                       "weights file")
    r = cli("compare", "--init", weights, "--vary", "lr=0,1", "--steps", "3", "--json")
    assert r.code == 0, r.err


def test_python_m_nnstudio_compare_runs_without_qt(tmp_path):
    """The command as a real process: dispatched to the CLI, and no Qt module is loaded on the way."""
    result = run_without_qt(tmp_path, "compare", "--vary", "lr=0.5,1", "--steps", "20")
    assert result.code == 0, result.err
    assert "2 runs of lr" in result.out
