"""Tests for nnstudio.engine.nn.trainer's divergence checks: a runaway loss is caught, a roll back returns to sanity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.small_trainers import random_data

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer


def _one_weight_line(lr: float, target: float = 0.0, w: float = 0.5) -> Trainer:
    """y = w·x + b on the one row x = 1: the error e = w + b − target becomes e·(1 − 4·lr) each cycle.

    MSE e² has gradient 2e for w (x = 1) and for b, so both move by −lr·2e and e by −4·lr·e.
    """
    net = Network(NetworkSpec((1, 1), ("linear",)), [[[w]]], [[0.0]])
    return Trainer(net, [[1.0]], [[target]], hyper=Hyperparameters(learning_rate=lr), classification=False,
                   eval_every=0)


def _step_with_checkpoints(trainer: Trainer, cycles: int) -> None:
    for _ in range(cycles):
        trainer.checkpoint()
        trainer.step_cycle(1)


def test_a_runaway_loss_is_a_divergence_before_it_overflows():
    """lr 5: e = 0.5·(−19)^c, loss 0.25·361^c: 0.25, 90.25, 32580.25, then 1.18e7 > 1e6 stops it at cycle 3."""
    trainer = _one_weight_line(5.0)
    trainer.step_cycle(100)
    assert trainer.diverged_at == 3 and trainer.cycle == 4
    assert trainer.diverged_loss == pytest.approx(0.25 * 19.0**6, rel=1e-12)
    _, losses = trainer.history.batch_loss.arrays()
    np.testing.assert_allclose(losses[:, 0], [0.25, 90.25, 32580.25, 0.25 * 19.0**6], rtol=1e-12)


def test_a_large_honest_loss_on_large_targets_is_not_a_divergence():
    """Target 1000 (unscaled): a first loss of ~1e6 is the targets' own scale, and lr 0.1 converges (e·0.6 a cycle)."""
    trainer = _one_weight_line(0.1, target=1000.0)
    trainer.step_cycle(60)
    assert trainer.diverged_at is None
    _, losses = trainer.history.batch_loss.arrays()
    assert losses[0, 0] == pytest.approx(999.5**2) and losses[-1, 0] == pytest.approx(999.5**2 * 0.36**59, rel=1e-9)


def test_roll_back_returns_to_the_last_checkpoint_whose_loss_was_sane():
    """lr 1.5 (e·(−5) a cycle), a checkpoint every cycle: losses 0.25, 6.25, 156.25, 3906.25, 97656.25, 2.4e6.

    Cycle 1 (6.25 ≤ 10) is the last sane one: w = 0.5 − 1.5·2·0.5 = −1, b = −1.5.
    """
    trainer = _one_weight_line(1.5)
    _step_with_checkpoints(trainer, 10)
    rollback = trainer.roll_back()
    assert (rollback.diverged_at, rollback.cycle, rollback.proven) == (5, 1, True)
    assert "ran away to 2.44e+06" in rollback.cause()
    assert trainer.cycle == 1 and trainer.epoch == 1 and trainer.diverged_at is None
    assert trainer.network.weights[0][0, 0] == -1.0 and trainer.network.biases[0][0] == -1.5
    cycles, losses = trainer.history.batch_loss.arrays()
    assert cycles.tolist() == [0.0] and losses[:, 0].tolist() == [0.25]
    assert trainer.evaluate().train_loss == 6.25  # (−1 − 1.5)²


def test_a_loss_far_above_the_start_is_not_a_checkpoint_to_return_to():
    """lr 5 (e·(−19) a cycle): cycles 1 and 2 (losses 90.25, 32580.25) are finite but no sane return: back to cycle 0.
    """
    trainer = _one_weight_line(5.0)
    _step_with_checkpoints(trainer, 10)
    rollback = trainer.roll_back()
    assert (rollback.diverged_at, rollback.cycle) == (3, 0)
    assert trainer.network.weights[0][0, 0] == 0.5 and trainer.network.biases[0][0] == 0.0
    assert len(trainer.history.batch_loss) == 0 and len(trainer.history.evaluations) == 0


