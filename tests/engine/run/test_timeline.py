"""Rewind: any recent cycle shown exactly, scrubbing, continuing from the past, undo, bounded memory."""

import random

import numpy as np
import pytest
from support.service_thread import receive, start_service
from support.trainer_states import assert_same_trainer_state

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.history import ThinnedSeries
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.timeline import MIN_KEYFRAMES, Timeline

CONFIG = SessionConfig(hyper=Hyperparameters(learning_rate=0.5, momentum=0.9, noise=0.05), batch_size=10)
#: Events replay alone would miss, at the cycle they happen.
EVENTS = {
    37: lambda s: s.set_hyper(Hyperparameters(learning_rate=0.3, momentum=0.5, l2=1e-3, noise=0.02)),
    70: lambda s: s.set_batch_size(7),
    90: lambda s: s.set_weight(0, 1, 2, 0.75),
}


def run_to(session: TrainingSession, k: int, events=EVENTS) -> None:
    """Train to cycle k in steps of odd sizes, making each event when its cycle is reached."""
    done = set()
    while True:
        cycle = session.trainer.cycle
        if cycle in events and cycle not in done:
            events[cycle](session)
            done.add(cycle)
        if cycle >= k:
            return
        later = [c for c in events if c > cycle]
        session.step("cycle", min([k, *later]) - cycle)


def assert_same_moment(a: TrainingSession, b: TrainingSession) -> None:
    """The trainers' states agree bit for bit (history aside), and so do their snapshots' numbers."""
    assert_same_trainer_state(a.trainer, b.trainer)
    x, y = a.snapshot(), b.snapshot()
    assert x.cycle == y.cycle and x.evaluation.train_loss == y.evaluation.train_loss

    def arrays(s):
        return (*s.weights, *s.biases, *s.weight_updates, *s.batch_activations, *s.sample_activations,
                *(s.batch_deltas or ()), *s.trace.weights, *s.trace.activations, *(s.trace.deltas or ()))

    assert len(arrays(x)) == len(arrays(y))
    assert all(np.array_equal(u, v) for u, v in zip(arrays(x), arrays(y)))


def _accumulating(config: SessionConfig) -> TrainingSession:
    """A session whose trainer runs the "accumulate" delta rule from cycle 0 (an event for the timeline)."""
    session = TrainingSession(config)
    session.trainer.set_delta_rule("accumulate")
    session.timeline.record(session.trainer, event=True)
    return session


def test_rewind_under_the_accumulate_rule_gives_back_the_error_each_layer_kept():
    """The kept error is part of every keyframe and patch: a rewind lands on a run stopped there, kept error and all."""
    session = _accumulating(CONFIG)
    run_to(session, 120)
    for k in (0, 5, 16, 37, 38, 70, 90, 91, 119):
        session.rewind(k)
        stopped = _accumulating(CONFIG)
        run_to(stopped, k)
        assert session.trainer.delta_rule == "accumulate"
        assert_same_moment(session, stopped)
    kept = [k.copy() for k in session.trainer.capture().kept_deltas]
    assert any(np.abs(k).max() > 0 for k in kept)  # there was an error to keep
    session.continue_from_here()
    session.step("cycle", 30)
    straight = _accumulating(CONFIG)
    run_to(straight, 119)
    straight.step("cycle", 30)
    assert_same_moment(session, straight)


def test_rewind_to_k_equals_a_run_stopped_at_k_across_keyframes_and_events():
    """Scrubbing back and forth lands on exactly the state (and views) a run stopped at k has."""
    session = TrainingSession(CONFIG)
    run_to(session, 150)
    assert session.timeline.interval == 16
    head = TrainingSession(CONFIG)
    run_to(head, 150)
    ks = [0, 1, 15, 16, 17, 36, 37, 38, 63, 64, 65, 70, 71, 89, 90, 91, 120, 149]
    random.Random(1).shuffle(ks)
    for k in ks:
        session.rewind(k)
        snap = session.snapshot()
        assert snap.rewound and snap.timeline == (0, 150) and snap.cycle == k
        stopped = TrainingSession(CONFIG)
        run_to(stopped, k)
        assert_same_moment(session, stopped)
    session.rewind(150)  # back to the latest: not in the past any more
    assert not session.snapshot().rewound
    assert_same_moment(session, head)


