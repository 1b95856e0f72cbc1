"""The window fits a laptop: usable at 1024×700, good at 1366×768 and 1440×900; its layout comes back on the next start.

Also the guide: docked beside what it demonstrates, and its setting demonstrations undo themselves.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtWidgets import QToolButton, QWidget
from support.window_size import resize_window

from nnstudio.engine.run.session import TrainingSession

TIMEOUT = 20_000
#: What a window manager's title bar and a panel may take from a 700-pixel-high screen.
TITLE_BAR = 40


def _in_window(window, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def _wholly_shown(window, widget: QWidget) -> bool:
    """Inside the window and not cut by any parent (a scroll area, a splitter)."""
    return (widget.isVisible() and window.rect().contains(_in_window(window, widget))
            and widget.visibleRegion().boundingRect() == widget.rect())


def test_the_window_fits_a_1024_by_700_screen(in_process_window, qtbot):
    """Its minimum size leaves room for a title bar on a 1024×700 screen, with the data table or the guide open too."""
    window = in_process_window().window
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700 - TITLE_BAR
    window.data_table_action.trigger()
    qtbot.waitUntil(window.data_dock.isVisible, timeout=TIMEOUT)
    assert window.minimumSizeHint().height() <= 700 - TITLE_BAR
    window.guide_action.trigger()
    qtbot.waitUntil(window.guide_dock.isVisible, timeout=TIMEOUT)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700 - TITLE_BAR
    resize_window(window, qtbot, 1024, 700)


def test_step_and_run_stay_in_view_at_1024_by_700_with_the_data_table(in_process_window, qtbot):
    """With the data table docked on a 1024×700 window, Step, Run and Reset are whole and on screen."""
    window = in_process_window().window
    resize_window(window, qtbot, 1024, 700)
    window.data_table_action.trigger()
    qtbot.waitUntil(window.data_dock.isVisible, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.data_dock.height() > 100, timeout=TIMEOUT)
    c = window.controls
    for button in (c.step_button, c.run_button, c.reset_button, c.step_phase_button, c.step_epoch_button):
        qtbot.waitUntil(lambda button=button: _wholly_shown(window, button), timeout=TIMEOUT)
    # the table's dock sits below them, not over them
    assert _in_window(window, window.data_dock).top() >= _in_window(window, c.step_button).bottom()


def test_the_side_panel_scrolls_rather_than_clips_at_1024_by_700(in_process_window, qtbot):
    """The data and learning settings are as wide as the side panel shows; the rest is a scroll away."""
    window = in_process_window().window
    resize_window(window, qtbot, 1024, 700)
    side = window.findChild(QWidget, "sidePanel")
    content = side.widget()
    assert content.width() <= side.viewport().width()
    assert content.height() > side.viewport().height()  # it scrolls
    side.ensureWidgetVisible(window.controls.l2_spin)
    qtbot.waitUntil(lambda: _wholly_shown(window, window.controls.l2_spin), timeout=TIMEOUT)


def test_the_side_panel_widens_for_the_digits_views_instead_of_clipping_them(make_window, qtbot):
    """Digits bring wider views into the side panel: it grows to hold them, and the window still fits 1024 pixels."""
    window = make_window()
    resize_window(window, qtbot, 1024, 700)
    combo = window.dataset_panel.dataset_combo
    combo.setCurrentIndex(combo.findData("digits"))
    qtbot.waitUntil(window.insight_stack.isVisible, timeout=TIMEOUT)
    side = window.findChild(QWidget, "sidePanel")
    qtbot.waitUntil(lambda: side.widget().width() <= side.viewport().width(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.insight_stack.width() >= window.insight_stack.minimumSizeHint().width(),
                    timeout=TIMEOUT)
    assert window.minimumSizeHint().width() <= 1024 and window.width() == 1024


def test_the_timeline_slider_is_long_at_1366_by_768(in_process_window, qtbot):
    """At 1366×768 the rewind slider is at least 300 pixels long."""
    window = in_process_window().window
    resize_window(window, qtbot, 1366, 768)
    slider = window.timeline_bar.slider
    qtbot.waitUntil(lambda: slider.width() >= 300, timeout=TIMEOUT)
    assert _wholly_shown(window, slider)


@pytest.mark.parametrize("size", [(1440, 900), (1366, 768)])
def test_every_heatmap_tab_shows_without_scrolling(in_process_window, qtbot, size):
    """All six tabs, the last one (Layer view) included, fit their bar: no scroll arrows."""
    window = in_process_window().window
    resize_window(window, qtbot, *size)
    bar = window.heatmap_tabs.tabBar()
    assert bar.count() == 6 and bar.tabText(5) == "Layer view"
    qtbot.waitUntil(lambda: bar.tabRect(5).right() < bar.width(), timeout=TIMEOUT)
    assert all(bar.rect().contains(bar.tabRect(i)) for i in range(bar.count()))
    assert not any(arrow.isVisible() for arrow in bar.findChildren(QToolButton))


def test_the_guide_docks_beside_the_views_and_not_over_them(in_process_window, qtbot):
    """At 1440×900 the guide opens docked on the right, clear of the canvas, the loss plot and the heatmaps."""
    window = in_process_window().window
    resize_window(window, qtbot, 1440, 900)
    side_width = window.main_split.sizes()[0]
    window.guide_action.trigger()
    guide = window.learning.guide
    assert guide is window.guide_dock
    qtbot.waitUntil(guide.isVisible, timeout=TIMEOUT)
    assert window.dockWidgetArea(guide) == Qt.DockWidgetArea.RightDockWidgetArea and not guide.isFloating()
    shown = _in_window(window, guide)
    for view in (window.canvas, window.loss_plot, window.heatmap_tabs, window.controls.step_button):
        qtbot.waitUntil(lambda view=view: not shown.intersects(_in_window(window, view)), timeout=TIMEOUT)
    assert window.main_split.sizes()[0] == side_width  # a wide window keeps its side panel


def test_on_a_narrow_window_the_guide_borrows_the_side_panel_and_gives_it_back(in_process_window, qtbot):
    """At 1024×700 the side panel makes room while the guide is open, and comes back as it was when it closes."""
    window = in_process_window().window
    resize_window(window, qtbot, 1024, 700)
    side_width = window.main_split.sizes()[0]
    assert side_width > 0
    window.guide_action.trigger()
    qtbot.waitUntil(lambda: window.main_split.sizes()[0] == 0, timeout=TIMEOUT)
    assert window.canvas.width() >= 300
    window.guide_dock.close()
    qtbot.waitUntil(lambda: window.main_split.sizes()[0] == side_width, timeout=TIMEOUT)


@pytest.fixture
def remembered_layout():
    """The window's remembered layout starts empty and is forgotten afterwards."""
    settings = QSettings("nnstudio", "NN Studio")
    settings.remove("window")
    yield settings
    settings.remove("window")


