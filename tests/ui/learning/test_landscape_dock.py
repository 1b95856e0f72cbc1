"""The landscape dock in the window: the maps the trainer computes for it, and its room on a narrow window."""

import numpy as np
import pytest
from PySide6.QtWidgets import QToolButton
from support.landscape import current_point

TIMEOUT = 20_000


@pytest.mark.slow
def test_in_the_window_the_landscape_dock_gets_its_map_from_the_trainer(make_window, qtbot):
    window = make_window()
    window.controls.step_count_spin.setValue(120)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == 120, timeout=TIMEOUT)
    title = window.windowTitle()
    window.landscape_action.trigger()
    view = window.landscape_view
    qtbot.waitUntil(window.landscape_dock.isVisible, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: view.map is not None and view.cut is not None, timeout=TIMEOUT)
    assert view.map.kind == "pca" and view.map.cycle == 120 and view.cut.cycle == 120
    assert window.windowTitle() == title  # asking for a map is not unsaved work
    window.controls.step_count_spin.setValue(5)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: view.cut.cycle == 125, timeout=TIMEOUT)
    expected = (window.latest.weights, window.latest.biases)
    flat = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(*expected)])
    assert np.allclose(current_point(view), (flat - view.map.origin) @ view.map.axes.T, atol=1e-12)


@pytest.mark.slow
def test_on_a_narrow_window_the_landscape_takes_the_side_panel_and_offers_step_and_run(make_window, qtbot):
    window = make_window()
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1024, 700), timeout=TIMEOUT)
    side_width = window.main_split.sizes()[0]
    assert side_width > 0
    window.landscape_action.trigger()
    dock = window.landscape_dock
    qtbot.waitUntil(lambda: window.main_split.sizes()[0] == 0 and dock.training_row.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: dock.width() >= 250, timeout=TIMEOUT)
    step = dock.training_row.findChild(QToolButton, "landscape_stepAction")
    assert step.defaultAction() is window.step_action
    step.click()
    qtbot.waitUntil(lambda: window.latest.cycle == 1, timeout=TIMEOUT)
    # The guide opened and closed meanwhile leaves the room to the landscape.
    window.guide_action.trigger()
    qtbot.waitUntil(window.guide_dock.isVisible, timeout=TIMEOUT)
    window.guide_dock.close()
    qtbot.waitUntil(lambda: not window.guide_dock.isVisible(), timeout=TIMEOUT)
    assert window.main_split.sizes()[0] == 0 and dock.training_row.isVisible()
    dock.close()
    qtbot.waitUntil(lambda: window.main_split.sizes()[0] == side_width, timeout=TIMEOUT)
    assert not dock.training_row.isVisible()
