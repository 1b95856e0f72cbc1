"""Tests for nnstudio.ui.window.side_panel.SidePanel."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nnstudio.ui.window.side_panel import SidePanel


def test_the_panel_follows_its_content_minimum_width(qtbot):
    """Content that comes to need more width widens the panel; when it goes, the panel narrows again."""
    content = QWidget()
    layout = QVBoxLayout(content)
    layout.addWidget(QLabel("narrow"))
    wide = QWidget()
    wide.setMinimumWidth(500)
    wide.hide()
    layout.addWidget(wide)
    panel = SidePanel(content, "sidePanel")
    qtbot.addWidget(panel)
    panel.show()
    narrow_width = panel.minimumWidth()
    assert panel.objectName() == "sidePanel" and narrow_width < 500
    wide.show()
    qtbot.waitUntil(lambda: panel.minimumWidth() >= 500 + panel.verticalScrollBar().sizeHint().width())
    wide.hide()
    qtbot.waitUntil(lambda: panel.minimumWidth() == narrow_width)


def test_the_panel_scrolls_up_and_down_only(qtbot):
    """Taller content scrolls; the content is never wider than what the panel shows."""
    content = QWidget()
    content.setMinimumSize(200, 900)
    panel = SidePanel(content, "sidePanel")
    qtbot.addWidget(panel)
    panel.resize(panel.minimumWidth(), 300)
    panel.show()
    qtbot.waitUntil(lambda: panel.verticalScrollBar().maximum() > 0)
    assert content.width() <= panel.viewport().width()
    assert not panel.horizontalScrollBar().isVisible()
