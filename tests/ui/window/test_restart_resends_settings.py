"""The trainer gets the speed and layer view the controls show again: after Restart trainer, and a reopened session."""

import os
import signal

import pytest
from support.acknowledged import settle

from nnstudio.ui.learning.speed_slider import SpeedSlider

TIMEOUT = 20_000

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kills the trainer's process")


def _record_sent(window, monkeypatch) -> list[tuple[str, tuple, int]]:
    """Every command the window hands its worker from now on, with its sequence number."""
    sent = []
    worker_send = window.worker.send

    def send(command: tuple) -> int:
        seq = worker_send(command)
        sent.append((*command, seq))
        return seq

    monkeypatch.setattr(window.worker, "send", send)
    return sent


def test_a_restarted_trainer_paces_and_maps_the_layer_as_the_controls_say(make_window, qtbot, monkeypatch):
    window = make_window()
    window.controls.speed_slider.setValue(SpeedSlider.index_of(10.0))
    window.heatmap_tabs.setCurrentWidget(window.layer_view)
    window.layer_view.neuron_x_combo.setCurrentIndex(1)
    chosen = window.layer_view.choice()
    assert chosen[1] == 1
    settle(qtbot, window)
    assert window.latest.layer_view is not None

    os.kill(window.worker.trainer_pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not window.trainer_running, timeout=TIMEOUT)
    sent = _record_sent(window, monkeypatch)
    window.restart_button.click()
    window.controls.run_button.click()  # at once: before the new trainer's first snapshot
    settle(qtbot, window)

    names = [name for name, _args, _seq in sent]
    assert "run" in names
    before_run = sent[:names.index("run")]
    assert ("set_speed", (10.0,)) in [(name, args) for name, args, _seq in before_run]
    assert ("set_layer_view", chosen) in [(name, args) for name, args, _seq in before_run]
    # Numbered after the restart and acknowledged: the new trainer, not the dead one, dealt with them.
    assert all(seq > 0 for _name, _args, seq in sent)
    assert window.latest.acknowledged >= max(seq for _name, _args, seq in before_run)
    assert window.latest.layer_view is not None
    assert window.latest.running


def test_a_reopened_session_maps_the_layer_view_shown(make_window, qtbot, monkeypatch, tmp_path):
    window = make_window()
    window.heatmap_tabs.setCurrentWidget(window.layer_view)
    settle(qtbot, window)
    assert window.latest.layer_view is not None
    path = tmp_path / "kept.nnstudio"
    monkeypatch.setattr(window.sessions, "ask_save_path", lambda: str(path))
    window.sessions.save_as()
    qtbot.waitUntil(lambda: window.sessions.path == path, timeout=TIMEOUT)

    generation = window.latest.generation
    window.sessions.open(path)
    qtbot.waitUntil(lambda: window.latest.generation > generation, timeout=TIMEOUT)
    settle(qtbot, window)
    assert window.latest.layer_view is not None
