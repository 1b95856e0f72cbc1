"""Trainer.start_from(state): a run begun at given weights and place, checked whole, rolled back to on divergence."""

from __future__ import annotations

import numpy as np
import pytest
from support.trainer_states import assert_same_trainer_state

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer

ROWS = 45


def _trainer(seed: int = 0, hidden: int = 4, output: str = "sigmoid") -> Trainer:
    """A 3-4-2 net on 45 rows in batches of 8, with momentum and noise: every part of the state moves."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(ROWS, 3)), rng.random((ROWS, 2))
    network = Network.from_spec(NetworkSpec((3, hidden, 2), ("tanh", output)), seed=seed)
    return Trainer(network, X, Y, hyper=Hyperparameters(learning_rate=0.3, momentum=0.8, noise=0.1), batch_size=8,
                   seed=seed, eval_every=0)


def test_a_trainer_started_from_another_ones_state_goes_on_exactly_as_it():
    original, other = _trainer(), _trainer(seed=4)
    original.step_cycle(13)  # mid-epoch: the batch order and position carry over too
    other.step_cycle(3)
    other.start_from(original.capture())
    original.step_cycle(10)
    other.step_cycle(10)
    assert_same_trainer_state(original, other)


def test_a_state_that_does_not_fit_is_refused_and_nothing_changes():
    wider, trainer = _trainer(hidden=5), _trainer()
    trainer.step_cycle(3)
    before = trainer.capture().to_dict()
    with pytest.raises(ValueError, match="parameters"):
        trainer.start_from(wider.capture())
    after = trainer.capture().to_dict()
    assert after["cycle"] == 3 and after["params"].tobytes() == before["params"].tobytes()


def test_a_divergence_rolls_back_to_the_state_started_from_not_to_the_old_run():
    """Unlike restore, start_from makes the state the run's first checkpoint: a divergence goes back there."""
    source = _trainer(output="linear")
    source.step_cycle(9)
    start = source.capture()
    started, restored = _trainer(seed=4, output="linear"), _trainer(seed=4, output="linear")
    started.start_from(start)
    restored.restore(start)
    for trainer in (started, restored):
        trainer.step_cycle(2)
        trainer.network.flat[-1] = 1e200  # an output bias still finite, but its loss overflows
        with np.errstate(all="ignore"):
            trainer.step_cycle(1)
        assert trainer.diverged_at == 11
    assert started.roll_back().cycle == 9
    assert started.network.flat.tobytes() == start.params.tobytes()
    assert restored.roll_back().cycle == 0  # the old run's start
