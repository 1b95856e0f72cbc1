"""A paced run keeps its speed: N cycles per second is N, whatever a cycle and its snapshot cost.

Every test runs on a fake clock: the loop's waits, cycles and snapshots move it on by
set amounts, so the figures are exact and no test waits.
"""

from __future__ import annotations

import math

import pytest

from nnstudio.engine.run.pacing import Pacer
from nnstudio.engine.run.service import SNAPSHOTS_PER_SECOND, _Server
from nnstudio.engine.run.session import TrainingSession


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def poll_wait(seconds: float) -> float:
    """What a pipe's poll really waits: whole milliseconds, rounded up (selectors' poll)."""
    return math.ceil(seconds * 1000) / 1000


def simulate(speed: float, seconds: float, cycle_cost: float, snapshot_cost: float,
             stall_at: float | None = None, stall: float = 0.0):
    """The trainer's paced loop on a fake clock: (cycles run, snapshots sent, largest group of cycles run at once)."""
    clock = FakeClock()
    pacer = Pacer(speed, SNAPSHOTS_PER_SECOND, clock=clock)
    pacer.restart()
    start = clock.now
    end = start + seconds
    cycles = snapshots = largest = 0
    stalled = stall_at is None
    while clock.now < end:
        if not stalled and clock.now >= start + stall_at:
            clock.advance(stall)  # a long command, a busy machine
            stalled = True
        clock.advance(poll_wait(pacer.seconds_to_wait()))
        due = pacer.take_due()
        if not due:
            continue
        cycles += due
        largest = max(largest, due)
        clock.advance(due * cycle_cost)
        if pacer.snapshot_due():
            clock.advance(snapshot_cost)
            snapshots += 1
    return cycles, snapshots, largest


@pytest.mark.parametrize("speed", [1.0, 10.0, 30.0, 100.0, 300.0, 1000.0])
def test_n_cycles_per_second_is_n_whatever_the_cycle_and_snapshot_cost(speed):
    """10 s at N/s run 10·N cycles (±1), with cycles of 0.2 ms and snapshots of 3 ms.

    Sleeping 1/N after each cycle and its snapshot, as the trainer once did, makes a period of
    10 + 0.2 + 3 ms at 100/s: 75.8 cycles a second.
    """
    cycles, _, _ = simulate(speed, 10.0, cycle_cost=0.0002, snapshot_cost=0.003)
    assert abs(cycles - 10 * speed) <= 1


@pytest.mark.parametrize("speed", [1.0, 10.0, 30.0])
def test_up_to_the_snapshot_rate_every_cycle_is_shown(speed):
    cycles, snapshots, largest = simulate(speed, 10.0, cycle_cost=0.0005, snapshot_cost=0.002)
    assert snapshots == cycles and largest == 1


@pytest.mark.parametrize("speed", [31.0, 100.0, 1000.0])
def test_above_the_snapshot_rate_at_most_30_snapshots_a_second(speed):
    cycles, snapshots, _ = simulate(speed, 10.0, cycle_cost=0.0002, snapshot_cost=0.003)
    assert 10 * SNAPSHOTS_PER_SECOND - 1 <= snapshots <= 10 * SNAPSHOTS_PER_SECOND + 1
    assert abs(cycles - 10 * speed) <= 1


@pytest.mark.parametrize("speed, backlog", [(10.0, 1), (100.0, 100 / 30), (1000.0, 1000 / 30)])
def test_a_stall_is_caught_up_without_a_burst(speed, backlog):
    """After a 2 s stall the run goes on at its pace, catching up one period or one snapshot interval at most.

    The backlog kept is the larger of one period (1 cycle) and one snapshot interval
    (speed/30 cycles); the cycles due now come on top.
    """
    cycles, _, largest = simulate(speed, 10.0, cycle_cost=0.0002, snapshot_cost=0.003, stall_at=3.0, stall=2.0)
    assert largest <= math.floor(backlog) + 1
    # The rest of the stall's backlog is dropped, not made up: 8 s of cycles and the backlog kept.
    assert abs(cycles - (8 * speed + backlog)) <= 3


