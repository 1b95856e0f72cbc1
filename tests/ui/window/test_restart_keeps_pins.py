"""A run pinned after the trainer's last checkpoint is still pinned in the trainer restarted after it was killed."""

import os
import signal

import pytest

from nnstudio.engine.io.sessionfile import read_pinned_runs

TIMEOUT = 20_000

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kills the trainer's process")


def test_a_pin_made_after_the_last_checkpoint_is_saved_by_the_restarted_trainer(make_window, qtbot, monkeypatch,
                                                                                tmp_path):
    window = make_window()
    window.controls.step_count_spin.setValue(10)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.worker.checkpoint_cycle == 10, timeout=TIMEOUT)
    window.pin_run_action.trigger()
    assert len(window.pinned_runs.pins) == 1
    qtbot.waitUntil(lambda: len(window.worker.checkpoint["pinned_runs"]) == 1, timeout=TIMEOUT)

    os.kill(window.worker.trainer_pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not window.trainer_running, timeout=TIMEOUT)
    window.restart_button.click()
    qtbot.waitUntil(lambda: "restarted at cycle 10" in window.statusBar().currentMessage(), timeout=TIMEOUT)

    path = tmp_path / "restarted.nnstudio"
    monkeypatch.setattr(window.sessions, "ask_save_path", lambda: str(path))
    window.sessions.save_as()
    qtbot.waitUntil(lambda: window.sessions.path == path, timeout=TIMEOUT)
    assert [pin.cycle for pin in read_pinned_runs(path)] == [pin.cycle for pin in window.pinned_runs.pins] == [10]
