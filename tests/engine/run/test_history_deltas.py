"""History deltas: the trainer's process sends only new loss points; the window's curves stay whole.

The reference is always the trainer's own series (``ThinnedSeries.arrays()``), never
what the code under test assembled: after any mix of commands, the history the window
puts together from the snapshots it received equals it exactly.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from nnstudio.engine.io.sessionfile import save_session
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.history import History, ThinnedSeries
from nnstudio.engine.run.service import _Server
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.snapshot import HistoryReceiver, newest_of


def _filled(n: int, capacity: int = 1 << 10) -> ThinnedSeries:
    series = ThinnedSeries(1, capacity)
    for i in range(n):
        series.append(float(i), float(i) / 2)
    return series


# -- one series ------------------------------------------------------------------------------
def test_after_appends_only_the_new_points_come():
    series = _filled(10)
    mark = series.mark()
    for i in range(10, 13):
        series.append(float(i), float(i) / 2)
    x, values, whole = series.points_since(mark)
    assert not whole
    np.testing.assert_array_equal(x, [10.0, 11.0, 12.0])
    np.testing.assert_array_equal(values[:, 0], [5.0, 5.5, 6.0])
    x, values, whole = series.points_since(series.mark())
    assert not whole and x.shape == (0,) and values.shape == (0, 1)


@pytest.mark.parametrize("change", ["thinned", "cut back", "loaded", "another series", "no mark"])
def test_any_change_but_appending_sends_the_whole_series(change):
    series = _filled(10, capacity=16)
    mark = series.mark()
    if change == "thinned":
        for i in range(10, 17):  # the 17th point fills the buffer: every other point goes
            series.append(float(i), 0.0)
    elif change == "cut back":
        series.truncate(4.0)
        for i in range(5, 12):  # more points than the mark's by now, but not its continuation
            series.append(float(i), 1.0)
    elif change == "loaded":
        series.load_state(_filled(12, capacity=16).state())
    elif change == "another series":
        series = _filled(12, capacity=16)
    else:
        mark = None
    x, values, whole = series.points_since(mark)
    assert whole
    np.testing.assert_array_equal(x, series.arrays()[0])
    np.testing.assert_array_equal(values, series.arrays()[1])


def test_cutting_back_nothing_keeps_the_mark_valid():
    """Continue from the latest cycle cuts nothing: the next points still come as a delta."""
    series = _filled(10)
    mark = series.mark()
    series.truncate(100.0)
    series.append(10.0, 5.0)
    x, _, whole = series.points_since(mark)
    assert not whole and list(x) == [10.0]


# -- the receiver ----------------------------------------------------------------------------
def _pair_of_snapshots():
    session = TrainingSession()
    first = session.snapshot(since=(None, None, None))
    session.step("cycle", 20)
    second = session.snapshot(since=first.history_marks)
    return session, first, second


def test_a_snapshot_that_is_already_whole_passes_unchanged():
    session = TrainingSession()
    whole = session.snapshot()
    assert whole.history_appended is None
    assert HistoryReceiver().complete(whole) is whole


def test_points_before_the_whole_series_are_refused():
    _, _, second = _pair_of_snapshots()
    with pytest.raises(ValueError, match="before the whole series"):
        HistoryReceiver().complete(second)


def test_snapshots_already_handed_out_never_change():
    """Views into the receiver's buffers stay as they were while later points arrive (snapshots are immutable)."""
    session, first, second = _pair_of_snapshots()
    receiver = HistoryReceiver()
    early = receiver.complete(first)
    kept = early.batch_loss.copy(), early.eval_cycles.copy()
    sent, later = second, receiver.complete(second)
    for _ in range(40):  # enough points to outgrow the receiver's first buffer
        session.step("cycle", 7)
        sent = session.snapshot(since=sent.history_marks)
        later = receiver.complete(sent)
    assert len(later.batch_loss) == 20 + 40 * 7
    np.testing.assert_array_equal(early.batch_loss, kept[0])
    np.testing.assert_array_equal(early.eval_cycles, kept[1])
    assert not early.batch_loss.flags.writeable and not later.evaluations.flags.writeable
    with pytest.raises(ValueError):
        later.batch_cycles[0] = 1.0


# -- the trainer's process and the window, end to end -----------------------------------------
class _Pipe:
    """The trainer's end of a pipe: each message pickled and unpickled as a real pipe does, kept in order."""

    def __init__(self) -> None:
        self.messages: list = []

    def send(self, message) -> None:
        self.messages.append(pickle.loads(pickle.dumps(message)))

    def poll(self, timeout: float = 0.0) -> bool:
        return False  # no command waits while one is applied


