"""Trainer.state() and load_state(): the plain data a session file stores, continuing bit for bit or refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
from support.trainer_states import assert_same_plain_data

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer


def _trainer(seed=0, **kwargs):
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(45, 3)), rng.random((45, 2))
    spec = NetworkSpec((3, 4, 2), ("tanh", "sigmoid"))
    options = {"hyper": Hyperparameters(learning_rate=0.3, momentum=0.8, noise=0.1), "batch_size": 8,
               "seed": seed, "eval_every": 5}
    options.update(kwargs)
    return Trainer(Network.from_spec(spec, seed=seed), X, Y, X[:5], Y[:5], **options)


def test_trainer_state_round_trip_continues_bit_for_bit():
    """load_state(state()) into a trainer of another seed: both go on identically."""
    original = _trainer()
    original.step_cycle(23)
    copy = _trainer(seed=99, hyper=Hyperparameters(), batch_size=3, eval_every=None)
    copy.load_state(original.state())
    assert_same_plain_data(original.state(), copy.state())
    original.step_cycle(100)
    copy.step_cycle(100)
    assert_same_plain_data(original.state(), copy.state())


def test_trainer_state_is_a_copy_and_plain_data():
    """state() is not changed by later steps; its scalars are JSON-able."""
    trainer = _trainer()
    trainer.step_cycle(7)
    state = trainer.state()
    params = state["params"].copy()
    trainer.step_cycle(5)
    np.testing.assert_array_equal(state["params"], params)
    scalars = {k: v for k, v in state.items() if k not in ("params", "optimizer", "order", "history")}
    json.dumps(scalars)
    json.dumps(state["optimizer"]["rng"])


def test_a_cycle_in_progress_is_left_out_and_replayed_whole():
    """State taken between phases: the reloaded trainer runs that cycle whole, ending where the original ends."""
    original = _trainer()
    original.step_cycle(6)
    original.step_phases(3)
    assert original.phase_in_progress
    copy = _trainer(seed=5)
    copy.load_state(original.state())
    assert original.phase_in_progress and not copy.phase_in_progress and copy.cycle == 6
    original.step_cycle(10)  # finishes the begun cycle first
    copy.step_cycle(10)
    assert_same_plain_data(original.state(), copy.state())


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.update(params=s["params"][:-1]), "parameters"),
    (lambda s: s.update(params=np.full_like(s["params"], np.nan)), "NaN"),
    (lambda s: s["optimizer"].update(velocity=np.zeros(3)), "velocity"),
    (lambda s: s["optimizer"].update(steps=-1), "steps"),
    (lambda s: s.update(shuffle_rng={"bit_generator": "MT19937"}), "PCG64"),
    (lambda s: s["optimizer"].update(rng={**s["optimizer"]["rng"], "state": {"state": -1, "inc": 1}}), "PCG64"),
    (lambda s: s.update(order=np.zeros(45, dtype=np.int64)), "not an order"),
    (lambda s: s.update(order=np.arange(44)), "order"),
    (lambda s: s.update(order=None, position=8), "position"),
    (lambda s: s.update(position=45), "position"),
    (lambda s: s.update(cycle=1.5), "cycle"),
    (lambda s: s.update(batch_size=0), "batch size"),
    (lambda s: s.update(hyper={"learning_rate": 1}), "hyper"),
    (lambda s: s.update(hyper={**s["hyper"], "momentum": 2.0}), "momentum"),
    (lambda s: s["history"]["batch_loss"].update(stride=3), "stride"),
    (lambda s: s["history"].update(evaluations={**s["history"]["evaluations"], "data": np.zeros((2, 3))}), "history"),
    (lambda s: s.update(last_evaluation={"cycle": 1}), "evaluation"),
    (lambda s: s.pop("epoch"), "epoch"),
])
def test_trainer_load_state_refuses_bad_state_and_changes_nothing(edit, message):
    """A bad state raises ValueError naming the problem; the trainer is as it was."""
    source = _trainer()
    source.step_cycle(13)
    assert source.capture().order is not None
    state = source.state()
    edit(state)
    target = _trainer(seed=4)
    target.step_cycle(3)
    before = target.state()
    with pytest.raises(ValueError, match=message):
        target.load_state(state)
    assert_same_plain_data(before, target.state())