def test_the_schedule_starts_when_run_is_pressed_not_when_the_speed_was_set():
    clock = FakeClock()
    pacer = Pacer(10.0, clock=clock)
    clock.advance(60.0)  # paused for a minute
    pacer.restart()
    assert pacer.take_due() == 1 and pacer.take_due() == 0
    assert pacer.seconds_to_wait() == pytest.approx(0.1)
    clock.advance(0.1)
    assert pacer.seconds_to_wait() == 0.0 and pacer.take_due() == 1


def test_a_new_speed_applies_from_now():
    clock = FakeClock()
    pacer = Pacer(1.0, clock=clock)
    assert pacer.take_due() == 1
    assert pacer.seconds_to_wait() == pytest.approx(1.0)
    pacer.set_speed(100.0)
    assert pacer.take_due() == 1 and pacer.seconds_to_wait() == pytest.approx(0.01)


def test_full_speed_never_waits_and_snapshots_at_the_snapshot_rate():
    clock = FakeClock()
    pacer = Pacer(None, clock=clock)
    assert pacer.seconds_to_wait() == 0.0 and pacer.take_due() == 1
    assert pacer.snapshot_due() and not pacer.snapshot_due()
    clock.advance(0.01)
    assert not pacer.snapshot_due()
    clock.advance(1 / SNAPSHOTS_PER_SECOND)
    assert pacer.snapshot_due() and not pacer.snapshot_due()


def test_after_a_stall_snapshots_do_not_come_two_at_once():
    clock = FakeClock()
    pacer = Pacer(1000.0, clock=clock)
    assert pacer.snapshot_due()
    clock.advance(5.0)
    assert pacer.snapshot_due() and not pacer.snapshot_due()
    clock.advance(1 / SNAPSHOTS_PER_SECOND)
    assert pacer.snapshot_due()


@pytest.mark.parametrize("speed", [0.0, -1.0, math.inf, math.nan])
def test_a_speed_that_is_not_a_positive_number_is_refused(speed):
    with pytest.raises(ValueError, match="speed must be"):
        Pacer(speed)


# -- the trainer's own loop, on the fake clock ------------------------------------------------

class FakeConnection:
    """The window's end of the pipe as the trainer sees it: polls wait on the fake clock, snapshots cost time."""

    def __init__(self, clock: FakeClock, snapshot_cost: float) -> None:
        self.clock, self.snapshot_cost = clock, snapshot_cost
        self.snapshots = 0

    def poll(self, timeout: float = 0.0) -> bool:
        self.clock.advance(poll_wait(timeout))
        return False

    def send(self, message) -> None:
        if message[0] == "snapshot":
            self.snapshots += 1
            self.clock.advance(self.snapshot_cost)


@pytest.mark.parametrize("speed", [10.0, 100.0, 1000.0])
def test_the_trainer_runs_n_cycles_per_second_and_sends_at_most_30_snapshots(speed):
    """The service's loop with a real session: 5 s at N/s run 5·N cycles (±1) whatever a cycle costs."""
    clock = FakeClock()
    conn = FakeConnection(clock, snapshot_cost=0.004)
    session = TrainingSession()
    server = _Server(conn, session, None)
    server.pacer.clock = clock
    real_run_for = session.run_for

    def run_for(seconds, max_cycles=None):
        done = real_run_for(seconds, max_cycles)
        clock.advance(done * 0.0005)  # each cycle costs half a millisecond
        return done

    session.run_for = run_for
    server.set_speed(speed)
    server.run()
    end = clock.now + 5.0
    while clock.now < end:
        if server._next_message() is None and session.running:
            server.train_a_while()
    assert abs(session.trainer.cycle - 5 * speed) <= 1
    assert conn.snapshots <= 5 * min(speed, SNAPSHOTS_PER_SECOND) + 1
