"""The trainer's process under the window: its death turns training off and says so, Restart
trainer goes on from the last checkpoint, and quitting never waits on a trainer that cannot answer."""

import os
import signal

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.ui import MainWindow
from nnstudio.ui.window import session_menu

TIMEOUT = 20_000
#: Longer than any test may take: a save on quit that only ends on its timeout fails the test.
SAVE_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kills the trainer's process")


def step(window, qtbot, n):
    target = window.latest.cycle + n
    window.controls.step_count_spin.setValue(n)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == target, timeout=TIMEOUT)


def kill_trainer(window, qtbot):
    """SIGKILL the trainer; returns what the window then says (the reason, whether Restart trainer is offered)."""
    os.kill(window.worker.trainer_pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not window.trainer_running, timeout=TIMEOUT)
    return window.trainer_stopped_label.text(), window.restart_button.isVisibleTo(window)


def training_widgets_enabled(window) -> list[bool]:
    c = window.controls
    return [c.step_button.isEnabled(), c.run_button.isEnabled(), c.reset_button.isEnabled(),
            c.learning_rate_spin.isEnabled(), window.add_layer_button.isEnabled(),
            window.dataset_panel.dataset_combo.isEnabled(), window.step_action.isEnabled(),
            window.run_action.isEnabled(), window.sessions.save_action.isEnabled(),
            window.export_menu.menuAction().isEnabled()]


def asking_window(qtbot):
    """A window that asks about unsaved work on quit, as the app's does."""
    window = MainWindow(remember=False, confirm_close=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.latest is not None, timeout=TIMEOUT)
    return window


def saving_on_quit(qtbot, monkeypatch, path) -> MainWindow:
    """An asking window 3 cycles in whose quit prompt is answered Save, to ``path``."""
    monkeypatch.setattr(session_menu, "SAVE_TIMEOUT_MS", SAVE_TIMEOUT_MS)
    window = asking_window(qtbot)
    step(window, qtbot, 3)
    monkeypatch.setattr(window.sessions, "ask_unsaved", lambda: QMessageBox.StandardButton.Save)
    monkeypatch.setattr(window.sessions, "ask_save_path", lambda: str(path))
    return window


def close_for_good(window, monkeypatch):
    monkeypatch.setattr(window.sessions, "ask_unsaved", lambda: QMessageBox.StandardButton.Discard)
    window.close()
    assert not window.isVisible() and window._thread.isFinished()


def test_a_killed_trainer_turns_training_off_and_restart_goes_on_from_its_checkpoint(make_window, qtbot):
    """Kill the trainer at cycle 30: controls off, the reason and Restart trainer shown; after the
    restart 20 more cycles give exactly the weights of 50 cycles in one headless session."""
    window = make_window()
    step(window, qtbot, 30)
    qtbot.waitUntil(lambda: window.worker.checkpoint_cycle == 30, timeout=TIMEOUT)
    assert all(training_widgets_enabled(window))
    message, restartable = kill_trainer(window, qtbot)

    assert restartable and "killed (SIGKILL)" in message and "cycle 30" in message
    assert not any(training_widgets_enabled(window))
    assert window.trainer_stopped_label.isVisibleTo(window)
    assert window.restart_button.isVisibleTo(window) and window.restart_trainer_action.isEnabled()
    window.send("step", "cycle", 1)  # a command with no trainer is not silently dropped
    assert "not running" in window.statusBar().currentMessage()

    window.restart_button.click()
    qtbot.waitUntil(lambda: "restarted at cycle 30" in window.statusBar().currentMessage(), timeout=TIMEOUT)
    assert all(training_widgets_enabled(window)) and not window.restart_trainer_action.isEnabled()
    assert not window.trainer_stopped_label.isVisibleTo(window) and not window.restart_button.isVisibleTo(window)
    assert window.latest.cycle == 30
    step(window, qtbot, 20)

    reference = TrainingSession(SessionConfig())
    reference.step("cycle", 30)
    reference.step("cycle", 20)
    for shown, expected in zip(window.latest.weights, reference.network.weights):
        np.testing.assert_array_equal(shown, expected)


