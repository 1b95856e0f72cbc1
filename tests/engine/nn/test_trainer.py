"""Tests for nnstudio.engine.nn.trainer: learning, determinism, epochs and counters, history and evaluation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.small_trainers import NOISY, phases_per_cycle, random_data, sigmoid, small_trainer

from nnstudio.engine.data.datasets import generate
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


# -- learning ----------------------------------------------------------------------------


def test_2_4_1_sigmoid_net_learns_xor_truth_table():
    """A 2-4-1 sigmoid/MSE net reaches 100% accuracy on the 4-row XOR truth table."""
    net = Network.from_spec(NetworkSpec((2, 4, 1), ("sigmoid", "sigmoid")), seed=0)
    trainer = Trainer(net, XOR_X, XOR_Y, hyper=Hyperparameters(learning_rate=2.0), seed=0)
    start = trainer.evaluate(record=False)
    trainer.step_cycle(2000)
    result = trainer.evaluate()
    assert result.train_accuracy == 1.0
    assert result.train_loss < start.train_loss / 10
    assert np.max(np.abs(net.predict(XOR_X) - XOR_Y)) < 0.2


def test_2_4_1_net_learns_generated_xor_with_mini_batches():
    """generate('xor', 4, noise=0) is learned too, with batch size 2 and momentum."""
    data = generate("xor", n_samples=4, noise=0.0)
    net = Network.from_spec(NetworkSpec((2, 4, 1), ("sigmoid", "sigmoid")), seed=0)
    trainer = Trainer(net, data.X, data.targets(), hyper=Hyperparameters(learning_rate=0.5, momentum=0.9),
                      batch_size=2, seed=0)
    trainer.step_epoch(1000)
    assert trainer.evaluate().train_accuracy == 1.0


# -- determinism -------------------------------------------------------------------------


def test_same_seed_and_settings_give_identical_runs():
    """Two trainers with equal seeds, data and settings produce bit-identical weights and histories."""
    a = small_trainer(hyper=NOISY, batch_size=3, seed=11)
    b = small_trainer(hyper=NOISY, batch_size=3, seed=11)
    a.step_epoch(5)
    b.step_epoch(5)
    assert np.array_equal(a.network.flat, b.network.flat)
    for sa, sb in ((a.history.batch_loss, b.history.batch_loss), (a.history.evaluations, b.history.evaluations)):
        for xa, xb in zip(sa.arrays(), sb.arrays()):
            assert np.array_equal(xa, xb, equal_nan=True)


def _batch_inputs(trainer, n_cycles):
    inputs = []
    for _ in range(n_cycles):
        records = trainer.step_phases(phases_per_cycle(trainer))
        inputs.append(records[0].values["input"])
    return inputs


def test_different_seed_gives_a_different_batch_order():
    """Another trainer seed shuffles the rows differently; the same seed shuffles them the same."""
    same = [_batch_inputs(small_trainer(batch_size=2, seed=s), 5) for s in (1, 1, 2)]
    assert all(np.array_equal(a, b) for a, b in zip(same[0], same[1]))
    assert not all(np.array_equal(a, b) for a, b in zip(same[0], same[2]))


def test_each_epoch_visits_every_row_once():
    """One epoch of mini-batches is a permutation of the training rows, reshuffled each epoch."""
    trainer = small_trainer(batch_size=3, seed=4)
    X = trainer.X_train
    epochs = []
    for _ in range(2):
        rows = np.concatenate(_batch_inputs(trainer, trainer.cycles_per_epoch))
        assert rows.shape == X.shape
        assert sorted(map(tuple, rows)) == sorted(map(tuple, X))
        epochs.append(rows)
    assert not np.array_equal(epochs[0], epochs[1])


def test_noise_does_not_shift_the_batch_order():
    """Turning noise on changes the weights but not which rows each cycle uses."""
    quiet = _batch_inputs(small_trainer(batch_size=3, seed=6, hyper=Hyperparameters(learning_rate=0.3)), 8)
    noisy = _batch_inputs(small_trainer(batch_size=3, seed=6, hyper=Hyperparameters(learning_rate=0.3, noise=0.5)), 8)
    assert all(np.array_equal(a, b) for a, b in zip(quiet, noisy))


def test_abort_cycle_changes_nothing():
    """A cycle aborted after some phases leaves weights, counters and the next batch as they were."""
    kwargs = {"hyper": NOISY, "batch_size": 3, "seed": 8}
    aborted, plain = small_trainer(**kwargs), small_trainer(**kwargs)
    first_try = aborted.step_phases(3)
    before = aborted.network.flat.copy()
    aborted.abort_cycle()
    assert not aborted.phase_in_progress
    assert aborted.cycle == 0
    assert np.array_equal(aborted.network.flat, before)
    retry = aborted.step_phase()
    np.testing.assert_array_equal(retry.values["input"], first_try[0].values["input"])
    aborted.step_cycle(12)
    plain.step_cycle(12)
    assert np.array_equal(aborted.network.flat, plain.network.flat)


# -- epochs and counters -----------------------------------------------------------------


@pytest.mark.parametrize(("batch_size", "per_epoch"), [(None, 1), (1, 10), (3, 4), (5, 2), (9, 2), (10, 1), (50, 1)])
def test_step_epoch_counts_epochs_and_cycles(batch_size, per_epoch):
    """cycles_per_epoch = ceil(n / batch); step_epoch(k) advances epoch by k and cycle by k·that."""
    trainer = small_trainer(n=10, batch_size=batch_size)
    assert trainer.cycles_per_epoch == per_epoch == math.ceil(10 / (batch_size or 10))
    trainer.step_epoch()
    assert (trainer.epoch, trainer.cycle) == (1, per_epoch)
    trainer.step_epoch(2)
    assert (trainer.epoch, trainer.cycle) == (3, 3 * per_epoch)


def test_step_epoch_from_mid_epoch_finishes_the_current_epoch():
    """step_epoch after a partial epoch stops at the next epoch boundary."""
    trainer = small_trainer(n=10, batch_size=3)
    trainer.step_cycle(1)
    assert trainer.epoch == 0
    trainer.step_epoch()
    assert (trainer.epoch, trainer.cycle) == (1, 4)


def test_batch_size_validation():
    """Batch size below 1 is refused; at or above the data size it means full batch."""
    trainer = small_trainer(n=10)
    with pytest.raises(ValueError):
        trainer.set_batch_size(0)
    trainer.set_batch_size(10)
    assert trainer.batch_size is None
    trainer.set_batch_size(4)
    assert trainer.batch_size == 4 and trainer.cycles_per_epoch == 3


def test_trainer_refuses_data_that_does_not_fit():
    """Training data with the wrong width, wrong target shape or no rows raises ValueError."""
    net = Network.from_spec(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")))
    with pytest.raises(ValueError):
        Trainer(net, np.zeros((4, 3)), np.zeros((4, 1)))
    with pytest.raises(ValueError):
        Trainer(net, np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError):
        Trainer(net, np.zeros((0, 2)), np.zeros((0, 1)))
    with pytest.raises(ValueError):
        Trainer(net, np.zeros((4, 2)), np.zeros((4, 1)), np.zeros((2, 3)), np.zeros((2, 1)))


def test_changing_hyperparameters_mid_run_keeps_counters_weights_and_momentum():
    """set_hyperparameters changes nothing until the next update, which then uses the new settings."""
    trainer = small_trainer(hyper=Hyperparameters(learning_rate=0.3, momentum=0.9, noise=0.1), batch_size=3)
    trainer.step_cycle(6)
    state = (trainer.cycle, trainer.epoch, trainer.optimizer.steps, len(trainer.history.batch_loss))
    flat, velocity = trainer.network.flat.copy(), trainer.optimizer.velocity.copy()
    new = Hyperparameters(learning_rate=0.05, momentum=0.5, noise=0.2)
    trainer.set_hyperparameters(new)
    assert trainer.hyper == new
    assert (trainer.cycle, trainer.epoch, trainer.optimizer.steps, len(trainer.history.batch_loss)) == state
    assert np.array_equal(trainer.network.flat, flat)
    assert np.array_equal(trainer.optimizer.velocity, velocity)
    # the noise schedule's t is not reset either
    assert trainer.optimizer.noise_std() == pytest.approx(0.2 / (1 + 6) ** 0.55)
    records = trainer.step_phases(phases_per_cycle(trainer))
    grad = np.concatenate([p.ravel() for r in reversed(records[3:5]) for p in (r.values["grad_weights"],
                                                                               r.values["grad_bias"])])
    expected_velocity = 0.5 * velocity + grad
    np.testing.assert_allclose(trainer.optimizer.velocity, expected_velocity, rtol=1e-14, atol=1e-16)
    assert trainer.cycle == 7


# -- history and evaluation --------------------------------------------------------------


def test_history_has_one_batch_loss_per_cycle_and_an_evaluation_per_epoch():
    """batch_loss gets (cycle, loss before the update) every cycle; evaluations come at each epoch end."""
    trainer = small_trainer(n=10, batch_size=3)
    losses = []
    for _ in range(12):
        records = trainer.step_phases(phases_per_cycle(trainer))
        losses.append(records[2].values["loss"])
    x, values = trainer.history.batch_loss.arrays()
    np.testing.assert_array_equal(x, np.arange(12))
    np.testing.assert_array_equal(values[:, 0], losses)
    ex, ev = trainer.history.evaluations.arrays()
    np.testing.assert_array_equal(ex, [4, 8, 12])
    assert ev.shape == (3, 4)
    net = trainer.network
    assert ev[-1, 0] == pytest.approx(net.loss_value(trainer.X_train, trainer.Y_train), rel=1e-14)
    assert trainer.last_evaluation.cycle == 12


def test_eval_every_evaluates_every_n_cycles():
    """eval_every=5 records an evaluation after cycles 5, 10, 15 instead of at epoch ends."""
    trainer = small_trainer(n=10, batch_size=3, eval_every=5)
    trainer.step_cycle(16)
    np.testing.assert_array_equal(trainer.history.evaluations.arrays()[0], [5, 10, 15])


def test_batch_loss_history_thins_after_its_capacity():
    """Past the history's capacity batch_loss keeps at most that many evenly spaced points."""
    from nnstudio.engine.run.history import History

    trainer = small_trainer(n=4)
    trainer.history = History(capacity=8)
    trainer.step_cycle(40)
    x, _ = trainer.history.batch_loss.arrays()
    assert len(x) <= 8
    assert np.all(np.diff(x) == trainer.history.batch_loss.stride)
    assert x[0] == 0 and x[-1] >= 40 - trainer.history.batch_loss.stride


