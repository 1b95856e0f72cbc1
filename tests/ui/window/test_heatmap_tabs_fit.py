"""On a 1024×700 window every heatmap tab is in its bar, named so a learner can tell what it shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from support.window_size import TIMEOUT, resize_window

from nnstudio.ui.window.heatmap_tabs import COMPACT_NAMES

FULL_NAMES = ["Activations", "Deltas δ", "Weight Δ", "Inspector", "Grad norms", "Layer view"]


def _all_tabs_in_bar(bar) -> bool:
    return all(bar.rect().contains(bar.tabRect(i)) for i in range(bar.count()))


def test_every_heatmap_tab_shows_without_scrolling_at_1024_by_700(in_process_window, qtbot):
    """Short names where the full ones do not fit; the full name is each tab's tooltip and accessible name."""
    window = in_process_window().window
    resize_window(window, qtbot, 1024, 700)
    tabs = window.heatmap_tabs
    bar = tabs.tabBar()
    qtbot.waitUntil(lambda: _all_tabs_in_bar(bar), timeout=TIMEOUT)
    assert not any(arrow.isVisible() for arrow in bar.findChildren(QToolButton))
    assert [tabs.full_name(i) for i in range(bar.count())] == FULL_NAMES
    assert [bar.tabText(i) for i in range(bar.count())] == [COMPACT_NAMES[name] for name in FULL_NAMES]
    assert [bar.tabToolTip(i) for i in range(bar.count())] == FULL_NAMES
    assert [bar.accessibleTabName(i) for i in range(bar.count())] == FULL_NAMES
    # the last tab takes a click and shows its view
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(5).center())
    assert tabs.currentWidget() is window.layer_view


def test_the_full_names_come_back_when_the_window_widens(in_process_window, qtbot):
    """From 1024 to 1440 pixels wide the tabs go back to their full names, still without scroll arrows."""
    window = in_process_window().window
    resize_window(window, qtbot, 1024, 700)
    bar = window.heatmap_tabs.tabBar()
    qtbot.waitUntil(lambda: bar.tabText(0) == COMPACT_NAMES["Activations"], timeout=TIMEOUT)
    resize_window(window, qtbot, 1440, 900)
    qtbot.waitUntil(lambda: [bar.tabText(i) for i in range(bar.count())] == FULL_NAMES, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: _all_tabs_in_bar(bar), timeout=TIMEOUT)
    assert not any(arrow.isVisible() for arrow in bar.findChildren(QToolButton))
