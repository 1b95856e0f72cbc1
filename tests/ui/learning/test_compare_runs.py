"""Compare runs in the window, and the seed author's += as the guide's experiment."""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtWidgets import QMessageBox
from support.acknowledged import wait_acknowledged

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.pinned_runs import MAX_PINNED_RUNS
from nnstudio.engine.run.session import TrainingSession
from nnstudio.ui.learning.compare_view import TABLE_COLUMNS, AuthorVariantDemo
from nnstudio.ui.plotting.loss_plot import LossPlot
from nnstudio.ui.plotting.numbers import format_number, format_percent
from nnstudio.ui.plotting.pinned_curves import PinnedCurves

TIMEOUT = 20_000
XOR = SessionConfig(data=DataSpec(name="xor", n_samples=40), hyper=Hyperparameters(learning_rate=2.0), seed=0)


def step(window, qtbot, n):
    target = window.latest.cycle + n
    window.controls.step_count_spin.setValue(n)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == target and not window.latest.running, timeout=TIMEOUT)


def table_row(window, row):
    table = window.pinned_runs.table
    return [table.item(row, column).text() for column in range(1, len(TABLE_COLUMNS))]


def legend_texts(plot):
    return [label.text for _, label in plot.getPlotItem().legend.items]


def test_pin_change_lr_run_again_names_lr_and_shows_both_runs_numbers(make_window, qtbot, monkeypatch, tmp_path):
    window = make_window(XOR)
    step(window, qtbot, 40)
    first = window.latest
    window.pin_run_action.trigger()
    window.controls.learning_rate_spin.setValue(0.5)
    window.controls.reset_button.click()
    qtbot.waitUntil(lambda: window.latest.generation != first.generation and window.latest.cycle == 0,
                    timeout=TIMEOUT)
    step(window, qtbot, 40)
    second = window.latest
    assert second.hyper.learning_rate == 0.5
    window._draw_pending()

    # The table: what differs, and the pinned run's final numbers as its snapshot had them.
    row = table_row(window, 0)
    e = first.evaluation
    assert row[1] == "lr 2 → 0.5"
    gap = e.test_loss - e.train_loss
    assert row[2:8] == [format_number(e.train_loss, 3), format_number(e.test_loss, 3), format_percent(e.train_accuracy),
                        format_percent(e.test_accuracy), format_number(gap, 2), "40"]
    # a table number is short; its tooltip has the four figures used elsewhere
    table = window.pinned_runs.table
    assert [table.item(0, column).toolTip() for column in (3, 4, 7)] == [
        format_number(e.train_loss), format_number(e.test_loss), format_number(gap)]
    # Overlaid in the loss plot, named in its legend, the curve the pinned snapshot's.
    assert "pin 1: lr 2 → 0.5" in legend_texts(window.loss_plot.loss_plot)
    curve = window.loss_plot.pinned_curves()[0]
    x, y = curve.getData()
    assert np.array_equal(x, first.eval_cycles) and np.array_equal(y, first.evaluations[:, 0])
    # The current run's numbers are the second snapshot's (the plot's own curve).
    x, y = window.loss_plot.train_curve.getData()
    assert np.array_equal(y, second.evaluations[:, 0])

    # Pin the second too; save; unpin both; reopen: the same two pins come back.
    window.pinned_runs.pin_button.click()
    assert window.pinned_runs.table.rowCount() == 2
    assert table_row(window, 1)[1] == "same set-up"
    path = tmp_path / "pins.nnstudio"
    monkeypatch.setattr(window.sessions, "ask_save_path", lambda: str(path))
    window.sessions.save_action.trigger()
    wait_acknowledged(qtbot, window, timeout=TIMEOUT)
    window.pinned_runs.table.cellWidget(0, 0).click()
    window.pinned_runs.table.cellWidget(0, 0).click()
    assert window.pinned_runs.table.rowCount() == 0 and window.loss_plot.pinned_curves() == []
    window.sessions.confirm = True
    monkeypatch.setattr(window.sessions, "ask_unsaved", lambda: QMessageBox.StandardButton.Discard)
    window.sessions.open(path)
    wait_acknowledged(qtbot, window, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.pinned_runs.table.rowCount() == 2, timeout=TIMEOUT)
    assert [pin.cycle for pin in window.pinned_runs.pins] == [40, 40]
    assert window.pinned_runs.pins[0].config["hyper"]["learning_rate"] == 2.0
    assert np.array_equal(window.pinned_runs.pins[0].evaluations, first.evaluations)


