"""The side panel keeps its width while a read-out's text changes width by a few pixels every frame.

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


def test_a_readout_changing_width_every_frame_leaves_the_panel_as_it_is(qtbot):
    content = QWidget()
    layout = QVBoxLayout(content)
    readout = QLabel("predicted: 3 (100%)")
    layout.addWidget(readout)
    panel = SidePanel(content, "sidePanel")
    qtbot.addWidget(panel)
    panel.show()
    settle()
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


def test_content_that_needs_more_or_much_less_room_still_resizes_the_panel(qtbot):
    content = QWidget()
    layout = QVBoxLayout(content)
    layout.addWidget(QLabel("narrow"))
    wide = QWidget()
    wide.setMinimumWidth(400)
    wide.hide()
    layout.addWidget(wide)
    panel = SidePanel(content, "sidePanel")
    qtbot.addWidget(panel)
    panel.show()
    settle()
    narrow = panel.minimumWidth()
    wide.show()
    settle()
    assert panel.minimumWidth() >= 400 + panel.verticalScrollBar().sizeHint().width()
    wide.hide()
    settle()
    assert panel.minimumWidth() == narrow
