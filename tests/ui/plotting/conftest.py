"""Fixtures of the plotting tests: a widget shown on screen at a known size, a loss plot holding a history."""

from __future__ import annotations

from functools import partial

import pytest
from support import widgets
from support.histories import export_history

from nnstudio.ui.plotting.loss_plot import LossPlot


@pytest.fixture
def shown(qtbot):
    """``shown(widget, width, height)``: the widget, owned by qtbot, resized, shown and exposed."""
    return partial(widgets.shown, qtbot)


@pytest.fixture
def loss_plot(shown) -> LossPlot:
    """A LossPlot on screen at 900 x 400 holding ``export_history()``."""
    widget = shown(LossPlot(), 900, 400)
    widget.set_history(*export_history())
    return widget