def test_evaluate_without_test_split_gives_nan_test_values():
    """With no test split the test loss and accuracy are NaN; train values are real numbers."""
    trainer = small_trainer()
    result = trainer.evaluate()
    assert math.isnan(result.test_loss) and math.isnan(result.test_accuracy)
    assert math.isfinite(result.train_loss) and 0.0 <= result.train_accuracy <= 1.0
    assert trainer.history.evaluations.last()[0] == 0


def test_evaluate_for_regression_gives_nan_accuracy():
    """classification=False: losses are computed, accuracies are NaN on both splits."""
    X, Y = random_data(8)
    net = Network.from_spec(NetworkSpec((2, 3, 1), ("tanh", "linear")), seed=0)
    trainer = Trainer(net, X[:6], Y[:6], X[6:], Y[6:], classification=False)
    result = trainer.evaluate(record=False)
    assert math.isnan(result.train_accuracy) and math.isnan(result.test_accuracy)
    assert result.train_loss == pytest.approx(np.mean((net.predict(X[:6]) - Y[:6]) ** 2), rel=1e-14)
    assert result.test_loss == pytest.approx(np.mean((net.predict(X[6:]) - Y[6:]) ** 2), rel=1e-14)
    assert len(trainer.history.evaluations) == 0


def test_evaluate_accuracy_on_both_splits():
    """Accuracy is the fraction of rows whose thresholded output matches the 0/1 target."""
    X = np.array([[1.0], [-1.0], [2.0], [-2.0], [3.0]])
    Y = np.array([[1.0], [0.0], [0.0], [0.0], [1.0]])
    net = Network(NetworkSpec((1, 1), ("sigmoid",)), [np.array([[1.0]])], [np.zeros(1)])
    trainer = Trainer(net, X[:4], Y[:4], X[4:], Y[4:])
    result = trainer.evaluate()
    # outputs > 0.5 exactly where x > 0: train rows right, right, wrong, right; test row right
    assert result.train_accuracy == 0.75
    assert result.test_accuracy == 1.0
    expected = np.mean((sigmoid(X[:4]) - Y[:4]) ** 2)
    assert result.train_loss == pytest.approx(expected, rel=1e-14)


def test_evaluate_does_not_disturb_the_cycle():
    """Evaluating between phases leaves the phase-stepped cycle's numbers unchanged."""
    kwargs = {"hyper": NOISY, "seed": 1}
    with_eval, plain = small_trainer(**kwargs), small_trainer(**kwargs)
    for _ in range(phases_per_cycle(with_eval) * 3):
        with_eval.step_phase()
        with_eval.evaluate(record=False)
    plain.step_cycle(3)
    assert np.array_equal(with_eval.network.flat, plain.network.flat)
