"""The window's frames: panels draw when visible and when something changed, within a frame budget."""

import numpy as np
import pytest

TIMEOUT = 30_000


@pytest.fixture
def spy():
    """``spy(obj, name)`` counts the calls of ``obj.name``; the method is given back after the test.

    An instance attribute shadows the method, as Qt and the window call it; removing it
    afterwards breaks the reference cycle it makes with the widget before Qt deletes it.
    """
    spied = []

    def count(obj, name):
        calls = []
        original = getattr(obj, name)

        def counted(*args, **kwargs):
            calls.append(args)
            return original(*args, **kwargs)

        setattr(obj, name, counted)
        spied.append((obj, name))
        return calls

    yield count
    for obj, name in spied:
        delattr(obj, name)


def batch_cycles(window):
    """The cycles the batch-loss curve holds (before pyqtgraph thins them to the pixels)."""
    x = window.loss_plot.batch_curve.xData
    return np.empty(0) if x is None else x


def batch_points(window):
    return len(batch_cycles(window))


def step(window, qtbot, n):
    target = window.latest.cycle + n
    window.send("step", "cycle", n)
    qtbot.waitUntil(lambda: window.latest.cycle == target, timeout=TIMEOUT)


def test_a_collapsed_loss_plot_is_not_drawn_and_catches_up_when_opened(make_window, qtbot, spy):
    window = make_window()
    step(window, qtbot, 3)
    qtbot.waitUntil(lambda: batch_points(window) == 3, timeout=TIMEOUT)
    redraws = spy(window.loss_plot, "set_history")
    window.right_split.setSizes([0, 800])  # the loss plot dragged shut
    qtbot.waitUntil(lambda: window.loss_plot.width() == 0 or window.loss_plot.height() == 0
                    or not window.loss_plot.isVisible(), timeout=TIMEOUT)
    step(window, qtbot, 5)
    qtbot.waitUntil(lambda: window.frame_budget.is_due("loss") and not window.frame_budget.is_due("heatmaps"),
                    timeout=TIMEOUT)
    assert redraws == [] and batch_points(window) == 3
    window.right_split.setSizes([400, 400])
    qtbot.waitUntil(lambda: batch_points(window) == 8, timeout=TIMEOUT)  # on a draw tick, no snapshot needed
    assert len(redraws) == 1


def test_frames_over_budget_draw_one_optional_panel_each_and_none_waits_for_ever(make_window, qtbot, spy):
    window = make_window()
    step(window, qtbot, 1)
    budget = window.frame_budget
    budget.budget = 1e-9  # every frame over budget, as on a slow machine
    frames = []  # (running, panels drawn, the allowance then) per frame
    original = window._draw_optional
    spy(window, "_draw_optional")  # given back after the test; the allowance is recorded with each call
    window._draw_optional = lambda s, names: (frames.append((s.running, list(names), budget.allowance)),
                                              original(s, names))
    loss = spy(window.loss_plot, "set_history")
    data = spy(window.data, "show_snapshot")
    heatmaps = spy(window.activation_heatmap, "show_snapshot")
    window.send("set_speed", None)
    window.send("run")
    qtbot.waitUntil(lambda: min(len(loss), len(data), len(heatmaps)) >= 3, timeout=TIMEOUT)
    window.send("pause")
    qtbot.waitUntil(lambda: not window.latest.running, timeout=TIMEOUT)
    running = [(names, allowance) for is_running, names, allowance in frames if is_running]
    assert len(running) > 6
    assert all(len(names) <= allowance for names, allowance in running)  # the budget holds every frame
    # down to one panel a frame (an idle tick between two snapshots may give room for a second once)
    single = sum(len(names) == 1 for names, _ in running[2:])
    assert single >= 0.75 * len(running[2:])
    # the pause's snapshot, a single change, draws every panel at once
    qtbot.waitUntil(lambda: not budget.any_due(), timeout=TIMEOUT)
    np.testing.assert_array_equal(batch_cycles(window), window.latest.batch_cycles)