def test_nan_loss_and_overflowed_weights_are_divergences_too():
    """A NaN loss stops stepping; weights an update made infinite are noticed by check_divergence."""
    trainer = _one_weight_line(0.1)
    trainer.step_cycle(2)
    trainer.network.layers[0].W[0, 0] = np.inf
    assert trainer.check_divergence() == 2 and math.isnan(trainer.diverged_loss)
    trainer.step_cycle(5)
    assert trainer.cycle == 2  # stepping stops at a divergence
    rollback = trainer.roll_back()
    assert rollback.cycle == 0 and rollback.cause() == "the loss became NaN"
    assert trainer.network.is_finite()
    trainer = _one_weight_line(0.1)
    trainer.network.layers[0].b[0] = np.nan
    trainer.step_cycle(3)
    assert trainer.diverged_at == 0 and trainer.cycle == 1


def test_roll_back_without_a_divergence_is_refused():
    trainer = _one_weight_line(0.1)
    trainer.step_cycle(3)
    with pytest.raises(RuntimeError, match="not diverged"):
        trainer.roll_back()


def test_after_a_roll_back_training_goes_on_exactly_as_from_that_cycle():
    """Mini-batches, momentum and noise: back at cycle 7, five more cycles equal a straight run of 12, bit for bit."""
    hyper = Hyperparameters(learning_rate=0.1, momentum=0.5, noise=0.01)

    def trainer():
        X, Y = random_data(n=20, n_in=2, n_out=1, seed=4)
        net = Network.from_spec(NetworkSpec((2, 3, 1), ("tanh", "linear")), seed=2)
        return Trainer(net, X, Y, hyper=hyper, batch_size=3, seed=9, classification=False, eval_every=0)

    diverging = trainer()
    diverging.step_cycle(7)
    diverging.checkpoint()
    diverging.set_hyperparameters(Hyperparameters(learning_rate=1e4))
    diverging.step_cycle(50)
    assert diverging.diverged_at is not None
    rollback = diverging.roll_back()
    assert rollback.cycle == 7 and diverging.hyper.learning_rate == 1e4  # the settings stay as they are now
    diverging.set_hyperparameters(hyper)
    diverging.step_cycle(5)
    straight = trainer()
    straight.step_cycle(12)
    ours, theirs = diverging.state(), straight.state()
    for key in ("params", "order"):
        assert np.array_equal(ours[key], theirs[key]), key
    for key in ("cycle", "epoch", "position", "shuffle_rng"):
        assert ours[key] == theirs[key], key
    assert np.array_equal(ours["optimizer"]["velocity"], theirs["optimizer"]["velocity"])
    assert np.array_equal(diverging.history.batch_loss.arrays()[1], straight.history.batch_loss.arrays()[1])


def test_a_loaded_run_rolls_back_no_further_than_where_it_was_loaded():
    """A trainer continued from state() forgets the other run's checkpoints: a divergence returns to the loaded cycle.
    """
    first = _one_weight_line(0.1)
    first.step_cycle(4)
    second = _one_weight_line(0.1, w=3.0)
    second.load_state(first.state())
    second.set_hyperparameters(Hyperparameters(learning_rate=1e4))
    second.step_cycle(10)
    assert second.diverged_at == 5  # the loss of cycle 4's weights was sane; the update after it was not
    rollback = second.roll_back()
    assert rollback.cycle == 4 and np.array_equal(second.network.flat, first.network.flat)
    saved = second.state()
    saved["diverged_at"] = 7  # a file saved while stopped at a divergence
    third = _one_weight_line(0.1)
    third.load_state(saved)
    assert third.roll_back().cycle == 4 and np.array_equal(third.network.flat, first.network.flat)
