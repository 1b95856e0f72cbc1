"""The side panel: scrolls up and down only, follows its content, and keeps still while a read-out's text changes.

Every change of the panel's width moves the main splitter, and with it relays out and
repaints every view beside it: a read-out such as "predicted: 3 (87%)" must not do that
30 times a second. Content that really needs more room still widens the panel at once,
and content that needs much less narrows it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from nnstudio.ui.window.side_panel import SHRINK_SLACK, SidePanel


def settle():
    QApplication.processEvents()  # the content's layout request reaches the panel


def shown_panel(qtbot, *widgets: QWidget) -> SidePanel:
    content = QWidget()
    layout = QVBoxLayout(content)
    for widget in widgets:
        layout.addWidget(widget)
    panel = SidePanel(content, "sidePanel")
    qtbot.addWidget(panel)
    panel.show()
    settle()
    return panel


def test_content_that_needs_more_or_much_less_room_resizes_the_panel(qtbot):
    wide = QWidget()
    wide.setMinimumWidth(500)
    wide.hide()
    panel = shown_panel(qtbot, QLabel("narrow"), wide)
    narrow = panel.minimumWidth()
    assert panel.objectName() == "sidePanel" and narrow < 500
    wide.show()
    settle()
    assert panel.minimumWidth() >= 500 + panel.verticalScrollBar().sizeHint().width()
    wide.hide()
    settle()
    assert panel.minimumWidth() == narrow


def test_the_panel_scrolls_up_and_down_only(qtbot):
    """Taller content scrolls; the content is never wider than what the panel shows."""
    tall = QWidget()
    tall.setMinimumSize(200, 900)
    panel = shown_panel(qtbot, tall)
    panel.resize(panel.minimumWidth(), 300)
    qtbot.waitUntil(lambda: panel.verticalScrollBar().maximum() > 0)
    assert tall.width() <= panel.viewport().width()
    assert not panel.horizontalScrollBar().isVisible()


def test_a_readout_changing_width_every_frame_leaves_the_panel_as_it_is(qtbot):
    readout = QLabel("predicted: 3 (100%)")
    panel = shown_panel(qtbot, readout)
    widest = panel.minimumWidth()
    seen = set()
    for text in ("predicted: 3 (7%)", "predicted: 3 (100%)", "predicted: 1 (64%)") * 3:
        readout.setText(text)
        settle()
        seen.add(panel.minimumWidth())
    assert seen == {widest}
    # a few pixels narrower is within the slack; it is what the read-outs do
    assert readout.fontMetrics().horizontalAdvance("predicted: 3 (100%)") - \
        readout.fontMetrics().horizontalAdvance("predicted: 3 (7%)") < SHRINK_SLACK