def test_without_a_checkpoint_restart_starts_from_the_settings(make_window, qtbot):
    """Killed before any checkpoint: the message says so, and Restart trainer (the menu action) starts afresh."""
    window = make_window(SessionConfig(hidden=(3,)))
    assert window.worker.checkpoint_cycle is None
    message, restartable = kill_trainer(window, qtbot)
    assert restartable and "current settings" in message
    window.restart_trainer_action.trigger()
    qtbot.waitUntil(lambda: "restarted at cycle 0" in window.statusBar().currentMessage(), timeout=TIMEOUT)
    assert window.latest.spec.sizes == (2, 3, 1)
    step(window, qtbot, 2)


@pytest.mark.slow
def test_the_quit_prompt_pauses_training_and_cancel_runs_it_on(qtbot, monkeypatch):
    """While "Unsaved changes" is open the trainer is paused; Cancel resumes the run; Discard quits."""
    window = asking_window(qtbot)
    window.controls.run_button.click()
    qtbot.waitUntil(lambda: window.latest.running and window.latest.cycle > 0, timeout=TIMEOUT)
    paused = {}

    def ask():
        qtbot.waitUntil(lambda: not window.latest.running, timeout=TIMEOUT)
        paused["at"] = window.latest.cycle
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(window.sessions, "ask_unsaved", ask)
    window.close()
    assert window.isVisible() and "at" in paused
    qtbot.waitUntil(lambda: window.latest.running and window.latest.cycle > paused["at"], timeout=TIMEOUT)
    assert window.controls.run_button.isChecked()
    close_for_good(window, monkeypatch)


@pytest.mark.slow
def test_a_paused_window_stays_paused_after_a_cancelled_quit(qtbot, monkeypatch):
    window = asking_window(qtbot)
    step(window, qtbot, 3)
    monkeypatch.setattr(window.sessions, "ask_unsaved", lambda: QMessageBox.StandardButton.Cancel)
    sent = []
    window.sig_command.connect(sent.append)
    window.close()
    assert window.isVisible() and sent == []  # neither pause nor run: it was not running
    close_for_good(window, monkeypatch)


@pytest.mark.slow
def test_a_save_on_quit_ends_at_once_when_the_trainer_dies_meanwhile(qtbot, monkeypatch, tmp_path):
    """The trainer is stopped, then killed, while the window waits for the save: the wait ends, the window stays."""
    path = tmp_path / "on_quit.nnstudio"
    window = saving_on_quit(qtbot, monkeypatch, path)
    pid = window.worker.trainer_pid
    os.kill(pid, signal.SIGSTOP)  # it cannot write the session
    QTimer.singleShot(100, lambda: os.kill(pid, signal.SIGKILL))  # dies while the window waits
    window.close()
    assert window.isVisible() and not path.exists()
    assert window.trainer_stopped_label.isVisibleTo(window) and "SIGKILL" in window.trainer_stopped_label.text()
    assert "did not confirm" not in window.statusBar().currentMessage()
    window.close()  # Save again, the trainer down: refused at once, with what to do
    assert window.isVisible() and "not running" in window.statusBar().currentMessage()
    close_for_good(window, monkeypatch)


@pytest.mark.slow
def test_a_refused_save_on_quit_ends_the_wait_at_once(qtbot, monkeypatch, tmp_path):
    """A save the trainer refuses (no such folder) ends the wait: the window stays open and says why."""
    window = saving_on_quit(qtbot, monkeypatch, tmp_path / "no such folder" / "x.nnstudio")
    window.close()
    assert window.isVisible()
    qtbot.waitUntil(lambda: "x.nnstudio" in window.statusBar().currentMessage(), timeout=TIMEOUT)
    assert window.trainer_running
    close_for_good(window, monkeypatch)