def test_continue_from_here_is_deterministic_and_cuts_the_curves():
    """Two sessions rewinding and going on alike end alike, and like a run that never went further."""
    def branch():
        s = TrainingSession(CONFIG)
        s.step("cycle", 20)
        s.snapshot()
        s.step("cycle", 80)
        s.snapshot()
        s.rewind(40)
        s.snapshot()  # an evaluation of the past must not enter the history
        s.continue_from_here()
        snap = s.snapshot()
        assert not snap.rewound and snap.timeline == (0, 40)
        assert snap.batch_cycles[-1] == 39 and snap.eval_cycles[-1] == 40
        norm_cycles = list(snap.gradient_norms[0])
        assert 19 in norm_cycles and max(norm_cycles) < 40  # the cut future leaves no points
        s.step("cycle", 30)
        return s

    a, b = branch(), branch()
    straight = TrainingSession(CONFIG)
    straight.step("cycle", 40)
    straight.step("cycle", 30)
    for other in (b, straight):
        assert_same_moment(a, other)
    assert np.array_equal(a.snapshot().batch_cycles, np.arange(70))
    assert np.array_equal(a.snapshot().batch_loss, straight.snapshot().batch_loss)


def test_any_training_command_while_rewound_continues_from_there():
    """Step, a phase, new settings or a weight edit in the past branch training from it."""
    for command in (lambda s: s.step("cycle", 1), lambda s: s.step_phase(),
                    lambda s: s.set_hyper(Hyperparameters(learning_rate=0.1)), lambda s: s.run_for(1.0, max_cycles=1),
                    lambda s: s.set_weight(0, 0, 0, 0.1)):
        session = TrainingSession(CONFIG)
        session.step("cycle", 50)
        session.rewind(20)
        command(session)
        snap = session.snapshot()
        assert not snap.rewound and snap.timeline[1] == snap.cycle <= 21
        assert snap.batch_cycles[-1] <= 20


def test_undo_steps_back_one_cycle_and_rewind_can_redo():
    """Undo: one cycle back (a half-stepped cycle: back to its start); rewinding forward redoes."""
    session = TrainingSession(CONFIG)
    session.step("cycle", 10)
    nine = TrainingSession(CONFIG)
    nine.step("cycle", 9)
    session.undo()
    assert_same_moment(session, nine)
    session.undo()
    assert session.snapshot().cycle == 8 and session.snapshot().rewound
    session.rewind(10)
    assert not session.snapshot().rewound and session.snapshot().cycle == 10
    session.step_phase(), session.step_phase()
    session.undo()
    snap = session.snapshot()
    assert snap.cycle == 10 and snap.phase is None and not session.trainer.phase_in_progress
    fresh = TrainingSession(CONFIG)
    fresh.undo()
    assert "Nothing to undo" in fresh.snapshot().message


def test_rewind_refuses_cycles_out_of_reach_and_drops_a_half_stepped_cycle():
    session = TrainingSession(CONFIG)
    session.step("cycle", 20)
    for bad in (-1, 21, 2.5):
        with pytest.raises(ValueError):
            session.rewind(bad)
    session.step_phase()
    session.rewind(5)
    assert not session.trainer.phase_in_progress and session.snapshot().phase is None
    session.rewind(20)
    stopped = TrainingSession(CONFIG)
    stopped.step("cycle", 20)
    assert_same_moment(session, stopped)


def test_reset_and_new_network_clear_the_timeline():
    session = TrainingSession(CONFIG)
    session.step("cycle", 40)
    session.rewind(10)
    session.reset()
    snap = session.snapshot()
    assert snap.timeline == (0, 0) and not snap.rewound and len(session.timeline) == 1
    session.step("cycle", 40)
    session.set_network((3,), ("tanh", "sigmoid"))
    assert session.snapshot().timeline == (0, 0)


def test_a_divergence_is_a_keyframe_and_rewinding_around_it_is_exact():
    """The weights restored after a divergence are kept as they were, not replayed."""
    config = SessionConfig(data=DataSpec("multigauss"), hyper=Hyperparameters(learning_rate=0.5))
    session = TrainingSession(config)
    session.step("cycle", 100)
    session.set_hyper(Hyperparameters(learning_rate=100.0))  # diverges: back to the sane cycle 100
    session.step("cycle", 2000)
    assert "diverged" in session.snapshot().message
    at = session.trainer.cycle
    restored = session.network.flat.copy()
    session.step("cycle", 3)
    session.rewind(at)
    assert np.array_equal(session.network.flat, restored)
    session.rewind(at - 2)
    stopped = TrainingSession(config)
    stopped.step("cycle", at - 2)
    assert np.array_equal(session.network.flat, stopped.network.flat)


def test_saving_while_rewound_saves_the_cycle_shown():
    session = TrainingSession(CONFIG)
    session.step("cycle", 60)
    session.snapshot()
    session.rewind(25)
    reopened = TrainingSession.from_state(session.state())
    snap = reopened.snapshot()
    assert snap.cycle == 25 and snap.batch_cycles[-1] == 24 and snap.timeline == (25, 25)
    assert np.array_equal(reopened.network.flat, session.network.flat)
    assert session.snapshot().rewound  # saving changed nothing


