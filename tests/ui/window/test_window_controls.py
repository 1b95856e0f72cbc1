"""The training controls in the window: what they show is what the trainer gets.

Each dataset starts at a learning rate that suits it (XOR's 2.0 diverges on the plane in
a few cycles), L1 and the loss reach the trainer, the run speed reaches every trainer the
window starts, and the first hint names the data in use.
"""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.ui import MainWindow

TIMEOUT = 20_000


def pick(window, qtbot, name):
    combo = window.dataset_panel.dataset_combo
    combo.setCurrentIndex(combo.findData(name))
    qtbot.waitUntil(lambda: window.data_view is not None and window.data_view.name == name, timeout=TIMEOUT)


def step(window, qtbot, n):
    target = window.latest.cycle + n
    window.controls.step_count_spin.setValue(n)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == target or "diverged" in window.latest.message, timeout=TIMEOUT)


def spy(window) -> list[tuple]:
    """Every command the window sends from now on."""
    commands: list[tuple] = []
    window.sig_command.connect(commands.append)
    return commands


def test_switching_from_xor_to_plane_starts_at_the_planes_rate_and_learns(make_window, qtbot):
    """XOR's 2.0 would diverge within a few cycles; the plane starts at 0.1, sent before its data, and learns."""
    window = make_window()
    assert window.controls.learning_rate_spin.value() == 2.0
    commands = spy(window)
    pick(window, qtbot, "plane")
    names = [name for name, _ in commands]
    assert names.index("set_hyper") < names.index("set_data")
    assert window.latest.hyper.learning_rate == 0.1 and window.latest.cycle == 0
    qtbot.waitUntil(lambda: "Learning rate 0.1" in window.statusBar().currentMessage(), timeout=TIMEOUT)
    assert "Data: plane" in window.statusBar().currentMessage()  # the data's own message stays
    step(window, qtbot, 300)
    assert "diverged" not in window.latest.message and window.latest.cycle == 300
    losses = window.latest.batch_loss
    assert np.isfinite(losses).all() and losses[-20:].mean() < 0.2 * losses[:5].mean()


def test_a_deep_tanh_spiral_starts_gently(make_window, qtbot):
    window = make_window(SessionConfig(hidden=(8, 8, 8), activations=("tanh", "tanh", "tanh", "sigmoid")))
    pick(window, qtbot, "spiral")
    assert window.latest.hyper.learning_rate == 0.3 == window.controls.learning_rate_spin.value()


def test_the_learners_own_rate_stays_with_its_dataset(make_window, qtbot):
    window = make_window()
    window.controls.learning_rate_spin.setValue(0.7)  # on XOR
    pick(window, qtbot, "plane")
    assert window.latest.hyper.learning_rate == 0.1
    pick(window, qtbot, "xor")
    assert window.latest.hyper.learning_rate == 0.7 == window.controls.learning_rate_spin.value()
    qtbot.waitUntil(lambda: "the one you set for XOR" in window.statusBar().currentMessage(), timeout=TIMEOUT)


def test_l1_reaches_the_trainer_and_other_changes_keep_it(make_window, qtbot):
    window = make_window()
    c = window.controls
    c.l1_spin.setValue(0.01)
    qtbot.waitUntil(lambda: window.latest.hyper.l1 == 0.01, timeout=TIMEOUT)
    c.momentum_spin.setValue(0.5)
    qtbot.waitUntil(lambda: window.latest.hyper.momentum == 0.5, timeout=TIMEOUT)
    assert window.latest.hyper.l1 == 0.01 and window.latest.hyper == c.hyperparameters()


def test_a_reopened_noise_decay_is_kept_by_the_next_change(make_window, qtbot):
    window = make_window(SessionConfig(hyper=Hyperparameters(learning_rate=2.0, noise=0.1, noise_decay=0.9)))
    window.controls.momentum_spin.setValue(0.3)
    qtbot.waitUntil(lambda: window.latest.hyper.momentum == 0.3, timeout=TIMEOUT)
    assert window.latest.hyper.noise_decay == 0.9


def test_the_loss_changes_the_network_spec_as_the_clis_loss_does(make_window, qtbot):
    window = make_window()
    combo = window.controls.loss_combo
    combo.setCurrentIndex(combo.findData("cross_entropy"))
    qtbot.waitUntil(lambda: window.latest.spec.loss == "cross_entropy", timeout=TIMEOUT)
    assert window.latest.spec.sizes == (2, 4, 1) and window.config.loss == "cross_entropy"
    assert "cross-entropy" in window.network_summary.text()
    step(window, qtbot, 5)
    assert window.latest.cycle == 5  # it trains on it


def test_regression_trains_on_mse_and_the_loss_box_says_why(make_window, qtbot):
    window = make_window()
    combo = window.controls.loss_combo
    combo.setCurrentIndex(combo.findData("cross_entropy"))
    qtbot.waitUntil(lambda: window.latest.spec.loss == "cross_entropy", timeout=TIMEOUT)
    pick(window, qtbot, "plane")
    qtbot.waitUntil(lambda: window.controls.loss() == "mse", timeout=TIMEOUT)
    assert window.latest.spec.loss == "mse" and window.latest.spec.activations[-1] == "linear"
    item = combo.model().item(combo.findData("cross_entropy"))
    assert not item.isEnabled() and "linear" in combo.toolTip()


def test_each_dataset_has_its_speed_and_it_is_sent_before_its_data(make_window, qtbot):
    window = make_window()
    assert window.controls.speed() == 30.0
    commands = spy(window)
    pick(window, qtbot, "digits")
    assert ("set_speed", (200.0,)) in commands
    assert commands.index(("set_speed", (200.0,))) < [name for name, _ in commands].index("set_data")
    assert window.controls.speed_label.text() == "200 cycles/s"


@pytest.mark.slow
def test_a_new_window_tells_its_trainer_the_speed(qtbot):
    window = MainWindow(SessionConfig(data=DataSpec("spiral")), remember=False)
    commands = spy(window)  # before the first snapshot can arrive: it comes through the event loop
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: ("set_speed", (300.0,)) in commands, timeout=30_000)
    window.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kills the trainer's process")
def test_a_restarted_trainer_is_told_the_speed_too(make_window, qtbot):
    window = make_window()
    window.controls.speed_slider.setCurrentIndex(0)  # 1 cycle/s
    os.kill(window.worker.trainer_pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not window.trainer_running, timeout=TIMEOUT)
    commands = spy(window)
    window.restart_trainer_action.trigger()
    qtbot.waitUntil(lambda: ("set_speed", (1.0,)) in commands, timeout=TIMEOUT)


@pytest.mark.parametrize("name, label", [("plane", "Plane (regression)"), ("xor", "XOR")])
def test_the_first_hint_names_the_data_in_use(make_window, name, label):
    window = make_window(SessionConfig(data=DataSpec(name), hyper=Hyperparameters(learning_rate=0.1)))
    message = window.statusBar().currentMessage()
    assert message.endswith(f"to watch it learn {label}."), message
