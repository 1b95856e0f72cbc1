"""Widgets under test: owned by qtbot (closed after the test) at a known size, shown when a test needs them."""

from __future__ import annotations


def owned(qtbot, widget, width: int, height: int):
    """The widget, owned by qtbot and resized (not shown)."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    return widget


def shown(qtbot, widget, width: int, height: int):
    """The widget, owned by qtbot, resized, shown and exposed."""
    owned(qtbot, widget, width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