def test_the_layout_comes_back_exactly_on_the_next_start(qtbot, remembered_layout):
    """Size, place, splitter sizes and the docks shown are as the learner left them."""
    from nnstudio.ui import MainWindow

    first = MainWindow(remember=True, confirm_close=False, trainer=False)
    qtbot.addWidget(first)
    first.show()
    first.showNormal()
    # within the offscreen test screen (800×800), which a restored geometry is kept inside
    place = QRect(6, 24, 792, 720)
    first.setGeometry(place)
    qtbot.waitUntil(lambda: first.geometry() == place, timeout=TIMEOUT)
    first.data_table_action.trigger()
    qtbot.waitUntil(lambda: first.data_dock.height() == first.height() // 4, timeout=TIMEOUT)
    first.resizeDocks([first.data_dock], [210], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: first.data_dock.height() == 210, timeout=TIMEOUT)
    total = sum(first.main_split.sizes())
    side = first.main_split.widget(0).minimumSizeHint().width() + 7
    first.main_split.setSizes([side, total - side])
    views = sum(first.views_split.sizes())
    first.views_split.setSizes([views - 213, 213])
    right = sum(first.right_split.sizes())
    first.right_split.setSizes([right - 150, 150])
    qtbot.waitUntil(
        lambda: first.main_split.sizes()[0] == side and first.views_split.sizes()[1] == 213, timeout=TIMEOUT
    )
    expected = (first.geometry(), first.main_split.sizes(), first.views_split.sizes(), first.right_split.sizes(),
                first.data_dock.height())
    first.close()

    second = MainWindow(remember=True, confirm_close=False, trainer=False)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitUntil(lambda: second.data_dock.isVisible() and second.geometry() == expected[0], timeout=TIMEOUT)
    shown = (second.geometry(), second.main_split.sizes(), second.views_split.sizes(), second.right_split.sizes(),
             second.data_dock.height())
    second.close()
    assert shown == expected
    assert not second.guide_dock.isVisible()


def test_a_first_start_on_a_small_screen_fits_the_screen(qtbot, remembered_layout):
    """With nothing remembered on a screen smaller than the default size, the window fills the screen, not more."""
    from nnstudio.ui import MainWindow

    window = MainWindow(remember=True, confirm_close=False, trainer=False)
    qtbot.addWidget(window)
    window.show()
    available = window.screen().availableGeometry()
    qtbot.waitUntil(lambda: window.isMaximized(), timeout=TIMEOUT)
    assert window.width() <= available.width() and window.height() <= available.height()
    window.close()


# -- the guide's demonstrations in the window ------------------------------------------------------

def _weights_after(config, *steps):
    """The weights a headless session reaches through ``steps`` of ("hyper", h) or ("step", n)."""
    session = TrainingSession(config)
    for kind, value in steps:
        if kind == "hyper":
            session.set_hyper(value)
        else:
            session.step("cycle", value)
    return session.snapshot().weights


def test_the_learning_rate_demo_trains_50_cycles_at_ten_times_the_rate_then_puts_it_back(make_window, qtbot):
    """The weights are those of 50 cycles at lr ×10 (as a headless run computes them); then lr is the learner's again.
    """
    window = make_window()
    config = window.config
    lr = config.hyper.learning_rate
    window.guide_action.trigger()
    window.guide_dock.buttons["learning_rate"].click()
    qtbot.waitUntil(lambda: window.latest.cycle == 50 and window.latest.hyper.learning_rate == lr, timeout=TIMEOUT)
    assert window.controls.learning_rate_spin.value() == lr
    assert window.config.hyper.learning_rate == lr
    fast = replace(config.hyper, learning_rate=lr * 10)
    for got, want in zip(window.latest.weights, _weights_after(config, ("hyper", fast), ("step", 50))):
        np.testing.assert_array_equal(got, want)
    low, high = window.loss_plot.loss_plot.getPlotItem().getViewBox().viewRange()[0]
    assert low <= 0 and 50 <= high <= 60  # the plot shows the 50 cycles


def test_the_noise_demo_does_not_follow_into_the_next_dataset(make_window, qtbot):
    """After "Show me" under noise, a new dataset trains with the noise the learner had, not 0.5."""
    window = make_window()
    noise = window.config.hyper.noise
    window.guide_action.trigger()
    window.guide_dock.buttons["noise"].click()
    qtbot.waitUntil(lambda: window.latest.cycle == 100 and window.latest.hyper.noise == noise, timeout=TIMEOUT)
    generation = window.latest.generation
    combo = window.dataset_panel.dataset_combo
    combo.setCurrentIndex(combo.findData("circle"))
    qtbot.waitUntil(lambda: window.latest.generation > generation, timeout=TIMEOUT)
    assert window.latest.hyper.noise == noise and window.controls.noise_spin.value() == noise


def test_the_guide_offers_step_and_run_when_it_takes_the_side_panel(make_window, qtbot):
    """At 1024 px the open guide takes the side panel's room, so Step phase, Step and Run move into it."""
    window = make_window()
    resize_window(window, qtbot, 1024, 700)
    window.guide_action.trigger()
    row = window.guide_dock.training_row
    qtbot.waitUntil(row.isVisible, timeout=TIMEOUT)
    assert window.main_split.sizes()[0] == 0
    for name, action in (("guide_stepAction", window.step_action), ("guide_runAction", window.run_action),
                         ("guide_stepPhaseAction", window.step_phase_action)):
        button = row.findChild(QToolButton, name)
        assert button.defaultAction() is action and _wholly_shown(window, button), name
    row.findChild(QToolButton, "guide_stepAction").click()
    qtbot.waitUntil(lambda: window.latest.cycle == 1, timeout=TIMEOUT)
    window.guide_dock.close()
    qtbot.waitUntil(lambda: not row.isVisible(), timeout=TIMEOUT)
    assert window.main_split.sizes()[0] > 0
