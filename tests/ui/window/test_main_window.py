"""The studio window, driven as a learner would (offscreen)."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from support.acknowledged import settle, wait_acknowledged
from support.refusals import refusals

from nnstudio.engine.io.formats import load_weights
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig

TIMEOUT = 20_000


def cycles_shown(window) -> int:
    return int(window.findChild(QLabel, "cycleCounterLabel").text())


def click(qtbot, window, name: str) -> None:
    qtbot.mouseClick(window.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_public_object_names_exist(in_process_window):
    """Every control named in the contract can be found by its objectName."""
    window = in_process_window().window
    for name in ("networkCanvas", "datasetCombo", "stepButton", "stepEpochButton", "runButton",
                 "resetButton", "learningRateSpin", "batchSizeSpin", "addLayerButton",
                 "removeLayerButton", "lossPlot", "activationHeatmap", "weightDeltaHeatmap",
                 "cycleCounterLabel", "exportWeightsAction"):
        assert window.findChild(object, name) is not None, name


def test_first_view_is_a_small_network_for_xor(in_process_window):
    """The window opens on XOR with a 2-4-1 network and a hint in the status bar."""
    window = in_process_window().window
    assert window.latest.spec.sizes == (2, 4, 1)
    assert window.data_view.name == "xor"
    assert window.canvas.spec()[0] == (2, 4, 1)
    # 2·4 weights + 4 biases, then 4·1 + 1
    assert window.network_summary.text() == "2-4-1 · MSE · 17 parameters"
    assert "Step" in window.statusBar().currentMessage()
    assert cycles_shown(window) == 0


def test_step_advances_counter_and_loss_plot_by_one(make_window, qtbot):
    """One press of Step is one cycle: the counter and the batch-loss curve each grow by one."""
    window = make_window()
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: cycles_shown(window) == 1, timeout=TIMEOUT)
    x, _ = window.loss_plot.batch_curve.getData()
    assert list(x) == [0.0]
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: cycles_shown(window) == 2, timeout=TIMEOUT)
    x, _ = window.loss_plot.batch_curve.getData()
    assert list(x) == [0.0, 1.0]


def test_step_count_box_steps_n_cycles(make_window, qtbot):
    """The count beside Step makes one press run that many cycles."""
    window = make_window()
    window.controls.step_count_spin.setValue(7)
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: cycles_shown(window) == 7, timeout=TIMEOUT)


def test_step_epoch_runs_one_pass_over_the_training_rows(make_window, qtbot):
    """160 training rows in batches of 10: one epoch is 16 cycles."""
    window = make_window()
    click(qtbot, window, "stepEpochButton")
    qtbot.waitUntil(lambda: window.latest.epoch == 1, timeout=TIMEOUT)
    assert window.latest.cycle == 16
    assert window.findChild(QLabel, "epochCounterLabel").text() == "1"


def test_run_then_pause_stops_training(make_window, qtbot):
    """Run trains on its own; Pause stops it and the counter holds still."""
    window = make_window()
    click(qtbot, window, "runButton")
    qtbot.waitUntil(lambda: cycles_shown(window) > 200, timeout=TIMEOUT)
    click(qtbot, window, "runButton")
    qtbot.waitUntil(lambda: not window.latest.running, timeout=TIMEOUT)
    held = window.latest.cycle
    settle(qtbot, window)  # a later answer of the trainer's
    assert window.latest.cycle == held
    assert not window.controls.run_button.isChecked()


def test_adding_a_layer_and_a_neuron_changes_canvas_and_engine(make_window, qtbot):
    """+ Layer and a neuron's + change both the drawn network and the trained one."""
    window = make_window()
    click(qtbot, window, "addLayerButton")
    qtbot.waitUntil(lambda: window.latest.spec.sizes == (2, 4, 4, 1), timeout=TIMEOUT)
    assert window.canvas.spec()[0] == (2, 4, 4, 1)
    assert [w.shape for w in window.latest.weights] == [(2, 4), (4, 4), (4, 1)]
    window.canvas.request_add_neuron(1)
    qtbot.waitUntil(lambda: window.latest.spec.sizes == (2, 5, 4, 1), timeout=TIMEOUT)
    assert window.canvas.spec()[0] == (2, 5, 4, 1)
    assert "re-initialised" in window.statusBar().currentMessage()
    click(qtbot, window, "removeLayerButton")
    qtbot.waitUntil(lambda: window.latest.spec.sizes == (2, 5, 1), timeout=TIMEOUT)


def test_changing_the_dataset_regenerates_data_and_restarts(make_window, qtbot):
    """Picking Spiral in the combo loads it and starts training over."""
    window = make_window()
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: cycles_shown(window) == 1, timeout=TIMEOUT)
    combo = window.dataset_panel.dataset_combo
    combo.setCurrentIndex(combo.findData("spiral"))
    qtbot.waitUntil(lambda: window.data_view.name == "spiral", timeout=TIMEOUT)
    assert cycles_shown(window) == 0
    assert len(window.data_view.X_train) + len(window.data_view.X_test) == 200


def test_changing_the_learning_rate_does_not_reset(make_window, qtbot):
    """A new learning rate applies from the next cycle; weights and counters stay."""
    window = make_window()
    window.controls.step_count_spin.setValue(5)
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: cycles_shown(window) == 5, timeout=TIMEOUT)
    generation = window.latest.generation
    window.controls.learning_rate_spin.setValue(0.25)
    qtbot.waitUntil(lambda: window.latest.hyper.learning_rate == 0.25, timeout=TIMEOUT)
    assert window.latest.cycle == 5 and window.latest.generation == generation


