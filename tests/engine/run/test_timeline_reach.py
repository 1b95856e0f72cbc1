"""Rewind reaches the whole run: thinned keyframes back to cycle 0 within the memory budget, every cycle exact."""

import numpy as np
import pytest
from support.trainer_states import assert_same_trainer_state

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.timeline import DEFAULT_BUDGET, Timeline

HYPER = Hyperparameters(learning_rate=0.5, momentum=0.9, noise=0.05)


def tiny_trainer() -> Trainer:
    """A 2-4-1 net on 40 rows in batches of 8: five cycles an epoch, so keyframes share batch orders."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    network = Network.from_spec(NetworkSpec((2, 4, 1), ("tanh", "sigmoid")), seed=3)
    return Trainer(network, X, Y, batch_size=8, hyper=HYPER, seed=5)


def set_learning_rate(rate):
    return lambda trainer: trainer.set_hyperparameters(Hyperparameters(learning_rate=rate, momentum=0.9, noise=0.05))


def edit_weight(trainer):
    trainer.network.layers[0].W[1, 2] = 0.75


def restore_all_weights(trainer):
    """Every parameter changes: too much for a patch, so a full keyframe (a barrier)."""
    np.copyto(trainer.network.flat, np.linspace(-1.0, 1.0, trainer.network.flat.size))
    trainer.optimizer.velocity *= 0.5
    trainer.optimizer.updates.fill(0.0)


#: Events replay alone would miss, early and late in the run (cycle: change).
EVENTS = {
    0: set_learning_rate(0.4),
    150: set_learning_rate(0.3),
    151: lambda trainer: trainer.set_batch_size(6),
    222: edit_weight,
    307: restore_all_weights,
    20_000: set_learning_rate(0.2),
    41_000: edit_weight,
}


def drive(trainer: Trainer, upto: int, events: dict, timeline: Timeline | None = None, check=None) -> None:
    """Train to cycle ``upto`` as the session does: keyframes recorded after every chunk, each event when due."""
    done = set()
    if timeline is not None and not len(timeline):
        timeline.record(trainer)  # as a session starts its run
    while True:
        cycle = trainer.cycle
        if cycle in events and cycle not in done:
            events[cycle](trainer)
            done.add(cycle)
            if timeline is not None:
                timeline.record(trainer, event=True)
        if cycle >= upto:
            return
        n = min([upto, *(c for c in events if c > cycle)]) - cycle
        if timeline is not None:
            n = min(n, timeline.cycles_until_keyframe(cycle))
        trainer.step_cycle(n)
        if timeline is not None:
            timeline.record(trainer)
            if check is not None:
                check(timeline)


def counting_replays(trainer: Trainer) -> list[int]:
    """Record how many cycles each ``step_cycle`` call runs (a rewind's replays)."""
    counts: list[int] = []
    step_cycle = trainer.step_cycle

    def counted(n=1):
        counts.append(n)
        step_cycle(n)

    trainer.step_cycle = counted
    return counts


@pytest.mark.slow
def test_a_long_run_rewinds_exactly_to_its_first_cycles_and_its_latest_within_the_budget():
    """60 000 cycles in a 40 KB budget: cycle 0, the first 1 % and the latest each equal a fresh run stopped there."""
    budget = 40_000
    trainer = tiny_trainer()
    timeline = Timeline.for_trainer(trainer, budget=budget)
    sizes = []

    def within_budget(t: Timeline) -> None:
        sizes.append(t.nbytes())
        assert t.earliest == 0  # the start is never dropped

    drive(trainer, 60_000, EVENTS, timeline, within_budget)
    assert max(sizes) <= budget and timeline.nbytes() == timeline._bytes
    assert timeline.stride >= 16 * timeline.interval  # the budget made it thin the old keyframes many times
    full = np.array(timeline.full_keyframe_cycles + (timeline.latest,))
    assert np.diff(full).max() <= timeline.max_replay  # no gap a rewind would replay more than promised
    assert {150, 151, 222, 307, 20_000, 41_000} <= set(timeline.keyframe_cycles)  # the events all stay
    head = trainer.state()

    replays = counting_replays(trainer)
    for k in (0, 1, 149, 150, 151, 152, 222, 306, 307, 308, 599, 19_999, 20_000, 41_001, 59_999, 60_000):
        replays.clear()
        timeline.rewind(trainer, k)
        assert sum(replays) <= timeline.max_replay, k
        fresh = tiny_trainer()
        drive(fresh, k, EVENTS)
        assert_same_trainer_state(trainer, fresh)
    assert not timeline.rewound  # back at the latest
    for key in ("params", "cycle", "position"):
        assert np.array_equal(trainer.state()[key], head[key])


def test_the_latest_and_a_cut_run_go_on_exactly():
    """Continuing from an early cycle of a thinned run, with a weight edit there, gives the run that never went further.
    """
    trainer = tiny_trainer()
    timeline = Timeline.for_trainer(trainer, budget=20_000)
    drive(trainer, 6_000, EVENTS, timeline)
    timeline.rewind(trainer, 230)
    assert timeline.continue_from_here() == 230
    assert timeline.latest == 230 and max(timeline.keyframe_cycles) <= 230
    full = timeline.full_keyframe_cycles
    later = {230: edit_weight}
    drive(trainer, 1_000, later, timeline)
    assert 230 not in full and 230 not in timeline.full_keyframe_cycles  # the edit is a patch, not a keyframe
    timeline.rewind(trainer, 500)
    straight = tiny_trainer()
    drive(straight, 230, EVENTS)
    drive(straight, 500, later)
    assert_same_trainer_state(trainer, straight)


def test_an_edit_to_minus_zero_is_kept_bit_for_bit():
    """A bias set from 0.0 to −0.0 is a change: rewinding to that cycle gives −0.0 back."""
    trainer = tiny_trainer()
    timeline = Timeline.for_trainer(trainer)
    bias = trainer.network.layers[0].b
    assert bias[0] == 0.0 and not np.signbit(bias[0])

    def negative_zero(t):
        t.network.layers[0].b[0] = -0.0

    drive(trainer, 40, {0: negative_zero}, timeline)  # at cycle 0, before training moves the bias
    timeline.rewind(trainer, 0)
    assert np.signbit(trainer.network.layers[0].b[0])


@pytest.mark.slow
def test_events_every_cycle_are_kept_as_small_patches():
    """A learning rate dragged during Run: 3 000 changes stay reachable, each in under a kilobyte."""
    trainer = tiny_trainer()
    timeline = Timeline.for_trainer(trainer, budget=4 * 2**20)
    drag = {c: set_learning_rate(0.1 + c * 1e-4) for c in range(1000, 4000)}
    drive(trainer, 5_000, drag, timeline)
    assert timeline.earliest == 0 and timeline.stride == 2 * timeline.interval
    patches = len(timeline) - len(timeline.full_keyframe_cycles)
    assert patches == 3000
    assert timeline.nbytes() < 5_000 / timeline.interval * timeline.frame_bytes + 3000 * 1000
    for k in (1000, 2345, 3999, 4000):
        timeline.rewind(trainer, k)
        fresh = tiny_trainer()
        drive(fresh, k, drag)
        assert_same_trainer_state(trainer, fresh)


def test_when_barriers_alone_outgrow_the_budget_the_oldest_go():
    """Full keyframes at every cycle in the smallest budget: memory holds, what stays reachable is exact."""
    trainer = tiny_trainer()
    timeline = Timeline.for_trainer(trainer, budget=1)
    barrage = {c: restore_all_weights for c in range(0, 600, 3)}
    drive(trainer, 600, barrage, timeline, check=assert_within)
    timeline.rewind(trainer, 600)  # keeps the head as a keyframe, which may push the oldest out
    assert_within(timeline)
    first = timeline.earliest
    assert first > 0  # the reach shrank instead of memory growing
    timeline.rewind(trainer, first + 1)
    fresh = tiny_trainer()
    drive(fresh, first + 1, barrage)
    assert_same_trainer_state(trainer, fresh)


def assert_within(timeline: Timeline) -> None:
    assert timeline.nbytes() <= timeline.budget


@pytest.mark.slow
def test_a_session_rewinds_to_cycle_0_after_a_long_run():
    """The default budget keeps a 2-4-1 XOR run whole: 20 000 cycles back to 0, no replay past 2·interval."""
    config = SessionConfig(hyper=HYPER, batch_size=10)
    session = TrainingSession(config)
    session.step("cycle", 20_000)
    timeline = session.timeline
    assert session.snapshot().timeline == (0, 20_000)
    assert timeline.stride == 2 * timeline.interval and timeline.nbytes() < DEFAULT_BUDGET
    for k in (0, 123, 20_000):
        session.rewind(k)
        fresh = TrainingSession(config)
        fresh.step("cycle", k)
        assert_same_trainer_state(session.trainer, fresh.trainer)