def test_rewind_continue_and_undo_through_the_service():
    ours, thread = start_service(CONFIG)

    def snapshot():
        return receive(ours, "snapshot")

    snapshot()
    ours.send(("step", ("cycle", 30)))
    assert snapshot().timeline == (0, 30)
    ours.send(("rewind", (12,)))
    snap = snapshot()
    assert (snap.cycle, snap.rewound, snap.timeline) == (12, True, (0, 30))
    ours.send(("undo", ()))
    assert snapshot().cycle == 11
    ours.send(("continue_from_here", ()))
    snap = snapshot()
    assert (snap.cycle, snap.rewound, snap.timeline) == (11, False, (0, 11))
    ours.send(("quit", ()))
    thread.join(5)


@pytest.mark.slow
def test_memory_stays_bounded_over_a_long_run():
    """After 50 000 cycles: the whole run reachable, old keyframes thinned, the budget kept."""
    session = TrainingSession(SessionConfig(batch_size=10))
    session.step("cycle", 50_000)
    timeline = session.timeline
    earliest, latest = session.snapshot().timeline
    assert (earliest, latest) == (0, 50_000)
    K, H = timeline.interval, timeline.horizon
    # every keyframe in the horizon, one per 2K..K cycles before it (a greedy thinning keeps gaps in (K, 2K])
    assert len(timeline) <= H // K + 2 * (50_000 - H) // (2 * K) + 4
    gaps = np.diff(timeline.keyframe_cycles)
    assert gaps.max() <= 2 * K and timeline.max_replay == 2 * K
    assert timeline.nbytes() < 4_000_000  # a 2-4-1 net: a few megabytes of the 64 MB budget
    session.rewind(0)
    assert session.trainer.cycle == 0
    with pytest.raises(ValueError):
        session.rewind(-1)


def test_events_every_cycle_cannot_outgrow_the_budget():
    """A learning rate dragged during Run in the smallest budget: memory holds, the reach shrinks instead."""
    X, Y = np.random.default_rng(0).normal(size=(50, 2)), np.random.default_rng(1).random((50, 1))
    trainer = Trainer(Network.from_spec(NetworkSpec((2, 4, 1), ("sigmoid", "sigmoid"))), X, Y, batch_size=5)
    timeline = Timeline.for_trainer(trainer, budget=1)  # room for the minimum only
    assert timeline.budget == MIN_KEYFRAMES * timeline.frame_bytes + 3 * 17 * 8
    timeline.record(trainer)
    for c in range(2000):
        trainer.set_hyperparameters(Hyperparameters(learning_rate=0.1 + c * 1e-4))
        timeline.record(trainer, event=True)
        trainer.step_cycle(1)
        timeline.record(trainer)
        assert timeline.nbytes() <= timeline.budget
    first, latest = timeline.span(trainer.cycle)
    assert latest == 2000 and 1500 < first < 2000
    timeline.rewind(trainer, first)
    assert trainer.hyper.learning_rate == 0.1 + first * 1e-4  # the event at that cycle applied


def test_a_64_32_10_net_keeps_its_timeline_under_100_mb():
    """The budget picks the keyframe interval; 12 000 cycles later the keyframes fit."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1437, 64))
    y = rng.integers(0, 10, 1437)
    dataset = Dataset("digits-like", X, y, "classification", tuple(f"p{i}" for i in range(64)), "digit",
                      tuple(str(i) for i in range(10)))
    session = TrainingSession(SessionConfig(hidden=(32,), batch_size=32,
                                            hyper=Hyperparameters(learning_rate=0.1, momentum=0.9)), dataset)
    session.step("cycle", 12_000)
    timeline = session.timeline
    assert timeline.interval == 16 and timeline.latest == 12_000 and timeline.earliest == 0
    assert timeline.nbytes() <= timeline.budget == 64 * 2**20


def test_thinned_series_truncate_keeps_the_points_up_to_x_and_goes_on_evenly():
    series = ThinnedSeries(1, capacity=8)
    for x in range(20):
        series.append(x, x * 10.0)
    assert series.stride == 4 and list(series.arrays()[0]) == [0, 4, 8, 12, 16]
    series.truncate(9)
    assert list(series.arrays()[0]) == [0, 4, 8]
    for x in range(10, 16):
        series.append(x, x * 10.0)
    assert list(series.arrays()[0]) == [0, 4, 8, 10, 14]  # the next offered is kept, then every 4th
    every = ThinnedSeries(1, capacity=8)
    for x in range(5):
        every.append(x, 0.0)
    every.truncate(2)
    every.append(3, 1.0)
    assert list(every.arrays()[0]) == [0, 1, 2, 3] and every.state()["offered"] == 4
    every.truncate(100)  # nothing after: nothing changes
    assert len(every) == 4
