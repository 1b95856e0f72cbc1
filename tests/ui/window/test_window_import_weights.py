"""File › Import weights in the window, the status bar after phase steps, and regression numbers in the inspector."""

import numpy as np
from PySide6.QtWidgets import QPushButton
from support.acknowledged import wait_acknowledged
from support.refusals import refusals

from nnstudio.engine.io.formats import load_weights
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession

TIMEOUT = 20_000


def step(window, qtbot, n):
    target = window.latest.cycle + n
    window.controls.step_count_spin.setValue(n)
    window.findChild(QPushButton, "stepButton").click()
    qtbot.waitUntil(lambda: window.latest.cycle == target, timeout=TIMEOUT)


def shown(window, qtbot, condition):
    """Wait until the window has drawn a snapshot that meets ``condition``."""
    qtbot.waitUntil(lambda: window.latest is not None and condition(window.latest), timeout=TIMEOUT)


def import_weights(window, monkeypatch, path):
    monkeypatch.setattr(window.import_weights_action, "ask_path", lambda: str(path))
    window.import_weights_action.trigger()


def exported(tmp_path, name="w.npz", config=None, cycles=50):
    session = TrainingSession(config or SessionConfig(hidden=(6,), activations=("tanh", "sigmoid")))
    session.step("cycle", cycles)
    path = tmp_path / name
    session.export(str(path))
    return path


def test_import_weights_shows_the_files_network_at_once_and_undo_goes_back(make_window, qtbot, monkeypatch,
                                                                           tmp_path):
    path = exported(tmp_path)
    model = load_weights(path)
    window = make_window()
    assert window.import_weights_action in window.menuBar().actions()[0].menu().actions()
    step(window, qtbot, 5)
    before = [w.copy() for w in window.latest.weights]
    import_weights(window, monkeypatch, path)
    shown(window, qtbot, lambda s: s.spec.sizes == (2, 6, 1))
    s = window.latest
    assert s.cycle == 5 and all(np.array_equal(a, b) for a, b in zip(s.weights, model.network.weights))
    assert window.canvas.spec() == ((2, 6, 1), ("tanh", "sigmoid"))
    assert window.network_summary.text().startswith("2-6-1")
    assert "Imported w.npz at cycle 5" in window.statusBar().currentMessage()
    assert window.timeline_bar.slider.isEnabled()
    window.undo_action.trigger()
    shown(window, qtbot, lambda s: s.cycle == 4 and s.spec.sizes == (2, 4, 1))
    assert window.canvas.spec()[0] == (2, 4, 1) and window.latest.rewound
    window.timeline_bar.sig_scrubbed.emit(5)
    shown(window, qtbot, lambda s: s.cycle == 5 and s.spec.sizes == (2, 6, 1) and not s.rewound)
    window.timeline_bar.sig_scrubbed.emit(4)
    shown(window, qtbot, lambda s: s.cycle == 4 and s.spec.sizes == (2, 4, 1))
    window.findChild(QPushButton, "continueFromHereButton").click()
    shown(window, qtbot, lambda s: not s.rewound and s.timeline == (0, 4))
    step(window, qtbot, 1)
    assert window.latest.spec.sizes == (2, 4, 1) and all(
        np.array_equal(a, b) for a, b in zip(window.latest.weights, before))


def test_a_file_that_does_not_fit_is_refused_with_its_name_and_nothing_changes(make_window, qtbot, monkeypatch,
                                                                              tmp_path):
    three = TrainingSession(SessionConfig(data=DataSpec("iris"), hidden=(3,)))
    path = tmp_path / "iris model.npz"
    three.export(str(path))
    window = make_window()
    step(window, qtbot, 3)
    before = window.latest
    import_weights(window, monkeypatch, path)
    wait_acknowledged(qtbot, window)
    assert "iris model.npz does not fit the data" in refusals(window)[-1]
    step(window, qtbot, 1)
    assert window.latest.spec == before.spec and window.latest.cycle == 4


def test_a_step_after_phase_steps_clears_the_phase_from_the_status_bar(make_window, qtbot):
    """After "Cycle 1: weight update", Step and Run move on: the phase line does not stay."""
    window = make_window()
    for _ in range(6):
        window.findChild(QPushButton, "stepPhaseButton").click()
    shown(window, qtbot, lambda s: s.phase == ("update", None))
    assert window.statusBar().currentMessage() == "Cycle 1: weight update"
    step(window, qtbot, 3)
    window._draw_pending()
    assert "weight update" not in window.statusBar().currentMessage()
    window.findChild(QPushButton, "stepPhaseButton").click()
    shown(window, qtbot, lambda s: s.phase == ("forward", 0))
    assert window.statusBar().currentMessage() == "Cycle 5: feedforward through layer 1"
    window.controls.run_button.click()
    shown(window, qtbot, lambda s: s.running and s.cycle > 6)
    assert "feedforward" not in window.statusBar().currentMessage()
    window.controls.run_button.click()
    qtbot.waitUntil(lambda: not window.latest.running, timeout=TIMEOUT)


def test_the_inspector_gives_a_regression_output_in_the_targets_units(make_window, qtbot):
    window = make_window(SessionConfig(data=DataSpec("plane"), activations=("sigmoid", "linear")))
    step(window, qtbot, 2)
    window.canvas.sig_neuron_selected.emit(2, 0)
    qtbot.waitUntil(lambda: window.heatmap_tabs.currentWidget() is window.inspector, timeout=TIMEOUT)
    step(window, qtbot, 1)
    window._draw_pending()
    mean, std = window.latest.target_scaling
    target = float(window.latest.trace.target[0])
    text = window.inspector.plain_text()
    from nnstudio.ui.network.inspector import format_in_units
    from nnstudio.ui.plotting.numbers import format_number

    assert f"target = {format_number(target)} (standardised) = {format_in_units(target * std + mean)} in y" in text
    assert "(standardised targets)" in text