def test_reset_with_the_same_seed_replays_the_initial_weights(make_window, qtbot):
    """Reset keeps the seed, so the weights return exactly to where they started."""
    window = make_window()
    initial = [w.copy() for w in window.latest.weights]
    window.controls.step_count_spin.setValue(20)
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: cycles_shown(window) == 20, timeout=TIMEOUT)
    assert not np.array_equal(window.latest.weights[0], initial[0])
    click(qtbot, window, "resetButton")
    qtbot.waitUntil(lambda: cycles_shown(window) == 0, timeout=TIMEOUT)
    for now, then in zip(window.latest.weights, initial):
        assert np.array_equal(now, then)
    window.controls.new_seed_button.click()
    qtbot.waitUntil(lambda: window.latest.generation > 2, timeout=TIMEOUT)
    assert not np.array_equal(window.latest.weights[0], initial[0])


def test_export_weights_writes_a_file_the_engine_loads(make_window, qtbot, tmp_path, monkeypatch):
    """File › Export weights writes the trained weights; the engine reads them back."""
    window = make_window()
    window.controls.step_count_spin.setValue(30)
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: cycles_shown(window) == 30, timeout=TIMEOUT)
    for name in ("w.npz", "w.json"):
        target = tmp_path / name
        monkeypatch.setattr(window.export_menu, "ask_path", lambda *args, target=target: str(target))
        window.export_action.trigger()
        wait_acknowledged(qtbot, window)
        model = load_weights(target)
        for loaded, shown in zip(model.network.weights, window.latest.weights):
            assert np.array_equal(loaded, shown)
        assert model.feature_names == ("x1", "x2")


def test_a_refused_export_says_why(make_window, qtbot, tmp_path):
    """An export to an unknown format is refused with a message naming the problem."""
    window = make_window()
    window.export_weights(str(tmp_path / "weights.txt"))
    wait_acknowledged(qtbot, window)
    assert ".npz" in refusals(window)[-1]
    assert not (tmp_path / "weights.txt").exists()


def test_editing_a_weight_on_the_canvas_changes_the_network(make_window, qtbot, monkeypatch):
    """Clicking a connection and typing a value sets that weight in the trainer."""
    window = make_window()
    monkeypatch.setattr(window.canvas, "_ask_weight", lambda current: 1.25)
    window.canvas.edit_weight(0, 1, 2)
    qtbot.waitUntil(lambda: window.latest.weights[0][1, 2] == 1.25, timeout=TIMEOUT)


@pytest.mark.slow
def test_run_learns_xor_to_full_training_accuracy_within_30_seconds(make_window, qtbot):
    """Pressing Run on the first view reaches 100% training accuracy on XOR."""
    window = make_window()
    click(qtbot, window, "runButton")
    qtbot.waitUntil(
        lambda: window.latest.evaluation is not None and window.latest.evaluation.train_accuracy == 1.0,
        timeout=30_000,
    )
    assert "train acc 100.0%" in window.metrics_label.text()


def test_closing_while_running_joins_the_thread_and_the_trainer(make_window, qtbot):
    """Closing mid-run stops the worker thread and the trainer's process."""
    window = make_window(SessionConfig(data=DataSpec("spiral"), hidden=(8, 8),
                                       activations=("tanh", "tanh", "sigmoid"),
                                       hyper=Hyperparameters(0.3)))
    click(qtbot, window, "runButton")
    qtbot.waitUntil(lambda: cycles_shown(window) > 0, timeout=TIMEOUT)
    process = window.worker._process
    window.close()
    assert window._thread.isFinished()
    assert not process.is_alive()


@pytest.mark.slow
def test_last_settings_and_geometry_are_remembered(qtbot):
    """A window reopens with the learning rate, data and size the learner left."""
    from nnstudio.ui import MainWindow

    first = MainWindow(confirm_close=False)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitUntil(lambda: first.latest is not None, timeout=TIMEOUT)
    combo = first.dataset_panel.dataset_combo
    combo.setCurrentIndex(combo.findData("circle"))
    first.controls.learning_rate_spin.setValue(0.75)  # after the pick, which applies circle's starting rate
    first.resize(first.minimumWidth(), 600)
    left_size = first.size()
    first.close()

    second = MainWindow(confirm_close=False)
    qtbot.addWidget(second)
    second.show()
    try:
        assert second.controls.learning_rate_spin.value() == 0.75
        assert second.dataset_panel.data_spec()["name"] == "circle"
        assert second.config.data.name == "circle"
        assert second.height() == left_size.height() == 600
    finally:
        second.close()


def test_run_that_diverges_pauses_and_says_what_to_try(make_window, qtbot):
    """Run with a rate too high for regression: the window pauses and suggests a smaller rate."""
    window = make_window(SessionConfig(data=DataSpec("multigauss"), hyper=Hyperparameters(learning_rate=3.0)))
    click(qtbot, window, "runButton")
    qtbot.waitUntil(lambda: "diverged" in window.statusBar().currentMessage(), timeout=TIMEOUT)
    assert not window.controls.run_button.isChecked()
    assert all(np.isfinite(w).all() for w in window.latest.weights)
