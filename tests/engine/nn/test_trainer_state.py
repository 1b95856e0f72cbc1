"""TrainerState: what Trainer.capture() takes and Trainer.restore() puts back, and its checks."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from support.trainer_states import assert_same_plain_data, assert_same_trainer_state

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer
from nnstudio.engine.nn.trainer_state import RngState, TrainerState

ROWS = 45


def _trainer(seed: int = 0, rule: str = "set", output: str = "sigmoid", **options) -> Trainer:
    """A 3-4-2 net on 45 rows in batches of 8, with momentum and noise: every part of the state moves."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(ROWS, 3)), rng.random((ROWS, 2))
    spec = NetworkSpec((3, 4, 2), ("tanh", output))
    settings = dict(hyper=Hyperparameters(learning_rate=0.3, momentum=0.8, noise=0.1), batch_size=8, seed=seed,
                    eval_every=0, delta_rule=rule)
    settings.update(options)
    return Trainer(Network.from_spec(spec, seed=seed), X, Y, **settings)


@pytest.mark.parametrize("rule", ["set", "accumulate"])
def test_restoring_a_captured_state_replays_the_same_cycles_bit_for_bit(rule):
    """Captured mid-epoch, 20 cycles run, restored: the same 20 cycles again, to the bit."""
    trainer = _trainer(rule=rule)
    trainer.step_cycle(13)  # 104 rows: mid-epoch, with a batch order and a position
    state = trainer.capture()
    trainer.step_cycle(20)
    first_time = trainer.capture().to_dict()
    trainer.restore(state)
    assert trainer.cycle == 13 and trainer.last_workspace is None and trainer.last_evaluation is None
    trainer.step_cycle(20)
    assert_same_plain_data(first_time, trainer.capture().to_dict())


