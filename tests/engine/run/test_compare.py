"""Comparing runs that differ in one setting: the engine API the CLI and the window share."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from nnstudio.engine.data.datasets import load_named
from nnstudio.engine.io.formats import ModelFile
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.compare import MAX_RUNS, VARY_FLAGS, compare_runs, format_setting, iter_compare, plan_runs
from nnstudio.engine.run.compare_curves import curves_table, write_curves_csv
from nnstudio.engine.run.experiment import Experiment
from nnstudio.engine.run.single_run import RunConfig, make_experiment, train_run


@pytest.fixture(scope="module")
def moons():
    return load_named("moons", n_samples=80, noise=0.2, seed=0)


def _by_hand(dataset, lr: float, cycles: int, seed: int = 0) -> Experiment:
    """The run as one would build it without the comparison: spec, seeded weights, experiment, cycles."""
    spec = NetworkSpec.build(2, (4,), 1, "sigmoid", "sigmoid", "mse")
    network = Network.from_spec(spec, seed=seed)
    experiment = Experiment(dataset, network, test_fraction=0.25, split_seed=seed,
                            hyper=Hyperparameters(learning_rate=lr), batch_size=8, seed=seed)
    experiment.trainer.step_cycle(cycles)
    return experiment


def test_each_run_is_the_run_built_by_hand_with_that_value(moons):
    """Same data, split, initial weights and batch order: only the learning rate differs, bit for bit."""
    base = RunConfig(batch_size=8, steps=150, test_fraction=0.25)
    summaries = compare_runs(base, "lr", [0.2, 1.0, 3.0], moons)
    assert [s.label for s in summaries] == ["lr=0.2", "lr=1", "lr=3"]
    for summary, lr in zip(summaries, (0.2, 1.0, 3.0)):
        expected = _by_hand(moons, lr, 150).trainer.evaluate(record=False)
        assert summary.cycles == 150 and summary.diverged_at is None
        assert summary.train_loss == expected.train_loss and summary.test_loss == expected.test_loss
        assert summary.train_accuracy == expected.train_accuracy
        assert summary.test_accuracy == expected.test_accuracy
        assert summary.gap == expected.test_loss - expected.train_loss
    assert len({s.train_loss for s in summaries}) == 3  # the learning rate did make a difference


def test_runs_that_cannot_differ_are_identical(moons):
    """Without a hidden layer there is no hidden delta to accumulate: both rules give the same run."""
    set_run, accumulate_run = compare_runs(RunConfig(hidden=(), steps=80), "delta-rule", ["set", "accumulate"], moons)
    assert set_run.train_loss == accumulate_run.train_loss
    assert np.array_equal(set_run.curve, accumulate_run.curve)


def test_varying_the_seed_draws_each_runs_data_from_its_seed():
    drawn = []

    def data(seed):
        drawn.append(seed)
        return load_named("xor", n_samples=60, seed=seed)

    summaries = compare_runs(RunConfig(steps=40), "seed", [3, 5], data)
    assert drawn == [3, 5]
    for summary, seed in zip(summaries, (3, 5)):
        experiment = make_experiment(RunConfig(steps=40, seed=seed), load_named("xor", n_samples=60, seed=seed))
        experiment.trainer.step_cycle(40)
        assert summary.train_loss == experiment.trainer.evaluate(record=False).train_loss


def test_a_run_that_diverges_is_reported_with_its_last_sane_checkpoint():
    plane = load_named("plane", n_samples=80, seed=0)
    calm, wild = compare_runs(RunConfig(steps=300), "lr", [0.1, 1000.0], plane)
    assert calm.diverged_at is None and calm.cycles == 300
    assert wild.diverged_at is not None and wild.cycles <= wild.diverged_at
    assert np.isfinite(wild.train_loss) and wild.to_dict()["diverged"] is True


def test_batch_sizes_with_epochs_run_their_own_cycle_counts(moons):
    """--epochs 3 with batch 8 and the whole split: 3·ceil(60/8) and 3 cycles; the table has every cycle."""
    small, full = compare_runs(RunConfig(epochs=3, test_fraction=0.25), "batch-size", [8, None], moons)
    assert (small.cycles, full.cycles) == (24, 3)
    assert (small.label, full.label) == ("batch-size=8", "batch-size=full")
    header, rows = curves_table([small, full])
    assert header == ["cycle", "train_loss batch-size=8", "train_loss batch-size=full",
                      "test_loss batch-size=8", "test_loss batch-size=full"]
    assert [row[0] for row in rows] == sorted({8, 16, 24} | {1, 2, 3})
    full_points = {int(c): (tr, te) for c, tr, te in full.curve}
    for row in rows:
        if row[0] in full_points:
            assert (row[2], row[4]) == full_points[row[0]]
        else:
            assert row[2] is None and row[4] is None


def test_curves_csv_reads_back_the_curves(tmp_path, moons):
    summaries = compare_runs(RunConfig(steps=60, batch_size=8), "noise", [0.0, 0.5], moons)
    path = tmp_path / "curves.csv"
    write_curves_csv(path, summaries)
    with path.open(newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["cycle", "train_loss noise=0", "train_loss noise=0.5", "test_loss noise=0",
                        "test_loss noise=0.5"]
    values = np.array(table[1:], dtype=float)
    for k, summary in enumerate(summaries):
        assert np.array_equal(values[:, 0], summary.curve[:, 0])
        assert np.array_equal(values[:, 1 + k], summary.curve[:, 1])
        assert np.array_equal(values[:, 3 + k], summary.curve[:, 2])
    assert not np.array_equal(values[:, 1], values[:, 2])  # the noise changed the run


def test_train_run_snapshots_are_the_weights_at_their_cycles(moons):
    """The trajectory holds the parameters a plain step-by-step run has at the same cycles; chunking changes nothing."""
    config = RunConfig(batch_size=8, steps=250)
    experiment = make_experiment(config, moons)
    outcome = train_run(experiment.trainer, 250, snapshots=10)
    assert outcome.rollback is None
    assert list(outcome.trajectory_cycles) == [0, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250]
    plain = make_experiment(config, moons)
    for row, cycle in zip(outcome.trajectory, outcome.trajectory_cycles):
        plain.trainer.step_cycle(int(cycle) - plain.trainer.cycle)
        assert np.array_equal(row, plain.network.flat)
    assert np.array_equal(experiment.network.flat, plain.network.flat)


def test_a_weights_file_fixes_the_start_and_the_architecture(moons):
    trained = _by_hand(moons, 1.0, 100)
    model = ModelFile(trained.network.copy(), trained.normalizer)
    summaries = compare_runs(RunConfig(init=model, steps=1, hidden=(99,), test_fraction=0.25), "lr", [0.0], moons)
    assert summaries[0].train_loss == pytest.approx(trained.trainer.evaluate(record=False).train_loss, rel=1e-12)
    with pytest.raises(ValueError, match="cannot vary hidden .*weights file"):
        compare_runs(RunConfig(init=model), "hidden", [(2,), (3,)], moons)


@pytest.mark.parametrize("flag, values, words", [
    ("speed", [1, 2], "cannot vary 'speed'"),
    ("lr", [0.1] * 0, "1 to 8 values"),
    ("lr", [0.1 * k for k in range(1, MAX_RUNS + 2)], "1 to 8 values"),
    ("lr", [0.5, 0.5], "lr=0.5 is given twice"),
    ("lr", [0.5, -1.0], "lr=-1: learning rate"),
    ("momentum", [0.0, 1.0], "momentum=1: momentum must be below 1"),
    ("activation", ["sigmoid", "softmax"], "activation=softmax"),
    ("delta-rule", ["set", "add"], "delta-rule=add"),
    ("hidden", [(4,), (0,)], "hidden=0"),
    ("batch-size", [0], "batch-size=0"),
])
def test_a_bad_value_is_named_before_anything_trains(moons, flag, values, words):
    progress = []
    with pytest.raises(ValueError, match=words):
        list(iter_compare(RunConfig(steps=5), flag, values, moons, progress=lambda *a: progress.append(a)))
    assert progress == []


def test_every_flag_can_be_varied(moons):
    examples = {"lr": [0.1, 0.2], "momentum": [0.0, 0.5], "l1": [0.0, 0.01], "l2": [0.0, 0.01], "noise": [0.0, 0.1],
                "noise-decay": [0.0, 1.0], "seed": [0, 1], "activation": ["sigmoid", "tanh"],
                "hidden": [(2,), (3, 3)], "batch-size": [4, None], "delta-rule": ["set", "accumulate"]}
    assert set(examples) == set(VARY_FLAGS)
    for flag, values in examples.items():
        planned = plan_runs(RunConfig(steps=2), flag, values, moons)
        assert [run.label for run in planned] == [f"{flag}={format_setting(flag, v)}" for v in values]
    shapes = [run.experiment.network.spec.sizes for run in plan_runs(RunConfig(), "hidden", [(2,), (3, 3), ()], moons)]
    assert shapes == [(2, 2, 1), (2, 3, 3, 1), (2, 1)]


def test_progress_is_told_each_runs_cycles(moons):
    told = []
    compare_runs(RunConfig(steps=120), "lr", [0.5, 1.0], moons, progress=lambda *a: told.append(a))
    assert told[-1] == (1, 120, 120) and {run for run, _, _ in told} == {0, 1}
    assert all(done <= total for _, done, total in told)


def test_summary_json_has_no_nan():
    regression = load_named("plane", n_samples=40, seed=0)
    (summary,) = compare_runs(RunConfig(steps=10, test_fraction=0.0), "lr", [0.5], regression)
    as_dict = summary.to_dict()
    assert as_dict["test_loss"] is None and as_dict["train_accuracy"] is None and as_dict["gap"] is None
    assert as_dict["value"] == 0.5 and as_dict["cycles"] == 10
