"""The README's divergence demo, done in the window as a learner would."""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

TIMEOUT = 20_000


def test_a_rate_far_too_high_pauses_on_the_last_sane_cycle(make_window, qtbot):
    """Plane, 200 cycles at lr 0.5, then Run at lr 1000: paused at cycle 200 with its weights and a hint."""
    window = make_window()
    combo = window.dataset_panel.dataset_combo
    combo.setCurrentIndex(combo.findData("plane"))
    qtbot.waitUntil(lambda: window.data_view is not None and window.data_view.name == "plane", timeout=TIMEOUT)
    controls = window.controls
    controls.learning_rate_spin.setValue(0.5)
    qtbot.waitUntil(lambda: window.latest.hyper.learning_rate == 0.5, timeout=TIMEOUT)
    controls.step_count_spin.setValue(200)
    qtbot.mouseClick(controls.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.latest.cycle == 200, timeout=TIMEOUT)
    calm_loss = window.latest.evaluation.train_loss
    controls.learning_rate_spin.setValue(1000.0)
    assert controls.learning_rate_spin.value() == 1000.0  # within the box's reach
    qtbot.waitUntil(lambda: window.latest.hyper.learning_rate == 1000.0, timeout=TIMEOUT)
    qtbot.mouseClick(controls.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "diverged" in window.statusBar().currentMessage(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not window.latest.running, timeout=TIMEOUT)
    message = window.statusBar().currentMessage()
    assert "Paused at cycle 200" in message and "smaller learning rate" in message
    assert not controls.run_button.isChecked()
    latest = window.latest
    assert latest.cycle == 200 and window.findChild(QLabel, "cycleCounterLabel").text() == "200"
    assert all(np.isfinite(w).all() for w in latest.weights)
    assert latest.evaluation.train_loss == calm_loss  # the weights of cycle 200, as they were