def test_a_state_is_a_read_only_copy_that_later_cycles_leave_alone():
    trainer = _trainer(rule="accumulate")
    trainer.step_cycle(7)
    state = trainer.capture()
    params, kept = state.params.copy(), [k.copy() for k in state.kept_deltas]
    trainer.step_cycle(5)
    assert np.array_equal(state.params, params) and all(np.array_equal(a, b) for a, b in zip(state.kept_deltas, kept))
    assert not np.array_equal(trainer.network.flat, params)
    with pytest.raises(ValueError):
        state.vectors[0, 0] = 1.0
    with pytest.raises(ValueError):
        state.kept_deltas[0][0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.cycle = 3


def test_the_states_of_one_epoch_share_its_batch_order():
    """One order array per epoch, whatever the number of states taken in it (the timeline counts on it)."""
    trainer = _trainer()
    trainer.step_cycle(1)
    a = trainer.capture()
    trainer.step_cycle(2)
    b = trainer.capture()
    assert a.order is b.order and not a.order.flags.writeable
    trainer.step_cycle(3)  # 48 rows: into the next epoch
    assert trainer.epoch == 1 and trainer.capture().order is not a.order


def test_a_state_from_another_trainer_of_the_same_shape_continues_alike():
    source = _trainer(rule="accumulate")
    source.step_cycle(13)
    target = _trainer(seed=4, hyper=Hyperparameters(), batch_size=3)
    target.restore(source.capture())
    assert target.delta_rule == "accumulate" and target.batch_size == 8
    assert_same_trainer_state(source, target)
    source.step_cycle(30)
    target.step_cycle(30)
    assert_same_trainer_state(source, target)


def test_rule_and_kept_error_come_back_with_the_state():
    trainer = _trainer(rule="accumulate")
    trainer.step_cycle(10)
    accumulating = trainer.capture()
    trainer.set_delta_rule("set")
    trainer.step_cycle(4)
    standard = trainer.capture()
    trainer.restore(accumulating)
    assert trainer.delta_rule == "accumulate"
    assert all(np.array_equal(a, b) for a, b in zip(trainer.capture().kept_deltas, accumulating.kept_deltas))
    trainer.restore(standard)
    assert trainer.delta_rule == "set" and trainer.capture().kept_deltas is None


def test_a_trainer_takes_back_its_own_diverged_state_and_no_other_does():
    """The timeline shows a divergence's weights again; a state from elsewhere must be finite."""
    trainer = _trainer()
    trainer.step_cycle(4)
    trainer.network.flat[0] = np.inf  # as an update that overflowed leaves them
    assert trainer.check_divergence() == 4
    diverged = trainer.capture()
    trainer.roll_back()
    assert trainer.diverged_at is None and trainer.cycle == 0 and np.isfinite(trainer.network.flat).all()
    trainer.restore(diverged)
    assert trainer.diverged_at == 4 and trainer.network.flat.tobytes() == diverged.params.tobytes()
    assert_same_plain_data(trainer.diverged_loss, diverged.diverged_loss)
    with pytest.raises(ValueError, match="NaN or infinity in the weights"):
        _trainer(seed=4).restore(diverged)


def _fresh_state(**changes) -> TrainerState:
    """A valid state of a trainer like ``_trainer()``, from another trainer, with ``changes``."""
    source = _trainer(seed=1, rule="accumulate")
    source.step_cycle(13)
    return dataclasses.replace(source.capture(), **changes)


@pytest.mark.parametrize("changes, message", [
    (dict(vectors=np.zeros((3, 5))), "parameters"),
    (dict(vectors=np.full((3, 26), np.nan)), "NaN or infinity in the weights"),
    (dict(steps=-1), "steps"),
    (dict(last_noise_std=math.nan), "last_noise_std"),
    (dict(noise_rng=RngState(-1, 1, 0, 0)), "noise stream's state is not a PCG64"),
    (dict(shuffle_rng=RngState(1 << 128, 1, 0, 0)), "batch order stream"),
    (dict(order=np.zeros(ROWS, dtype=np.int64)), "not an order"),
    (dict(order=np.arange(ROWS - 1)), "batch order has shape"),
    (dict(order=None, position=8), "position"),
    (dict(position=ROWS), "position"),
    (dict(cycle=1.5), "cycle"),
    (dict(batch_size=0), "batch size"),
    (dict(hyper={"learning_rate": 1}), "hyper"),
    (dict(diverged_at=3), "diverged"),
    (dict(kept_deltas=(np.zeros(4),)), "2 arrays, one per layer"),
    (dict(kept_deltas=(np.zeros(4), np.full(2, np.inf))), "kept delta"),
])
def test_a_state_that_does_not_fit_is_refused_by_name_and_changes_nothing(changes, message):
    target = _trainer(seed=4)
    target.step_cycle(3)
    before = target.capture().to_dict()
    with pytest.raises(ValueError, match=message):
        target.restore(_fresh_state(**changes))
    assert_same_plain_data(before, target.capture().to_dict())


def test_the_dict_form_holds_every_field_as_plain_data():
    """to_dict is JSON-able but for its arrays, and from_dict gives the same state back."""
    trainer = _trainer(rule="accumulate")
    trainer.step_cycle(13)
    state = trainer.capture()
    as_dict = state.to_dict()
    arrays = {"params", "order", "kept_deltas"}
    json.dumps({k: v for k, v in as_dict.items() if k not in arrays | {"optimizer"}})
    json.dumps({k: v for k, v in as_dict["optimizer"].items() if k not in ("velocity", "updates")})
    again = TrainerState.from_dict(as_dict)
    again.check((3, 4, 2), ROWS)
    assert_same_plain_data(as_dict, again.to_dict())
    assert again.diverged_loss is None and again.delta_rule == "accumulate"
    copy = _trainer(seed=9)
    copy.restore(again)
    trainer.step_cycle(20)
    copy.step_cycle(20)
    assert_same_trainer_state(trainer, copy)


def test_a_dict_without_the_last_update_or_noise_sigma_reads_as_zeros():
    trainer = _trainer()
    trainer.step_cycle(5)
    as_dict = trainer.capture().to_dict()
    del as_dict["optimizer"]["updates"], as_dict["optimizer"]["last_noise_std"]
    state = TrainerState.from_dict(as_dict)
    assert not state.updates.any() and state.last_noise_std == 0.0
    assert np.array_equal(state.params, trainer.network.flat)


def test_a_run_loaded_stopped_at_a_divergence_rolls_back_to_where_it_was_loaded():
    """The loaded state is the first checkpoint; rolling back to it leaves the divergence behind."""
    source = _trainer(output="linear")
    source.step_cycle(9)
    source.network.flat[-1] = 1e200  # an output bias still finite, but its loss overflows
    with np.errstate(all="ignore"):
        source.step_cycle(1)
    assert source.diverged_at == 9 and np.isfinite(source.network.flat).all()
    saved = source.state()
    trainer = _trainer(seed=4, output="linear")
    trainer.load_state(saved)
    assert trainer.diverged_at == 9 and math.isnan(trainer.diverged_loss)
    rollback = trainer.roll_back()
    assert (rollback.diverged_at, rollback.cycle, rollback.proven) == (9, saved["cycle"], False)
    assert trainer.diverged_at is None and trainer.diverged_loss is None and trainer.cycle == saved["cycle"]
    assert trainer.network.flat.tobytes() == saved["params"].tobytes()
