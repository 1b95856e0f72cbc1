"""The training controls on their own: the speed slider, the seed's label, L1 and the loss, each dataset's start."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSlider

from nnstudio.engine.data.datasets import DATASET_NAMES
from nnstudio.engine.nn.losses import LOSSES
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.ui.learning.controls import TrainingControls
from nnstudio.ui.learning.speed_slider import SPEEDS, SpeedSlider, speed_text
from nnstudio.ui.learning.training_defaults import DATASET_DEFAULTS, starting_point


@pytest.fixture
def controls(qtbot):
    widget = TrainingControls()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def sent(controls):
    """Everything the controls emit that the window sends to the trainer, in order."""
    log: list[tuple] = []
    controls.sig_hyper_changed.connect(lambda hyper: log.append(("hyper", hyper)))
    controls.sig_speed_changed.connect(lambda speed: log.append(("speed", speed)))
    controls.sig_loss_changed.connect(lambda loss: log.append(("loss", loss)))
    return log


# -- the run speed -------------------------------------------------------------------------------

def test_the_speed_is_a_slider_from_one_cycle_a_second_to_full_speed_under_its_old_name(controls):
    slider = controls.findChild(QSlider, "speedCombo")
    assert slider is controls.speed_slider is controls.speed_combo
    assert slider.orientation() == Qt.Orientation.Horizontal
    slider.setValue(slider.minimum())
    assert controls.speed() == 1.0 and controls.speed_label.text() == "1 cycle/s"
    slider.setValue(slider.maximum())
    assert controls.speed() is None and controls.speed_label.text() == "full speed"


def test_the_slider_is_logarithmic_six_stops_to_a_decade():
    """Each stop is 1.3 to 1.7 times the one before, and 1, 10, 100, 1000 are six stops apart."""
    speeds = [speed for _, speed in SPEEDS[:-1]]
    ratios = [b / a for a, b in zip(speeds, speeds[1:])]
    assert all(1.3 <= r <= 1.7 for r in ratios), ratios
    assert [speeds.index(s) for s in (1.0, 10.0, 100.0, 1000.0)] == [0, 6, 12, 18]
    assert SPEEDS[-1] == ("full speed", None)


def test_the_speed_reads_as_a_person_would_say_it():
    assert [speed_text(s) for s in (1.0, 1.5, 30.0, 1000.0, None)] == [
        "1 cycle/s", "1.5 cycles/s", "30 cycles/s", "1000 cycles/s", "full speed"]


def test_moving_the_slider_sends_each_speed_it_reads(controls, sent):
    slider = controls.speed_slider
    slider.setValue(SpeedSlider.index_of(100.0))
    slider.setValue(SpeedSlider.index_of(None))
    assert sent == [("speed", 100.0), ("speed", None)]
    assert controls.speed_label.text() == "full speed"


def test_the_slider_still_answers_what_the_combo_box_did(controls, sent):
    """Scripts drove the combo box by item: count, setCurrentIndex, currentText, currentData."""
    combo = controls.speed_combo
    assert combo.count() == len(SPEEDS)
    combo.setCurrentIndex(SpeedSlider.index_of(20.0))
    assert combo.currentIndex() == SpeedSlider.index_of(20.0)
    assert (combo.currentText(), combo.currentData()) == ("20 cycles/s", 20.0)
    assert sent == [("speed", 20.0)]


def test_a_speed_between_stops_goes_to_the_nearest_on_the_log_scale():
    assert SPEEDS[SpeedSlider.index_of(25.0)][1] == 30.0  # log 25 is nearer log 30 than log 20
    assert SPEEDS[SpeedSlider.index_of(0.01)][1] == 1.0
    assert SPEEDS[SpeedSlider.index_of(1e6)][1] == 1000.0
    with pytest.raises(ValueError):
        SpeedSlider.index_of(0.0)


def test_the_speed_label_is_wide_enough_for_its_widest_reading(controls):
    metrics = controls.speed_label.fontMetrics()
    assert controls.speed_label.minimumWidth() >= metrics.horizontalAdvance("1000 cycles/s")


# -- the seed ------------------------------------------------------------------------------------

def test_the_seed_box_has_a_label_that_names_it(controls):
    label = controls.findChild(QLabel, "seedLabel")
    assert label.text() == "Seed" and label.buddy() is controls.seed_spin
    assert controls.seed_spin.accessibleName() == "Seed"
    assert "seed" in controls.seed_spin.toolTip().lower()


# -- L1, noise decay and the loss ----------------------------------------------------------------

def test_a_change_of_one_setting_keeps_l1_and_the_noise_decay(controls, sent):
    """The window once sent l1 = 0 and noise_decay = 0.55 with every change, whatever the trainer had."""
    controls.set_hyperparameters(Hyperparameters(learning_rate=0.3, l1=0.002, noise=0.1, noise_decay=0.9), 10)
    assert sent == []
    controls.momentum_spin.setValue(0.5)
    assert sent == [("hyper", Hyperparameters(learning_rate=0.3, momentum=0.5, l1=0.002, noise=0.1, noise_decay=0.9))]


def test_l1_is_a_setting_of_its_own(controls, sent):
    assert controls.l1_spin.objectName() == "l1Spin"
    controls.l1_spin.setValue(0.01)
    assert sent[-1][1].l1 == 0.01 and sent[-1][1].l2 == 0.0


def test_the_loss_is_offered_as_the_cli_names_it(controls, sent):
    combo = controls.loss_combo
    assert combo.objectName() == "lossCombo"
    assert [combo.itemData(i) for i in range(combo.count())] == ["mse", "cross_entropy"]
    combo.setCurrentIndex(combo.findData("cross_entropy"))
    assert controls.loss() == "cross_entropy" and sent == [("loss", "cross_entropy")]


@pytest.mark.parametrize("output, offered", [("sigmoid", True), ("softmax", True), ("linear", False),
                                             ("tanh", False)])
def test_cross_entropy_is_offered_only_for_a_sigmoid_or_softmax_output(controls, sent, output, offered):
    controls.set_loss("mse", output)
    model = controls.loss_combo.model()
    item = model.item(controls.loss_combo.findData("cross_entropy"))
    assert item.isEnabled() == offered
    if not offered:
        assert "sigmoid or softmax" in controls.loss_combo.toolTip() and output in controls.loss_combo.toolTip()
    assert sent == []  # showing is not choosing


# -- each dataset's starting point ---------------------------------------------------------------

def test_every_dataset_has_a_starting_point_and_imported_data_one_by_task():
    assert set(DATASET_NAMES) <= set(DATASET_DEFAULTS)
    assert starting_point("file:house_prices", "regression") == (0.1, 100.0)
    assert starting_point("file:xor", "classification") == (1.0, 100.0)


def test_tiny_two_d_sets_run_slower_than_digits_and_regression_starts_gently():
    assert starting_point("xor")[1] < starting_point("digits")[1]
    assert starting_point("plane")[0] < starting_point("xor")[0]
    assert starting_point("spiral")[0] < starting_point("xor")[0]


def test_picking_plane_applies_its_rate_and_speed_and_says_so(controls, sent):
    controls.show_data_in_use("xor", "XOR", "classification")
    sent.clear()
    note = controls.apply_dataset_defaults("plane", "Plane (regression)", "regression")
    assert controls.learning_rate_spin.value() == 0.1
    assert sent == [("hyper", Hyperparameters(learning_rate=0.1))]  # XOR and plane share a speed
    assert "Learning rate 0.1" in note and "Plane (regression)" in note


def test_a_rate_the_learner_set_comes_back_with_its_dataset(controls, sent):
    controls.show_data_in_use("plane", "Plane (regression)", "regression")
    controls.apply_dataset_defaults("plane", "Plane (regression)", "regression")
    controls.learning_rate_spin.setValue(0.05)  # the learner's own, on plane
    controls.apply_dataset_defaults("xor", "XOR", "classification")
    assert controls.learning_rate_spin.value() == 2.0
    note = controls.apply_dataset_defaults("plane", "Plane (regression)", "regression")
    assert controls.learning_rate_spin.value() == 0.05 and "the one you set for Plane" in note
    controls.apply_dataset_defaults("xor", "XOR", "classification")
    assert controls.learning_rate_spin.value() == 2.0  # the rate set on plane was plane's


def test_the_speed_follows_the_data_until_the_learner_picks_one(controls, sent):
    controls.show_data_in_use("xor", "XOR", "classification")
    assert controls.speed() == 30.0
    controls.apply_dataset_defaults("digits", "Digits (8×8)", "classification")
    assert controls.speed() == 200.0 and ("speed", 200.0) in sent
    controls.speed_slider.setValue(SpeedSlider.index_of(5.0))  # the learner's choice
    controls.apply_dataset_defaults("spiral", "Spiral", "classification")
    controls.show_data_in_use("spiral", "Spiral", "classification")
    assert controls.speed() == 5.0


def test_data_arriving_always_tells_the_trainer_the_speed(controls, sent):
    """A trainer started or restarted runs flat out until told: every arrival of data sends the speed."""
    controls.show_data_in_use("xor", "XOR", "classification")
    controls.show_data_in_use("xor", "XOR", "classification")
    assert sent == [("speed", 30.0), ("speed", 30.0)]


def test_no_change_means_no_command_and_no_note(controls, sent):
    controls.show_data_in_use("xor", "XOR", "classification")
    controls.learning_rate_spin.setValue(2.0)
    sent.clear()
    assert controls.apply_dataset_defaults("circle", "Circle", "classification") == ""
    assert sent == []


def test_the_starting_rates_are_finite_positive_numbers_the_spin_box_shows_exactly(controls):
    for rate, speed in DATASET_DEFAULTS.values():
        controls.learning_rate_spin.setValue(rate)
        assert controls.learning_rate_spin.value() == rate and math.isfinite(speed) and speed > 0
        assert SPEEDS[SpeedSlider.index_of(speed)][1] == speed  # each default is a stop of the slider


def test_new_seed_counts_up_and_wraps_at_the_largest_seed(controls):
    """New seed after 2147483647 (the seed box's maximum) starts over at 0, and says so."""
    seeds: list[int] = []
    controls.sig_new_seed.connect(seeds.append)
    controls.set_seed(41)
    controls.new_seed_button.click()
    controls.set_seed(controls.seed_spin.maximum())
    controls.new_seed_button.click()
    assert controls.seed_spin.maximum() == 2**31 - 1
    assert seeds == [42, 0] and controls.seed_spin.value() == 0


def test_the_loss_combo_offers_every_loss_of_the_engine(controls):
    combo = controls.loss_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["MSE", "Cross-entropy"]
    assert [combo.itemData(i) for i in range(combo.count())] == list(LOSSES)