class _Link:
    """A trainer's command loop (``_Server``) sending through a pipe to the window's receiver."""

    def __init__(self, session: TrainingSession) -> None:
        self.pipe = _Pipe()
        self.server = _Server(self.pipe, session, None)
        self.receiver = HistoryReceiver()
        self.sent: list = []  # the snapshots as they crossed the pipe
        self.latest = None  # the newest snapshot, whole again
        self.server.send_snapshot()
        self.read()

    def read(self) -> None:
        messages, self.pipe.messages = self.pipe.messages, []
        for kind, payload in messages:
            assert kind != "error", payload
            if kind == "snapshot":
                self.sent.append(payload)
                # as the worker relays: every snapshot completed, older ones then dropped
                self.latest = newest_of(self.latest, self.receiver.complete(payload))

    def command(self, name: str, *args) -> None:
        self.server.dispatch((name, args))
        self.read()

    def run(self, chunks: int) -> None:
        self.command("run")
        for _ in range(chunks):
            self.server.train_a_while()
        self.command("pause")

    def assert_whole(self) -> None:
        session = self.server.session
        trainer_series = (session.trainer.history.batch_loss, session.trainer.history.evaluations,
                          session.gradient_norms)
        (bx, by), (ex, ev), (nx, nv) = (series.arrays() for series in trainer_series)
        s = self.latest
        assert s.history_appended is None
        np.testing.assert_array_equal(s.batch_cycles, bx)
        np.testing.assert_array_equal(s.batch_loss, by[:, 0])
        np.testing.assert_array_equal(s.eval_cycles, ex)
        np.testing.assert_array_equal(s.evaluations, ev)
        np.testing.assert_array_equal(s.gradient_norms[0], nx)
        np.testing.assert_array_equal(s.gradient_norms[1], nv)


def test_run_sends_only_new_points_after_the_first_snapshot():
    link = _Link(TrainingSession())
    link.command("step", "cycle", 300)
    before = len(link.latest.batch_cycles)
    link.sent.clear()
    link.run(3)
    sent = [s for s in link.sent if s.history_appended is not None]
    assert sent and all(s.history_appended == (True, True, True) for s in sent)
    # together they carry each new cycle's batch loss once: no point resent
    new_points = sum(len(s.batch_cycles) for s in sent)
    assert new_points == len(link.latest.batch_cycles) - before
    link.assert_whole()


def test_a_step_after_a_long_run_sends_one_point_not_the_whole_curve():
    link = _Link(TrainingSession())
    link.command("step", "cycle", 5000)
    link.command("step", "cycle", 1)
    delta = link.sent[-1]
    assert len(delta.batch_cycles) == 1 and delta.batch_cycles[0] == 5000
    whole = link.server.session.snapshot()
    assert len(whole.batch_cycles) == 5001
    # the 5,000 points not resent, 8-byte cycle and loss each, are what the pipe saves
    assert len(pickle.dumps(whole)) - len(pickle.dumps(delta)) >= 5000 * 16


def test_the_window_history_equals_the_trainers_through_every_kind_of_change(tmp_path):
    """Run, step, phases, rewind, undo, continue, new settings, reset, new shape, new data, opened session."""
    link = _Link(TrainingSession())
    link.run(2)
    link.assert_whole()
    link.command("step", "cycle", 40)
    link.command("step_phase")
    link.command("step_phase")
    link.assert_whole()
    cycle = link.latest.cycle
    link.command("rewind", cycle // 2)  # viewing the past: the curves are kept whole
    link.assert_whole()
    link.command("undo")
    link.command("continue_from_here")  # the curves are cut back: sent whole
    assert link.sent[-1].history_appended[0] is False
    link.assert_whole()
    link.run(2)
    link.assert_whole()
    link.command("rewind", link.latest.cycle - 5)
    link.command("step", "cycle", 3)  # training while rewound continues from there first
    link.assert_whole()
    link.command("set_hyper", Hyperparameters(learning_rate=0.5))
    link.command("set_batch_size", 4)
    link.run(1)
    link.assert_whole()
    link.command("reset")
    assert link.sent[-1].history_appended == (False, False, False)
    link.assert_whole()
    link.command("step", "cycle", 25)
    link.command("set_network", (3, 2), ("sigmoid", "tanh", "sigmoid"))
    link.assert_whole()
    link.run(1)
    link.command("set_data", DataSpec("circle"))
    link.run(1)
    link.assert_whole()
    other = TrainingSession(SessionConfig(data=DataSpec("moons")))
    other.step("cycle", 123)
    path = tmp_path / "moons.nnstudio"
    save_session(path, other)
    link.command("open_session", str(path))
    assert link.latest.cycle == 123 and len(link.latest.batch_cycles) == 123
    link.assert_whole()
    link.run(2)
    link.assert_whole()


def test_thinning_and_a_rollback_after_divergence_resend_the_whole_curves():
    session = TrainingSession(SessionConfig(data=DataSpec("plane"), hyper=Hyperparameters(learning_rate=0.5)))
    link = _Link(session)
    # A short history so that a few hundred cycles thin it (a reset makes such a new one too).
    session.trainer.history = History(capacity=64)
    link.command("step", "cycle", 50)
    link.command("step", "cycle", 30)  # passes 64 points: thinned
    assert session.trainer.history.batch_loss.stride == 2
    link.assert_whole()
    link.command("set_hyper", Hyperparameters(learning_rate=100.0))
    link.run(3)  # the loss runs away: back to the last sane checkpoint, curves cut there
    assert "diverged" in link.latest.message
    link.assert_whole()
    link.command("set_hyper", Hyperparameters(learning_rate=0.5))
    link.command("step", "cycle", 10)
    link.assert_whole()