def test_the_fifth_pin_replaces_the_oldest_and_says_so(make_window, qtbot):
    window = make_window(XOR)
    messages = []
    window.pinned_runs.sig_status.connect(messages.append)
    cycles = []
    for _ in range(MAX_PINNED_RUNS + 1):
        step(window, qtbot, 3)
        window._draw_pending()
        cycles.append(window.latest.cycle)
        window.pinned_runs.pin_button.click()
    assert [pin.cycle for pin in window.pinned_runs.pins] == cycles[1:]
    assert "replaces the oldest" in messages[-1]


def test_nothing_to_pin_before_training(make_window, qtbot):
    window = make_window(XOR)
    messages = []
    window.pinned_runs.sig_status.connect(messages.append)
    window.pinned_runs.pin_button.click()
    assert window.pinned_runs.pins == () and messages == ["Nothing to pin yet: train a few cycles first."]


def test_the_author_toggle_sets_the_rule_shows_a_badge_and_reset_goes_back(make_window, qtbot):
    window = make_window(XOR)
    window.guide_dock.author_check.setChecked(True)
    qtbot.waitUntil(lambda: window.latest.delta_rule == "accumulate", timeout=TIMEOUT)
    window._draw_pending()
    assert window.delta_rule_badge.isVisible() and "+=" in window.delta_rule_badge.text()
    window.controls.reset_button.click()
    qtbot.waitUntil(lambda: window.latest.delta_rule == "set", timeout=TIMEOUT)
    window._draw_pending()
    assert not window.delta_rule_badge.isVisible() and not window.guide_dock.author_check.isChecked()


def test_show_me_pins_trains_the_same_start_with_plus_equals_and_reports_its_numbers(make_window, qtbot):
    window = make_window(XOR)
    step(window, qtbot, 200)
    results = []
    window.author_demo.sig_result.connect(results.append)
    window.guide_dock.author_button.click()
    qtbot.waitUntil(lambda: not window.author_demo.running, timeout=60_000)
    variant = window.latest
    assert variant.delta_rule == "accumulate" and variant.cycle == 200
    (pin,) = window.pinned_runs.pins
    assert pin.delta_rule == "set" and pin.cycle == 200
    # The same start, trained by the engine alone with +=: the numbers the sentence quotes.
    alone = TrainingSession(XOR)
    alone.set_delta_rule("accumulate")
    alone.step("cycle", 200)
    expected = alone.snapshot()
    assert expected.evaluation.train_loss == variant.evaluation.train_loss
    text = results[-1]
    assert f"train loss of {format_number(expected.evaluation.train_loss)}" in text
    assert f"against {format_number(pin.final[0])} with the standard rule" in text
    drift = max(np.abs(b).max() for b in expected.biases[:-1])
    assert f"largest hidden bias is {format_number(drift)}" in text
    assert window.guide_dock.author_result.text() == text
    window._draw_pending()
    assert "pin 1: delta rule = → +=" in legend_texts(window.loss_plot.loss_plot)


def test_pinned_legend_labels_are_escaped(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    label = "pin 1: data <b>x</b> → xor"
    plot.set_pinned_runs([PinnedCurves(label, np.array([1, 2]), np.array([[1.0, 2, 0.5, 0.5], [0.5, 1, 0.75, 0.5]]))])
    assert html.escape(label) in legend_texts(plot.loss_plot)
    assert len(plot.pinned_curves()) == 4  # train and test, loss and accuracy
    plot.clear()  # a new run of the current set-up keeps the pins
    assert len(plot.pinned_curves()) == 4
    plot.set_pinned_runs([])
    assert plot.pinned_curves() == [] and html.escape(label) not in legend_texts(plot.loss_plot)
    long = "pin 2: lr 0.5 → 2, momentum 0 → 0.5, seed 0 → 3"
    plot.set_pinned_runs([PinnedCurves(long, np.array([1]), np.array([[1.0, 2, 0.5, 0.5]]))])
    assert legend_texts(plot.loss_plot)[-1] == long[:29] + "\u2026"  # cut in the legend, whole in the table


def test_describe_uses_the_two_runs_numbers():
    standard, variant = TrainingSession(XOR), TrainingSession(XOR)
    variant.set_delta_rule("accumulate")
    standard.step("cycle", 50)
    variant.step("cycle", 50)
    a, b = standard.snapshot(), variant.snapshot()
    text = AuthorVariantDemo.describe(a, b)
    assert text == AuthorVariantDemo.describe(b, a)  # either order: the rule says which is which
    assert format_number(b.evaluation.train_loss) in text and format_number(a.evaluation.train_loss) in text
    stuck = sum(int(np.sum(layer.max(axis=0) - layer.min(axis=0) < 0.02)) for layer in b.batch_activations[:-1])
    assert f"{stuck} of 4 hidden units are stuck" in text
