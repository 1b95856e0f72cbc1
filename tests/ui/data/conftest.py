"""Fixtures of the Data panel tests: a panel at a known size and the specs it emits."""

from __future__ import annotations

import pytest
from support.widgets import owned

from nnstudio.ui.data.dataset_panel import DatasetPanel


@pytest.fixture
def panel(qtbot):
    return owned(qtbot, DatasetPanel(), 420, 520)


@pytest.fixture
def emitted(panel):
    """Every spec the panel emits, in order."""
    specs: list[dict] = []
    panel.sig_data_spec_changed.connect(specs.append)
    return specs
