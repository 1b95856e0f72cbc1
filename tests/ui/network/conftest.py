"""Fixtures of the network diagram tests: a canvas on screen drawing the small spec of ``support.diagram``."""

from __future__ import annotations

import pytest
from support.diagram import ACTS, SIZES

from nnstudio.ui.network.network_canvas import NetworkCanvas


@pytest.fixture
def canvas(qtbot):
    widget = NetworkCanvas()
    qtbot.addWidget(widget)
    widget.resize(800, 450)
    widget.set_spec(SIZES, ACTS)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
