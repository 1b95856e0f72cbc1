"""The window's draw loop over its panels, fed snapshots of a session run in the test's process."""

import numpy as np


def _counted(monkeypatch, obj, name):
    """The calls of ``obj.name`` from now on (the method still runs)."""
    calls = []
    original = getattr(obj, name)

    def counted(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(obj, name, counted)
    return calls


def test_scrubbing_the_past_leaves_the_loss_curves_alone_until_continue_cuts_them(in_process_window, monkeypatch):
    run = in_process_window()
    window, session = run.window, run.session
    session.step("cycle", 60)
    run.draw()
    assert len(window.loss_plot.batch_curve.xData) == 60
    redraws = _counted(monkeypatch, window.loss_plot, "set_history")
    heatmap_draws = _counted(monkeypatch, window.activation_heatmap, "show_snapshot")
    for cycle in (40, 20, 30):
        session.rewind(cycle)
        assert run.draw().rewound
    assert redraws == []  # the whole run's curves stand while the learner looks back
    assert len(window.loss_plot.batch_curve.xData) == 60
    assert [args[0].cycle for args in heatmap_draws] == [40, 20, 30]  # the batch of the cycle shown does change
    session.continue_from_here()
    run.draw()
    assert len(redraws) == 1
    np.testing.assert_array_equal(window.loss_plot.batch_curve.xData, np.arange(30.0))


def test_a_heatmap_tab_out_of_view_is_drawn_when_chosen(in_process_window, monkeypatch):
    run = in_process_window()
    window = run.window
    window.heatmap_tabs.setCurrentWidget(window.gradient_norm_plot)
    drawn = []
    monkeypatch.setattr(window.weight_delta_heatmap, "show_snapshot", drawn.append)
    run.session.step("cycle", 2)
    shown = run.draw()
    assert drawn == []
    window.heatmap_tabs.setCurrentWidget(window.weight_delta_heatmap)
    assert drawn == [shown]


def test_the_counters_metrics_and_network_follow_each_snapshot(in_process_window):
    run = in_process_window()
    window = run.window
    run.session.set_network((3, 2), ("sigmoid", "tanh", "sigmoid"))
    run.session.step("cycle", 16)
    shown = run.draw()
    assert window.controls.cycle_label.text() == "16"
    assert shown.epoch == 1 and window.controls.epoch_label.text() == "1"  # 160 training rows in batches of 10
    # 2·3 + 3, 3·2 + 2, 2·1 + 1
    assert window.network_summary.text() == "2-3-2-1 · MSE · 20 parameters"
    assert window.canvas.spec()[0] == (2, 3, 2, 1)
    assert window.remove_layer_button.isEnabled()
    metrics = window.metrics_label.text()
    assert metrics.startswith("train loss ") and " · train acc " in metrics
