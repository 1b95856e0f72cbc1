"""Pinned runs and the author's delta rule in a session: named differences, session files, rewind."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nnstudio.engine.io.sessionfile import (
    SessionFileError,
    load_session,
    read_pinned_runs,
    save_session,
    session_to_file_content,
)
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.commands import COMMAND_TABLE, checked_arguments
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.pinned_runs import (
    MAX_PINNED_RUNS,
    PinnedRun,
    add_pin,
    differences,
    pin_from_snapshot,
    pins_from_list,
)
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.session_state import data_digest

XOR = SessionConfig(data=DataSpec(name="xor", n_samples=40), hyper=Hyperparameters(learning_rate=2.0), seed=0)


def _trained(config: SessionConfig = XOR, cycles: int = 30) -> TrainingSession:
    session = TrainingSession(config)
    session.step("cycle", cycles)
    return session


def _pin(session: TrainingSession) -> PinnedRun:
    return pin_from_snapshot(session.snapshot(), data_digest(session.dataset))


def test_a_pin_keeps_the_runs_curves_and_final_metrics():
    session = _trained()
    s = session.snapshot()
    pin = _pin(session)
    assert pin.cycle == 30
    assert np.array_equal(pin.cycles, s.eval_cycles)
    assert np.array_equal(pin.evaluations, s.evaluations, equal_nan=True)
    e = s.evaluation
    assert pin.final == (e.train_loss, e.test_loss, e.train_accuracy, e.test_accuracy)
    assert pin.gap == pytest.approx(e.test_loss - e.train_loss)


def test_differences_name_what_changed_pinned_value_first():
    pin = _pin(_trained())
    changed = replace(XOR, hyper=Hyperparameters(learning_rate=0.5), seed=3)
    assert differences(pin, changed) == ["lr 2 → 0.5", "seed 0 → 3"]
    assert differences(pin, XOR) == []
    assert differences(pin, XOR, delta_rule="accumulate") == ["delta rule = → +="]
    assert differences(pin, replace(XOR, hidden=(8, 8), activations=("tanh", "tanh", "sigmoid"))) == [
        "shape 4 → 8-8", "activations sigmoid/sigmoid → tanh/tanh/sigmoid"]
    assert differences(pin, replace(XOR, data=replace(XOR.data, noise=0.3))) == ["data noise 0.1 → 0.3"]


def test_the_fifth_pin_replaces_the_oldest():
    pins: tuple = ()
    made = [_pin(_trained(replace(XOR, seed=seed), 2)) for seed in range(MAX_PINNED_RUNS + 1)]
    for pin in made[:MAX_PINNED_RUNS]:
        pins, dropped = add_pin(pins, pin)
        assert dropped is None
    pins, dropped = add_pin(pins, made[-1])
    assert dropped is made[0]
    assert pins == tuple(made[1:])


def test_pins_round_trip_through_a_session_file_and_survive_reset(tmp_path):
    session = _trained()
    pin = _pin(session)
    session.set_pinned_runs((pin.to_dict(),))
    session.reset(seed=5)  # a fresh run keeps the pins
    session.set_data(DataSpec(name="moons", n_samples=40))  # and so does new data
    assert session.pinned_runs == (pin.to_dict(),)
    path = tmp_path / "pinned.nnstudio"
    save_session(path, session)
    reopened = load_session(path)
    (back,) = read_pinned_runs(path)
    assert reopened.pinned_runs == (back.to_dict(),)
    assert back.config == pin.config and back.cycle == 30
    assert np.array_equal(back.evaluations, pin.evaluations, equal_nan=True)


def test_a_file_without_pins_opens_with_none(tmp_path):
    path = tmp_path / "plain.nnstudio"
    save_session(path, _trained(cycles=3))
    meta, _ = session_to_file_content(_trained(cycles=3))
    assert "pinned_runs" not in meta  # older readers see the file they know
    assert load_session(path).pinned_runs == ()
    assert read_pinned_runs(path) == ()


@pytest.mark.parametrize("bad, named", [
    ("not a list", "at most 4"),
    ([{}] , "pinned run 1"),
    ([{"config": {}, "delta_rule": "set", "data_digest": "", "cycle": 0, "cycles": [], "evaluations": []}],
     "config lacks data, hidden"),
    (["x"] * 5, "at most 4"),
])
def test_bad_pins_are_refused_naming_the_problem(bad, named):
    with pytest.raises(ValueError, match=named):
        pins_from_list(bad)


def test_a_pin_with_a_hostile_curve_is_refused():
    good = _pin(_trained(cycles=2)).to_dict()
    assert len(good["cycles"]) >= 2
    for change in (
        {"cycles": good["cycles"] + [10**6]},
        {"cycles": [7] * len(good["cycles"])},
        {"evaluations": [["1", 2, 3, 4]] * len(good["cycles"])},
        {"delta_rule": "<script>"},
        {"cycle": -1},
    ):
        with pytest.raises(ValueError):
            PinnedRun.from_dict({**good, **change})


def test_a_file_with_bad_pins_is_refused_with_a_session_file_error(tmp_path):
    session = _trained(cycles=2)
    session.pinned_runs = ({"config": "nonsense"},)
    path = tmp_path / "bad.nnstudio"
    save_session(path, session)
    with pytest.raises(SessionFileError, match="bad.nnstudio: meta pinned run 1"):
        load_session(path)


def test_set_delta_rule_trains_as_the_trainer_with_that_rule_and_rewinds_back():
    session = _trained(cycles=5)
    session.set_delta_rule("accumulate")
    assert session.snapshot().delta_rule == "accumulate"
    session.step("cycle", 10)
    # The same run by the engine alone: same start, rule switched at cycle 5.
    alone = _trained(cycles=5)
    alone.trainer.set_delta_rule("accumulate")
    alone.step("cycle", 10)
    assert all(np.array_equal(a, b) for a, b in zip(session.network.parameters(), alone.network.parameters()))
    session.rewind(3)  # before the switch: the standard rule again
    assert session.snapshot().delta_rule == "set"
    session.reset()
    assert session.snapshot().delta_rule == "set"


def test_the_trainer_commands_check_their_arguments():
    assert "set_delta_rule" in COMMAND_TABLE and "set_pinned_runs" in COMMAND_TABLE
    assert checked_arguments(("set_delta_rule", ("accumulate",))) == ("accumulate",)
    with pytest.raises(ValueError, match="set_delta_rule"):
        checked_arguments(("set_delta_rule", ("add",)))
    with pytest.raises(ValueError, match="pinned run 1"):
        checked_arguments(("set_pinned_runs", ([{"config": 1}],)))
