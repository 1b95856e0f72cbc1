"""The worker's side of the command protocol: numbered commands, acknowledgements, and a loop that sleeps while idle."""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtCore import QThread
from support.acknowledged import wait_acknowledged
from support.worker_signals import WorkerSignals

from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.ui.window import worker as worker_module
from nnstudio.ui.window.worker import TrainingWorker

XOR = SessionConfig(data=DataSpec("xor", n_samples=40))
TIMEOUT = 20_000


@pytest.fixture
def started(qtbot):
    """Start a worker on its own thread as the window does; returns (worker, recorder). Joined afterwards."""
    workers = []

    def start(config: SessionConfig = XOR):
        worker = TrainingWorker(config)
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.sig_finished.connect(thread.quit)
        recorder = WorkerSignals(worker, snapshots=True)
        thread.start()
        workers.append((worker, thread, recorder))
        qtbot.waitUntil(lambda: bool(recorder.snapshots), timeout=TIMEOUT)
        return worker, recorder

    yield start
    for worker, thread, _ in workers:
        worker.request_stop()
        thread.quit()  # its event loop, entered once run() returns (sig_finished reaches quit only through ours)
        assert thread.wait(10_000), "the worker's thread did not end"


def test_commands_are_numbered_from_one_and_snapshots_acknowledge_them_in_order(started, qtbot):
    worker, recorder = started()
    assert (worker.sent, worker.acknowledged, recorder.snapshots[0].acknowledged) == (0, 0, 0)
    numbers = [worker.send(("step", ("cycle", n))) for n in (1, 2, 3)]
    assert numbers == [1, 2, 3] and worker.sent == 3
    wait_acknowledged(qtbot, worker, 3)
    last = recorder.snapshots[-1]
    assert (last.acknowledged, last.cycle) == (3, 6)  # 1 + 2 + 3 cycles, all applied
    assert recorder.acknowledged == sorted(recorder.acknowledged) and recorder.acknowledged[-1] == 3
    assert all(s.acknowledged <= t.acknowledged for s, t in zip(recorder.snapshots, recorder.snapshots[1:]))


def test_a_refused_command_is_named_by_its_number_and_still_acknowledged(started, qtbot):
    worker, recorder = started()
    worker.send(("step", ("cycle", 1)))
    seq = worker.send(("step", ("cycle", 0)))
    wait_acknowledged(qtbot, worker, seq)
    assert recorder.errors == [f"step: n must be a whole number ≥ 1, got 0 (command {seq})"]
    assert recorder.snapshots[-1].cycle == 1


def test_a_dead_trainer_drops_commands_and_a_restarted_one_acknowledges_on(started, qtbot):
    worker, recorder = started()
    wait_acknowledged(qtbot, worker, worker.send(("step", ("cycle", 2))))
    os.kill(worker.trainer_pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: bool(recorder.deaths), timeout=TIMEOUT)
    assert worker.send(("step", ("cycle", 1))) == 0 and worker.sent == 1
    worker.restart(XOR)
    seq = worker.send(("step", ("cycle", 3)))
    assert seq == 2
    wait_acknowledged(qtbot, worker, seq)
    assert recorder.snapshots[-1].cycle == 3  # no checkpoint yet: the restart began from the settings
    assert recorder.acknowledged == sorted(recorder.acknowledged)


def test_an_idle_worker_sleeps_until_a_command_wakes_it(started, qtbot, monkeypatch):
    """Measures time on purpose: half a second of an idle trainer wakes the loop not once (a 10 ms poll: ~50 times)."""
    wakes = []
    real_wait = worker_module.wait

    def counted_wait(objects, timeout=None):
        ready = real_wait(objects, timeout)
        wakes.append(len(ready))
        return ready

    monkeypatch.setattr(worker_module, "wait", counted_wait)
    worker, _ = started()  # a fresh trainer sends nothing after its first snapshot
    before = len(wakes)
    qtbot.wait(500)
    assert len(wakes) == before, f"the idle loop woke {len(wakes) - before} times"
    wait_acknowledged(qtbot, worker, worker.send(("snapshot", ())))
    assert len(wakes) > before


def test_a_window_command_returns_its_number_and_the_drawn_snapshot_acknowledges_it(make_window, qtbot):
    window = make_window(XOR)
    seq = window.send("step", "cycle", 5)
    assert seq == window.worker.sent > 0
    wait_acknowledged(qtbot, window, seq)
    assert window.latest.cycle == 5 and window.latest.acknowledged == seq
