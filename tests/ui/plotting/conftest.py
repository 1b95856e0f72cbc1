"""Fixtures of the plotting tests: a widget shown on screen at a known size."""

from __future__ import annotations

from functools import partial

import pytest
from support import widgets


@pytest.fixture
def shown(qtbot):
    """``shown(widget, width, height)``: the widget, owned by qtbot, resized, shown and exposed."""
    return partial(widgets.shown, qtbot)
