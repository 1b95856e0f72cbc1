"""Fixtures of the plotting tests: a widget shown on screen at a known size."""

from __future__ import annotations

import pytest


@pytest.fixture
def shown(qtbot):
    """``shown(widget, width, height)``: the widget, owned by qtbot, resized, shown and exposed."""

    def show(widget, width: int, height: int):
        qtbot.addWidget(widget)
        widget.resize(width, height)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return show
